/** Ports shaped by the core. Adapters (bullmq/Redis, WeChat, websocket ...) implement them at the edge. */
import type { Appeal, AppealDraft, Channel } from './appeal.ts'

export interface Submission {
  channel: Channel
  /** The channel's own message id; absent for a delivery that cannot be repeated (a fresh uuid is used). */
  externalId?: string
  origin?: string
  draft: AppealDraft
  /** When the channel received it (default: now). */
  receivedAt?: Date
  /** Queue priority when not the channel's (a call handed over by 110/119/120/122: PRIORITY.emergency). */
  priority?: number
}

export interface SubmitResult {
  appeal: Appeal
  /** false when this delivery repeated an earlier one (same channel + external id). */
  created: boolean
}

export interface QueueStats {
  waiting: number
  active: number
  delayed: number
  failed: number
}

/** The one queue every channel writes to. */
export interface AppealQueue {
  /** Answers only once Redis holds both the appeal record and its queue entry. */
  submit(submission: Submission): Promise<SubmitResult>
  get(id: string): Promise<Appeal | undefined>
  getByNumber(appealNumber: string): Promise<Appeal | undefined>
  /** Appeals of one citizen across channels, newest first. */
  citizenAppeals(key: CitizenKey, limit?: number): Promise<Appeal[]>
  stats(): Promise<QueueStats>
  /**
   * Registers the post-intake step (matter linking, ACD entry) run once an appeal is queued. It must
   * be idempotent: after a crash the sweeper runs it again. Until it succeeds the appeal stays pending.
   */
  onQueued(hook: PostIntakeHook): void
}

export type PostIntakeHook = (appeal: Appeal) => Promise<void>

export type CitizenKey = { kind: 'phone'; value: string } | { kind: 'openid'; value: string }
