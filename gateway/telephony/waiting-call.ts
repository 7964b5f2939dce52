/**
 * A caller waiting for an agent: hold music (a local stream), every N seconds the position and the
 * estimated wait spoken over it (phrase macros of the zh language: 您前面还有N位 / 预计等待约N分钟),
 * after M seconds the call-back offer (按1键), and a maximum wait.
 */
import type { Logger } from 'pino'
import type { VoiceConfig } from '../../config/voice-schema.ts'
import type { MediaControl } from '../domain/media.ts'
import type { Position } from '../acd/types.ts'

export interface WaitingCallOptions {
  media: MediaControl
  serverId: string
  callId: string
  appealId: string
  waiting: VoiceConfig['waiting']
  /** The caller has a number to call back. */
  canCallBack: boolean
  position: (appealId: string) => Promise<Position | undefined>
  prompt: (id: string) => string
  log: Logger
  onCallbackChosen: () => void
  onMaxWait: () => void
}

export class WaitingCall {
  readonly #o: WaitingCallOptions
  readonly #timers = new Set<NodeJS.Timeout>()
  #callbackOffered = false
  #stopped = false

  constructor(opts: WaitingCallOptions) {
    this.#o = opts
  }

  async start(): Promise<void> {
    const { waiting } = this.#o
    // A failed start (the socket went away) is retried by restartMusic() after the reconnect.
    await this.#guard(() => this.#o.media.play(this.#o.serverId, this.#o.callId, waiting.music, { wait: false }))
    if (waiting.announceEverySeconds > 0) this.#every(waiting.announceEverySeconds, () => this.#announce())
    if (waiting.callbackOfferAfterSeconds > 0 && this.#o.canCallBack) {
      this.#after(waiting.callbackOfferAfterSeconds, () => this.#offerCallback())
    }
    if (waiting.maxWaitSeconds > 0) this.#after(waiting.maxWaitSeconds, () => this.#o.onMaxWait())
  }

  /** After the event socket came back: the music may have failed to start while it was away. */
  async restartMusic(): Promise<void> {
    if (this.#stopped) return
    await this.#o.media.stopMedia(this.#o.serverId, this.#o.callId)
    await this.#o.media.play(this.#o.serverId, this.#o.callId, this.#o.waiting.music, { wait: false })
  }

  /** DTMF while waiting: 1 after the call-back offer keeps the place and ends the call. */
  onDigit(digit: string): void {
    if (this.#stopped || !this.#callbackOffered || digit !== '1') return
    this.#o.onCallbackChosen()
  }

  /** Stops the timers; `silence` also stops the music (before a bridge). */
  async stop(silence: boolean): Promise<void> {
    this.#stopped = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    if (silence) await this.#o.media.stopMedia(this.#o.serverId, this.#o.callId)
  }

  async #announce(): Promise<void> {
    const p = await this.#o.position(this.#o.appealId)
    if (!p || this.#stopped) return
    await this.#broadcast(`phrase:queue_position:${p.position}`)
    const minutes = Math.max(1, Math.round(p.estimatedWaitSeconds / 60))
    await this.#broadcast(`phrase:wait_minutes:${minutes}`)
  }

  async #offerCallback(): Promise<void> {
    this.#callbackOffered = true
    await this.#broadcast(this.#o.prompt('callback_offer'))
  }

  async #broadcast(media: string): Promise<void> {
    if (this.#stopped) return
    await this.#o.media.broadcast(this.#o.serverId, this.#o.callId, media)
  }

  #every(seconds: number, fn: () => Promise<void>): void {
    const tick = () => {
      if (this.#stopped) return
      this.#guard(fn).finally(() => {
        if (!this.#stopped) this.#after(seconds, tick)
      })
    }
    this.#after(seconds, tick)
  }

  #after(seconds: number, fn: () => unknown): void {
    const t = setTimeout(() => {
      this.#timers.delete(t)
      if (!this.#stopped) void this.#guard(async () => fn())
    }, seconds * 1000).unref()
    this.#timers.add(t)
  }

  async #guard(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      this.#o.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'waiting announcement failed')
    }
  }
}
