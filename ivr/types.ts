/**
 * The IVR's contract: flows are data (config/ivr/*.json), each step one small class with exec(ctx)
 * and stop(). The engine runs a flow's steps in order until a step ends the IVR part of the call
 * (enqueue, transfer, hangup, a recorded message) or jumps to another flow.
 */
import type { Logger } from 'pino'
import type { InboundCall, MediaControl } from '../gateway/domain/media.ts'

/** The hotline profile the call came in on (config/hotlines.json). */
export interface HotlineProfile {
  number: string
  name: string
  department: string
  skill: string
  status: 'main' | 'parallel' | 'cancelled'
  /** Prompt id of the short notice a cancelled number plays first (e.g. notice-12319). */
  noticePrompt?: string
}

/** What the call asks of the queue when it is enqueued (set by the `set` step). */
export interface QueueRequest {
  skill?: string
  priority?: number
  language?: string
}

/** How the IVR part of a call ended. */
export type FlowOutcome =
  | { kind: 'enqueue'; request: QueueRequest }
  | { kind: 'transferred'; target: string }
  | { kind: 'message'; recordingPath: string; request: QueueRequest }
  | { kind: 'hangup' }
  /** The caller hung up during the IVR. */
  | { kind: 'caller-gone' }

export interface IvrContext {
  call: InboundCall
  hotline: HotlineProfile
  media: MediaControl
  /** Resolves a prompt id to a media string (file path) the media server can play. */
  prompt(id: string): string
  /** Where a recorded message is written; the path never contains a phone number. */
  recordingPath(kind: 'message'): string
  /** Dial string for a number outside (carrier trunk), for `transfer`. */
  dialString(number: string): string
  /** Variables collected during the flow (digits ...). */
  vars: Record<string, string>
  queue: QueueRequest
  clock: () => Date
  /** The centre's time zone (IANA), for time-of-day branches. */
  timezone: string
  /** Holidays as YYYY-MM-DD in the centre's time zone. */
  holidays: ReadonlySet<string>
  log: Logger
  /** Aborted when the caller hangs up: the engine stops the running step and ends with `caller-gone`. */
  signal: AbortSignal
  /** The channel is answered; the engine and the `answer` step set it, the caller passes true if the dialplan answered. */
  answered: boolean
}

/** What a step returns: carry on, jump to another flow, or end the IVR part of the call. */
export type StepResult = { next: 'continue' } | { next: 'goto'; flow: string } | { next: 'end'; outcome: FlowOutcome }

export interface Step {
  /** Does the step need an answered channel (play, collect ...) or not (answer, transfer, set). */
  readonly needsAnswer: boolean
  exec(ctx: IvrContext): Promise<StepResult>
  /**
   * The caller hung up: stop waiting for media. exec should settle soon after; an `end` it still
   * returns is kept (a message recorded until the caller hung up is still a message).
   */
  stop(): void
}
