/**
 * One FreeSWITCH of the pool: keeps an event-socket connection up. A dead socket (close, error, end,
 * or a health probe unanswered) is reconnected with capped exponential backoff; after a reconnect the
 * subscription is made again and the server is reconciled with `show channels as json`, so a call
 * that started or ended meanwhile is neither lost nor a ghost. A server that is not back within
 * `downAfterMs` is reported down (its calls are ended in the ACD by the call router).
 */
import type { Logger } from 'pino'
import type { LiveChannel, MediaEvent } from '../../domain/media.ts'
import { MEDIA_ERR_DISCONNECTED } from '../errors.ts'
import { EslConnection, type EslTarget, type EslTimeouts } from './esl-connection.ts'
import { parseChannels, toMediaEvent } from './event-map.ts'

/** Only what the gateway uses; never ALL (it would also carry every API event and log line). */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_PARK',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP_COMPLETE',
  'DTMF',
  'BACKGROUND_JOB',
  'HEARTBEAT',
] as const

export interface MediaServerOptions {
  target: EslTarget
  timeouts: EslTimeouts
  backoff: { initialMs: number; maxMs: number }
  health: { intervalMs: number; timeoutMs: number }
  /** Reported down when not connected again within this time. */
  downAfterMs: number
  logger: Logger
  emit: (e: MediaEvent) => void
}

export type ServerState = 'connecting' | 'up' | 'reconnecting' | 'down' | 'closed'

export class MediaServer {
  readonly id: string
  state: ServerState = 'connecting'
  readonly #o: MediaServerOptions
  readonly #log: Logger
  #conn?: EslConnection
  #retryTimer?: NodeJS.Timeout
  #downTimer?: NodeJS.Timeout
  #healthTimer?: NodeJS.Timeout
  #attempt = 0

  constructor(opts: MediaServerOptions) {
    this.#o = opts
    this.id = opts.target.id
    this.#log = opts.logger.child({ mediaServer: this.id })
  }

  /**
   * First connection. A wrong password rejects (startup stops with MEDIA_ERR_AUTH); an unreachable
   * server does not: the gateway starts, says so, and keeps trying (written channels still work).
   */
  async start(): Promise<void> {
    try {
      await this.#connect()
    } catch (err) {
      if ((err as { code?: string }).code === 'MEDIA_ERR_AUTH') throw err
      this.#log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'media server unreachable; retrying')
      this.#markDown()
      this.#scheduleRetry()
    }
    this.#healthTimer = setInterval(() => void this.#probe(), this.#o.health.intervalMs)
    this.#healthTimer.unref()
  }

  /** The live connection; MEDIA_ERR_DISCONNECTED when the server is not up. */
  conn(): EslConnection {
    if (this.state !== 'up' || !this.#conn || this.#conn.closed) throw new MEDIA_ERR_DISCONNECTED(this.id)
    return this.#conn
  }

  /** Cuts the connection as a network failure would (tests). */
  cut(): void {
    this.#conn?.destroy('cut')
  }

  async close(): Promise<void> {
    this.state = 'closed'
    clearTimeout(this.#retryTimer)
    clearTimeout(this.#downTimer)
    clearInterval(this.#healthTimer)
    this.#conn?.close()
  }

  async #connect(): Promise<void> {
    const conn = await EslConnection.connect(this.#o.target, this.#o.timeouts)
    if (this.state === 'closed') return conn.close()
    conn.onEvent((e) => {
      const m = toMediaEvent(this.id, e)
      if (m) this.#o.emit(m)
    })
    let live: LiveChannel[]
    try {
      await conn.subscribe(SUBSCRIBED_EVENTS)
      live = await this.#liveChannels(conn)
    } catch (err) {
      conn.close()
      throw err
    }
    this.#conn = conn
    conn.onClose((reason) => this.#onClose(conn, reason))
    const wasDown = this.state === 'down' || this.state === 'reconnecting'
    this.state = 'up'
    this.#attempt = 0
    clearTimeout(this.#downTimer)
    this.#downTimer = undefined
    this.#log.info({ live: live.length, reconnected: wasDown }, 'media server connected')
    this.#o.emit({ type: 'server-up', serverId: this.id, live })
  }

  async #liveChannels(conn: EslConnection): Promise<LiveChannel[]> {
    // `show channels` still lists a channel for a few tens of ms after its CHANNEL_HANGUP_COMPLETE
    // (seen on the real server); uuid_exists does not. The subscription is already made, so a
    // hang-up after this check arrives as an event.
    const listed = parseChannels(await conn.api('show channels as json'))
    const exists = await Promise.all(listed.map((r) => conn.api(`uuid_exists ${r.uuid}`).then((v) => v.trim() === 'true', () => false)))
    const rows = listed.filter((_, i) => exists[i])
    return rows.map((r) => ({
      callId: r.uuid,
      direction: r.direction === 'outbound' ? 'outbound' : 'inbound',
      dialed: r.dest,
      callerNumber: r.cid_num || undefined,
      application: r.application || undefined,
    }))
  }

  #onClose(conn: EslConnection, reason: string): void {
    if (conn !== this.#conn || this.state === 'closed') return
    this.#log.warn({ reason }, 'media server connection lost; reconnecting')
    this.state = 'reconnecting'
    this.#downTimer = setTimeout(() => this.#markDown(), this.#o.downAfterMs)
    this.#downTimer.unref()
    this.#scheduleRetry(0)
  }

  #markDown(): void {
    if (this.state === 'up' || this.state === 'closed' || this.state === 'down') return
    this.state = 'down'
    this.#log.error({ code: 'MEDIA_SERVER_DOWN' }, 'media server down')
    this.#o.emit({ type: 'server-down', serverId: this.id })
  }

  #scheduleRetry(delay?: number): void {
    if (this.state === 'closed') return
    const { initialMs, maxMs } = this.#o.backoff
    const ms = delay ?? Math.min(maxMs, initialMs * 2 ** this.#attempt++)
    clearTimeout(this.#retryTimer)
    this.#retryTimer = setTimeout(() => {
      this.#connect().catch((err) => {
        if (this.state === 'closed') return
        this.#log.debug({ err: { message: (err as Error).message } }, 'media server reconnect failed')
        this.#scheduleRetry()
      })
    }, ms)
    this.#retryTimer.unref()
  }

  /** A server that keeps the socket open but stops answering is as dead as a closed one. */
  async #probe(): Promise<void> {
    if (this.state !== 'up' || !this.#conn) return
    const conn = this.#conn
    const timer = setTimeout(() => conn.destroy('health probe unanswered'), this.#o.health.timeoutMs)
    try {
      await conn.api('status')
    } catch {
      // a refused probe still proves the server answers; a dead one is handled by the timer/close
    } finally {
      clearTimeout(timer)
    }
  }
}
