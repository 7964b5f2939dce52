/**
 * The Appeal (诉求): the one normalized record every intake channel produces.
 * Pure types and transitions; no I/O, no adapters.
 */

export const CHANNELS = [
  'voice',
  'web',
  'wechat-mini',
  'wechat-official',
  'mailbox',
  'message-board',
  'app',
  /** A record pushed by 110/119/120/122 without a call (origin = the partner's number). */
  'emergency',
] as const
export type Channel = (typeof CHANNELS)[number]

export const CATEGORIES = ['咨询', '求助', '投诉', '举报', '建议', '表扬'] as const
export type Category = (typeof CATEGORIES)[number]

export type AppealStatus =
  | 'received' // record written, queue entry not yet confirmed
  | 'queued' // in the one queue, waiting for an agent
  | 'offered'
  | 'in-progress'
  | 'completed'
  | 'cancelled'

export interface Citizen {
  phone?: string
  name?: string
  openid?: string
}

export interface Location {
  address?: string
  lat?: number
  lng?: number
}

export interface Attachment {
  type: string
  url: string
  size: number
}

/**
 * The telephone call behind a voice appeal. `live`: the caller waits on the line; `callback`: the
 * caller hung up keeping the place (按1键) and is called back when it comes; `message`: a recorded
 * message (night flow, overflow), worked like a written appeal.
 */
export interface CallRef {
  callId: string
  /** The media server that carries (or carried) the call. */
  serverId: string
  mode: 'live' | 'callback' | 'message'
  /** Recording or message file (no phone number in the path). */
  recording?: string
  /** Calls made back to the citizen (kept place, retries, an agent's 回拨): the note agents read. */
  callbacks?: CallbackNote
}

/** Where the calls back to the citizen stand: how many were made, the last outcome, the next try. */
export interface CallbackNote {
  attempts: number
  lastAt: string
  outcome: 'connected' | 'no-answer'
  /** When the gateway dials again (automatic retries of a kept place); absent: no retry planned. */
  nextAt?: string
}

/** What every channel hands to the queue: the shape partners learn once. */
export interface AppealDraft {
  citizen: Citizen
  content: string
  category?: Category
  location?: Location
  attachments?: Attachment[]
  confidential?: boolean
  /** Voice appeals only. */
  call?: CallRef
}

export interface ExternalRef {
  channel: Channel
  /** The channel's own message id (WeChat MsgId, board post id, Idempotency-Key ...). */
  id: string
}

export interface StatusChange {
  status: AppealStatus
  at: string
  by?: string
}

export interface Appeal extends AppealDraft {
  id: string
  /** Human-readable number a citizen can quote: YYYYMMDD-NNNNNN. */
  appealNumber: string
  channel: Channel
  /** Hotline number dialed (voice) or the app/source name; absent when the channel says nothing more. */
  origin?: string
  external: ExternalRef
  confidential: boolean
  receivedAt: string
  priority: number
  status: AppealStatus
  history: StatusChange[]
}

/**
 * Queue priority: lower is served first (bullmq convention). Calls before written appeals; a record
 * an emergency line (110/119/120/122) handed to 12345 before everything (国办发〔2022〕12号).
 */
export const PRIORITY = { emergency: 0, voice: 1, written: 10 } as const

export function priorityFor(channel: Channel): number {
  if (channel === 'emergency') return PRIORITY.emergency
  return channel === 'voice' ? PRIORITY.voice : PRIORITY.written
}

/** Formats the citizen-facing number from the local date and the day's sequence. */
export function formatAppealNumber(localDate: string, seq: number): string {
  return `${localDate.replaceAll('-', '')}-${String(seq).padStart(6, '0')}`
}

export function withStatus(appeal: Appeal, status: AppealStatus, at: string, by?: string): Appeal {
  const change: StatusChange = by ? { status, at, by } : { status, at }
  return { ...appeal, status, history: [...appeal.history, change] }
}
