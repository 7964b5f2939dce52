/**
 * The handoff record: what 12345 hands to an emergency partner (one-key transfer, three-party call,
 * or a record alone for a written appeal), and where it stands. Pure types, the builder and the
 * status transitions; the store (handoff-store.ts) applies them atomically.
 *
 *   pending ──2xx──> delivered ──已接收──> acknowledged
 *      └──────────────────────────────────┘  (a 2xx saying {"status":"acknowledged"}, or 已接收 first)
 *   pending | delivered | acknowledged ──退回12345 + reason──> returned (final)
 */
import type { Appeal, Category, Location } from '../domain/appeal.ts'
import { EMERGENCY_ERR_ALREADY_RETURNED, EMERGENCY_ERR_REASON_REQUIRED } from './errors.ts'
import type { EmergencyPartner, PartnerId, Platform } from './partners.ts'

export const HANDOFF_HOWS = ['one-key', 'three-party', 'record-only'] as const
export type HandoffHow = (typeof HANDOFF_HOWS)[number]

export const HANDOFF_STATUSES = ['pending', 'delivered', 'acknowledged', 'returned'] as const
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number]

/** The partner's answer: 已接收 or 退回12345. */
export type PartnerAnswer = 'received' | 'returned'

export type HandoffEvent = 'created' | 'delivered' | 'acknowledged' | 'returned' | 'push-failed' | 'first-receiver'

export interface HandoffChange {
  event: HandoffEvent
  /** The status after the event. */
  status: HandoffStatus
  at: string
  /** An agent id, `platform:<partner>` (their platform's push answer), `dispatcher:<partner>` (the link). */
  by: string
  /** The return reason, the first receiver, the push error. */
  note?: string
}

/** The push to the partner's platform. */
export interface Delivery {
  /** none: the partner takes no pushes (the link is all they get); failed: every try failed. */
  state: 'none' | 'pushing' | 'delivered' | 'failed'
  attempts: number
  lastAttemptAt?: string
  /** The last failure: `HTTP 503`, `unreachable` ... (never the partner's body). */
  lastError?: string
  deliveredAt?: string
}

export interface HandoffRecord {
  id: string
  appealId: string
  appealNumber: string
  /** What the partner quotes back: the appeal number (also in the SIP User-to-User header). */
  reference: string
  partner: PartnerId
  partnerName: string
  how: HandoffHow
  /** In full: dispatchers call the citizen back. Never logged. */
  callerNumber?: string
  callerName?: string
  location?: Location
  summary: string
  category?: Category
  /** The agreed item, when the agent took the console's suggestion. */
  item?: string
  /** The citizen asked 12345 to keep the appeal confidential. */
  confidential: boolean
  agent: { id: string; name?: string }
  /** When the agent handed it over. */
  time: string
  /** The call's recording, played through the dispatcher link (absent: no recording). */
  recordingUrl?: string
  /** The dispatcher view (read-only, expiring). */
  link: string
  /** POST {answer, reason?} here (the dispatcher view does; a partner platform may too). */
  answerUrl: string
  linkExpiresAt: string
  status: HandoffStatus
  answer?: PartnerAnswer
  reason?: string
  answeredAt?: string
  answeredBy?: string
  delivery: Delivery
  /** 首接负责: who handles it when a three-party call ended undecided. */
  firstReceiver?: { platform: Platform; at: string; by: string }
  history: HandoffChange[]
}

export interface RecordLinks {
  link: string
  answerUrl: string
  recordingUrl?: string
  expiresAt: Date
}

export interface BuildOptions {
  id: string
  partner: EmergencyPartner
  at: Date
  links: RecordLinks
  /** What the agent wrote (a live call's content is only a placeholder); default: the appeal's text. */
  summary?: string
  category?: Category
  location?: Location
  item?: string
}

/** The record of handing `appeal` to a partner, as `agent` does it now. */
export function buildHandoffRecord(appeal: Appeal, agent: { id: string; name?: string }, how: HandoffHow, o: BuildOptions): HandoffRecord {
  const at = o.at.toISOString()
  const intakeSummary = (appeal as Appeal & { intake?: { summary?: string } }).intake?.summary
  const location = o.location ?? appeal.location
  const category = o.category ?? appeal.category
  return {
    id: o.id,
    appealId: appeal.id,
    appealNumber: appeal.appealNumber,
    reference: appeal.appealNumber,
    partner: o.partner.id,
    partnerName: o.partner.name,
    how,
    ...(appeal.citizen.phone ? { callerNumber: appeal.citizen.phone } : {}),
    ...(appeal.citizen.name ? { callerName: appeal.citizen.name } : {}),
    ...(location ? { location } : {}),
    summary: (o.summary?.trim() || intakeSummary || appeal.content).slice(0, 5000),
    ...(category ? { category } : {}),
    ...(o.item ? { item: o.item } : {}),
    confidential: appeal.confidential,
    agent: agent.name ? { id: agent.id, name: agent.name } : { id: agent.id },
    time: at,
    ...(o.links.recordingUrl ? { recordingUrl: o.links.recordingUrl } : {}),
    link: o.links.link,
    answerUrl: o.links.answerUrl,
    linkExpiresAt: o.links.expiresAt.toISOString(),
    status: 'pending',
    delivery: { state: o.partner.recordEndpoint ? 'pushing' : 'none', attempts: 0 },
    history: [{ event: 'created', status: 'pending', at, by: agent.id, note: how }],
  }
}

