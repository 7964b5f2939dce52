/** What a console needs on (re)connect: state, held appeals, the pending offer, and its settings. */
import type { Acd } from '../../gateway/acd/types.ts'
import { NOT_READY_REASONS } from '../../gateway/acd/types.ts'
import { CATEGORIES, type Appeal } from '../../gateway/domain/appeal.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import { DECISION_LABELS_ZH, FLAG_LABELS_ZH, REASON_LABELS_ZH } from '../../gateway/matter/labels-zh.ts'
import type { MatterCard, MatterCards } from './matter-card.ts'
import type { ConsoleSession } from './session.ts'

/** The one source of 并案 wording (gateway/matter/labels-zh.ts), served to both pages. */
export const MATTER_LABELS = { flags: FLAG_LABELS_ZH, reasons: REASON_LABELS_ZH, decisions: DECISION_LABELS_ZH }

export interface ConsoleSettings {
  dispositions: readonly { code: string; label: string }[]
  /** Dialed numbers with their names, to show an appeal's origin hotline. */
  hotlines: readonly { number: string; name: string }[]
  /** Queues an agent may transfer to (the hotline skills), with a zh label. */
  transferQueues: readonly { queue: string; label: string }[]
  /** The voice path is on (call control, 回拨, the 漏接回拨 list). */
  voice?: boolean
}

export async function welcome(
  session: ConsoleSession,
  acd: Acd,
  queue: AppealQueue,
  settings: ConsoleSettings,
  now: Date,
  matters?: MatterCards,
): Promise<Record<string, unknown>> {
  const status = await acd.status(session.agentId)
  const appeals = (await Promise.all(status.appealIds.map((id) => queue.get(id)))).filter(
    (a): a is Appeal => a !== undefined,
  )
  const offerAppeal = status.offer ? await queue.get(status.offer.appealId) : undefined
  const cards: Record<string, MatterCard> = {}
  if (matters) {
    const ids = [...appeals.map((a) => a.id), ...(offerAppeal ? [offerAppeal.id] : [])]
    for (const id of ids) {
      const card = await matters.card(id)
      if (card) cards[id] = card
    }
  }
  return {
    session: session.id,
    serverTime: now.toISOString(),
    agent: { id: session.agentId, name: session.identity.name, role: session.identity.role },
    tokenExpiresAt: session.identity.expiresAt.toISOString(),
    status,
    appeals,
    ...(status.offer && offerAppeal ? { offer: { offer: status.offer, appeal: offerAppeal, matter: cards[offerAppeal.id] ?? null } } : {}),
    matters: cards,
    settings: {
      dispositions: settings.dispositions,
      hotlines: settings.hotlines,
      transferQueues: settings.transferQueues,
      notReadyReasons: NOT_READY_REASONS.filter((r) => r !== '未应答'),
      categories: CATEGORIES,
      voice: { connected: Boolean(settings.voice) },
      matterLabels: MATTER_LABELS,
    },
  }
}
