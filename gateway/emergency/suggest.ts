/**
 * Which emergency partner an appeal belongs to, from the agreed item lists (the published
 * 12345–110 linkage lists): the console shows the suggestion beside the one-key transfer and the
 * escalation. Only a suggestion: the agent decides.
 *
 * Each item scores the number of its keywords found in the text as whole words (keyword-match.ts;
 * overlapping finds count once, the longest first). The best partner item wins; on a tie the partner
 * listed first (the file lists 110 first: a fight with injuries is for the police, who bring 120).
 * An item the partners hand to 12345 (噪音扰民, 停水停电, 路灯 ...) that scores as much keeps the
 * appeal with 12345. Appeals filed as 咨询/建议/表扬 count half: asking how to report a gas leak is
 * not a gas leak, unless the text says more. Below MIN_SCORE (one keyword) nothing is suggested.
 */
import type { Appeal, Category } from '../domain/appeal.ts'
import { findKeyword, segment, type KeywordHit, type Segmented } from './keyword-match.ts'
import type { EmergencyPartner, PartnerId, PartnerItem } from './partners.ts'

export interface Suggestion {
  partner: PartnerId
  /** 公安110 ... */
  name: string
  /** The matched item's label (打架斗殴, 燃气泄漏 ...). */
  item: string
  /** The keywords found, in the order of the text. */
  keywords: string[]
  score: number
}

/** What is read: the category and the text (the citizen's content, and the agent's summary if any). */
export type SuggestInput = Pick<Appeal, 'content'> & { category?: Category; summary?: string; intake?: { summary?: string } }

export const MIN_SCORE = 1
const CATEGORY_FACTOR: Partial<Record<Category, number>> = { 咨询: 0.5, 建议: 0.5, 表扬: 0.5 }
/** The request is at the start; a long letter's later paragraphs add noise. */
const MAX_TEXT = 600

interface Scored {
  score: number
  hits: KeywordHit[]
}

export function suggestPartner(appeal: SuggestInput, partners: readonly EmergencyPartner[]): Suggestion | undefined {
  const text = textOf(appeal)
  if (!text || partners.length === 0) return undefined
  const words = partners.flatMap((p) => [...p.items, ...p.itemsTo12345].flatMap((i) => i.keywords))
  const seg = segment(text, words)

  let best: { partner: EmergencyPartner; item: PartnerItem; scored: Scored } | undefined
  let kept = 0
  for (const partner of partners) {
    for (const item of partner.items) {
      const scored = scoreItem(seg, item)
      if (scored.score > (best?.scored.score ?? 0)) best = { partner, item, scored }
    }
    for (const item of partner.itemsTo12345) kept = Math.max(kept, scoreItem(seg, item).score)
  }
  if (!best || kept >= best.scored.score) return undefined
  const score = best.scored.score * (appeal.category ? CATEGORY_FACTOR[appeal.category] ?? 1 : 1)
  if (score < MIN_SCORE) return undefined
  return {
    partner: best.partner.id,
    name: best.partner.name,
    item: best.item.label,
    keywords: best.scored.hits.map((h) => h.keyword),
    score,
  }
}

function textOf(appeal: SuggestInput): string {
  const parts = [appeal.summary, appeal.intake?.summary, appeal.content].filter((s): s is string => Boolean(s && s.trim()))
  return parts.join('。').slice(0, MAX_TEXT)
}

/** How many of the item's keywords are found, each place of the text counted once. */
function scoreItem(seg: Segmented, item: PartnerItem): Scored {
  const taken = new Set<number>()
  const hits: KeywordHit[] = []
  for (const keyword of [...item.keywords].sort((a, b) => b.length - a.length)) {
    for (const hit of findKeyword(seg, keyword)) {
      const span = Array.from({ length: keyword.length }, (_, k) => hit.at + k)
      if (span.some((p) => taken.has(p))) continue
      for (const p of span) taken.add(p)
      if (!hits.some((h) => h.keyword === keyword)) hits.push(hit)
    }
  }
  hits.sort((a, b) => a.at - b.at)
  return { score: hits.length, hits }
}