const RANK: Record<HandoffStatus, number> = { pending: 0, delivered: 1, acknowledged: 2, returned: 3 }

function change(r: HandoffRecord, event: HandoffEvent, status: HandoffStatus, at: string, by: string, note?: string): HandoffChange {
  return note ? { event, status, at, by, note } : { event, status, at, by }
}

/**
 * The partner's platform answered 2xx (`acknowledged`: its body said so). A record already answered
 * keeps its status; the delivery is noted all the same.
 */
export function markDelivered(r: HandoffRecord, at: string, attempts: number, acknowledged: boolean): HandoffRecord {
  const by = `platform:${r.partner}`
  let next: HandoffRecord = { ...r, delivery: { ...r.delivery, state: 'delivered', attempts, lastAttemptAt: at, deliveredAt: at } }
  if (RANK[r.status] < RANK.delivered) {
    next = { ...next, status: 'delivered', history: [...r.history, change(r, 'delivered', 'delivered', at, by)] }
  }
  if (acknowledged && RANK[next.status] < RANK.acknowledged) next = acknowledge(next, at, by)
  return next
}

/** A push try failed; `final`: it was the last one. */
export function markPushFailed(r: HandoffRecord, at: string, attempts: number, error: string, final: boolean): HandoffRecord {
  const delivery: Delivery = { ...r.delivery, state: final ? 'failed' : 'pushing', attempts, lastAttemptAt: at, lastError: error }
  const history = final ? [...r.history, change(r, 'push-failed', r.status, at, 'gateway', error)] : r.history
  return { ...r, delivery, history }
}

function acknowledge(r: HandoffRecord, at: string, by: string): HandoffRecord {
  return {
    ...r,
    status: 'acknowledged',
    answer: 'received',
    answeredAt: at,
    answeredBy: by,
    history: [...r.history, change(r, 'acknowledged', 'acknowledged', at, by)],
  }
}

/**
 * The partner answers: 已接收 (`received`) or 退回12345 (`returned`, with a reason). Receiving twice
 * changes nothing; anything after a return is EMERGENCY_ERR_ALREADY_RETURNED (409).
 */
export function answerRecord(r: HandoffRecord, answer: PartnerAnswer, reason: string | undefined, at: string, by: string): HandoffRecord {
  if (r.status === 'returned') throw new EMERGENCY_ERR_ALREADY_RETURNED()
  if (answer === 'received') return r.status === 'acknowledged' ? r : acknowledge(r, at, by)
  const why = reason?.trim()
  if (!why) throw Object.assign(new EMERGENCY_ERR_REASON_REQUIRED(), { field: '/reason' })
  return {
    ...r,
    status: 'returned',
    answer: 'returned',
    reason: why,
    answeredAt: at,
    answeredBy: by,
    history: [...r.history, change(r, 'returned', 'returned', at, by, why)],
  }
}

/** 首接负责: a three-party call ended undecided; the platform that received the appeal first handles it. */
export function markFirstReceiver(r: HandoffRecord, platform: Platform, at: string, by: string): HandoffRecord {
  return {
    ...r,
    firstReceiver: { platform, at, by },
    history: [...r.history, change(r, 'first-receiver', r.status, at, by, platform)],
  }
}

/** What is pushed to the partner's platform: the record without our delivery bookkeeping. */
export function partnerView(r: HandoffRecord): Omit<HandoffRecord, 'delivery' | 'history' | 'status' | 'answer' | 'reason' | 'answeredAt' | 'answeredBy' | 'firstReceiver'> {
  const { delivery: _d, history: _h, status: _s, answer: _a, reason: _r, answeredAt: _t, answeredBy: _b, firstReceiver: _f, ...view } = r
  return view
}

/** What the dispatcher view shows: the record, its answer and history, without our delivery bookkeeping. */
export function dispatcherView(r: HandoffRecord): Omit<HandoffRecord, 'delivery'> {
  const { delivery: _d, ...view } = r
  return view
}
