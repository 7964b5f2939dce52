/**
 * The ACD contract shared by the router (gateway/acd) and the agent console (agent-console/).
 * The ACD is the source of truth in Redis; every gateway process sees the same agents and entries,
 * and events fan out to all processes (Redis pub/sub), so any process can serve any agent's socket.
 */
import type { Appeal, Category } from '../domain/appeal.ts'

export type AgentState = 'offline' | 'ready' | 'reserved' | 'busy' | 'wrap-up' | 'not-ready'
/** Not-ready reasons an agent or supervisor may pick; 未应答 is set by the ACD on an offer timeout. */
export const NOT_READY_REASONS = ['小休', '用餐', '培训', '会议', '未应答'] as const
export type NotReadyReason = (typeof NOT_READY_REASONS)[number]

export type Role = 'agent' | 'supervisor'

export interface SkillLevel {
  /** e.g. 'hotline:12315', 'category:投诉', 'language:粤语', 'general' */
  skill: string
  /** 1 (basic) .. 10 (expert) */
  level: number
}

export interface AgentProfile {
  id: string
  name: string
  role: Role
  skills: SkillLevel[]
  /** Written appeals the agent may hold at once (calls: always one). */
  writtenCapacity: number
}

export type EntryKind = 'call' | 'written'

export interface Offer {
  offerId: string
  appealId: string
  agentId: string
  kind: EntryKind
  offeredAt: string
  expiresAt: string
}

export interface AgentStatus {
  agentId: string
  state: AgentState
  reason?: NotReadyReason
  since: string
  /** Appeals the agent has accepted and not yet completed. */
  appealIds: string[]
  offer?: Offer
  /** When wrap-up ends by itself (state 'wrap-up'). */
  wrapUpEndsAt?: string
}

export interface Position {
  appealId: string
  /** 1 = next to be offered in its queue. */
  position: number
  estimatedWaitSeconds: number
}

/** What the agent completes on the appeal card before wrap-up. */
export interface IntakeRecord {
  category?: Category
  summary?: string
  location?: Appeal['location']
  confidential?: boolean
  /** Disposition code from config (e.g. 'resolved-on-line', 'work-order', 'transferred'). */
  disposition: string
}

export type TransferTarget = { queue: string } | { agentId: string }

export interface QueueStatsView {
  queue: string
  waiting: number
  longestWaitSeconds: number
}

export interface IntervalStats {
  offered: number
  answered: number
  abandoned: number
  /** Answered within 15 s / (answered + abandoned - abandoned within the short-abandon threshold); entries still waiting do not count yet. 0..1 */
  answeredWithin15sRate: number
  abandonRate: number
  /** 接通率 (GB/T 33358: >= 95 %): answered / (answered + abandoned), every abandon counted. 0..1 */
  answerRate: number
  averageSpeedOfAnswerSeconds: number
  averageHandleTimeSeconds: number
  /** Written appeals first taken by an agent within 3 minutes / written appeals taken. 0..1 */
  writtenWithin3minRate: number
}

export interface AcdStats {
  at: string
  queues: QueueStatsView[]
  agentsByState: Record<AgentState, number>
  today: IntervalStats
}

/** Events fanned out to every gateway process. */
export type AcdEvent =
  | { type: 'offer'; offer: Offer }
  | { type: 'offer-revoked'; offer: Offer; reason: 'timeout' | 'declined' | 'cancelled' }
  | { type: 'agent-state'; status: AgentStatus }
  | { type: 'appeal-assigned'; agentId: string; appealId: string }
  | { type: 'appeal-completed'; agentId: string; appealId: string }
  /** The agent no longer holds it: transferred, or taken back by a supervisor (back in a queue). */
  | { type: 'appeal-released'; agentId: string; appealId: string }
  | { type: 'stats'; stats: AcdStats }

export interface Acd {
  /** Adds a queued appeal as an entry (skills from hotline/category/language) and tries to offer it. */
  addEntry(appeal: Appeal): Promise<void>
  setState(agentId: string, state: 'ready' | 'not-ready' | 'offline', reason?: NotReadyReason, by?: string): Promise<AgentStatus>
  accept(agentId: string, offerId: string): Promise<Appeal>
  decline(agentId: string, offerId: string): Promise<void>
  /** The agent's phone did not take the offered call: as an offer timeout (未应答). False if the offer was gone. */
  missed(agentId: string, offerId: string): Promise<boolean>
  /** A waiting caller hung up: the entry leaves the queue and counts as abandoned. False if it was not waiting. */
  abandon(appealId: string): Promise<boolean>
  /** A waiting entry is offered as the other kind from now on (overflow: a message is written work). False while offered or not waiting. */
  setEntryKind(appealId: string, kind: EntryKind): Promise<boolean>
  /** Completes the agent's appeal with the intake record and puts the agent in wrap-up. */
  complete(agentId: string, appealId: string, record: IntakeRecord): Promise<Appeal>
  endWrapUp(agentId: string): Promise<AgentStatus>
  transfer(agentId: string, appealId: string, target: TransferTarget): Promise<void>
  /** The agent takes an appeal nobody holds or waits for (漏接回拨) to call back; held as a call. */
  take(agentId: string, appealId: string): Promise<Appeal>
  /** The agent lets go of the appeal; it is offered again from `at` on, at its original place (call-back retries). */
  retryLater(agentId: string, appealId: string, at: Date): Promise<void>
  /**
   * A supervisor takes back every appeal an agent holds: each waits again in its own queue at its
   * original place, and the agent goes offline (no wrap-up) so nothing is offered straight back.
   */
  reclaim(agentId: string, by: string): Promise<string[]>
  status(agentId: string): Promise<AgentStatus>
  /** May this agent read this appeal (offered to or held by them)? */
  canRead(agentId: string, appealId: string): Promise<boolean>
  /** The agent who holds this appeal or has it offered, if any. */
  holderOf(appealId: string): Promise<string | undefined>
  position(appealId: string): Promise<Position | undefined>
  stats(): Promise<AcdStats>
  subscribe(listener: (event: AcdEvent) => void): () => void
  /** A console of these agents is connected now (presence; see acd.presenceTimeoutSeconds). */
  touchPresence(agentIds: readonly string[]): Promise<void>
  close(): Promise<void>
}
