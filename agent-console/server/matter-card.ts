/**
 * The matter (并案) part of the appeal card: what the linker suggested for an appeal, with the other
 * appeals of that matter as an agent may see them (number, channel, time, a short excerpt, a masked
 * phone — never another citizen's full number or full text), and the candidates for "关联到其他事项".
 */
import type { Appeal } from '../../gateway/domain/appeal.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import { maskPhone } from '../../gateway/domain/phone.ts'
import type { MatterLinker } from '../../gateway/matter/linker.ts'
import { placeholderText } from '../../gateway/matter/features.ts'
import type { CompletedAppeal } from '../../gateway/acd/appeal-records.ts'
import type { Decision, MatterFlags, ReasonCode } from '../../gateway/matter/types.ts'

export interface MatterAppeal {
  appealId: string
  appealNumber: string
  channel?: string
  receivedAt: string
  excerpt: string
  phone?: string
  reasons: ReasonCode[]
  decision?: Decision
}

export interface MatterCard {
  appealId: string
  matterId: string
  flags: MatterFlags
  citizens: number
  score: number
  /** Why this appeal was put in the matter (codes; labels are in welcome.settings.matterLabels). */
  reasons: ReasonCode[]
  /** The agent decision on this appeal, if any (confirmed / detached / attached). */
  decision?: Decision
  /** Appeals in the matter, this one included. */
  size: number
  /** The other appeals of the matter, oldest first, at most OTHERS_MAX. */
  others: MatterAppeal[]
}

export interface MatterCandidate extends MatterAppeal {
  matterId: string
  score: number
}

const OTHERS_MAX = 20
const EXCERPT_CHARS = 60
/** A mobile or landline number inside free text (the excerpt shows other citizens' words). */
const PHONE_IN_TEXT = /(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/g

export function excerpt(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim().replace(PHONE_IN_TEXT, (m) => maskPhone(m))
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat
}

/** What the appeal says: a call's text is our placeholder, its agent's summary once completed. */
function said(a: Appeal): string {
  const summary = (a as Partial<CompletedAppeal>).intake?.summary
  return placeholderText(a) && summary ? summary : a.content
}

function view(a: Appeal | undefined, id: string, number: string, at: string, reasons: ReasonCode[]): MatterAppeal {
  return {
    appealId: id,
    appealNumber: number,
    receivedAt: at,
    reasons,
    ...(a ? { channel: a.channel, excerpt: excerpt(said(a)) } : { excerpt: '' }),
    ...(a?.citizen?.phone ? { phone: maskPhone(a.citizen.phone) } : {}),
  }
}

export class MatterCards {
  constructor(
    readonly linker: MatterLinker,
    private readonly queue: AppealQueue,
  ) {}

  /** The card part for one appeal, or undefined when it was never linked. */
  async card(appealId: string): Promise<MatterCard | undefined> {
    const link = await this.linker.get(appealId)
    if (!link) return undefined
    const matter = await this.linker.matter(link.matterId)
    const self = matter.members.find((m) => m.appealId === appealId)
    const others = matter.members
      .filter((m) => m.appealId !== appealId)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
      .slice(0, OTHERS_MAX)
    const appeals = await Promise.all(others.map((m) => this.queue.get(m.appealId)))
    // Reasons against this appeal when the linker compared the two; else the other one's own link.
    const pair = new Map(link.related.map((r) => [r.appealId, r.reasons]))
    return {
      appealId,
      matterId: matter.matterId,
      flags: link.flags,
      citizens: matter.citizens,
      score: link.score,
      // The stored link keeps the reasons of its first match; alone after a split, none hold.
      reasons: matter.members.length > 1 ? link.reasons : [],
      ...(self?.decision ? { decision: self.decision } : {}),
      size: matter.members.length,
      others: others.map((m, i) => ({
        ...view(appeals[i], m.appealId, m.appealNumber, m.receivedAt, pair.get(m.appealId) ?? m.reasons),
        ...(m.decision ? { decision: m.decision } : {}),
      })),
    }
  }

  /** Other matters this appeal might belong to (linker.suggest), one row per matter, best first. */
  async candidates(appealId: string): Promise<MatterCandidate[]> {
    const suggested = await this.linker.suggest(appealId, 10)
    const seen = new Set<string>()
    const out: MatterCandidate[] = []
    for (const s of suggested) {
      const link = await this.linker.get(s.appealId)
      if (!link || seen.has(link.matterId)) continue
      seen.add(link.matterId)
      const a = await this.queue.get(s.appealId)
      out.push({ ...view(a, s.appealId, s.appealNumber, a?.receivedAt ?? '', s.reasons), matterId: link.matterId, score: s.score })
    }
    return out.slice(0, 5)
  }
}
