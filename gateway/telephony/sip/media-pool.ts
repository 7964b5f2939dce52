/**
 * The FreeSWITCH servers the edge sends calls to, and which of them answer. Every
 * `optionsIntervalMs` each gets an OPTIONS (through drachtio-server); any answer below 500 within
 * `optionsTimeoutMs` is alive. `downAfterFailures` misses in a row: out of the pool (within 5 s with
 * the defaults, checked at startup); the first answer after that: back in. New calls go to the
 * server with the fewest calls from this edge.
 */
import type { Logger } from 'pino'
import type Srf from 'drachtio-srf'

export interface PoolServer {
  id: string
  uri: string
  up: boolean
  failures: number
  calls: number
}

export interface MediaPoolOptions {
  servers: readonly { id: string; uri: string }[]
  intervalMs: number
  timeoutMs: number
  downAfterFailures: number
  logger: Logger
  /** The Srf to send pings with (undefined while drachtio is not connected: nothing is pinged). */
  srf: () => Srf | undefined
}

export class MediaPool {
  readonly #o: MediaPoolOptions
  readonly #servers: PoolServer[]
  #timer?: NodeJS.Timeout
  #listeners = new Set<(s: PoolServer) => void>()

  constructor(opts: MediaPoolOptions) {
    this.#o = opts
    // Optimistic until the first ping says otherwise (the first round goes out at once).
    this.#servers = opts.servers.map((s) => ({ ...s, up: true, failures: 0, calls: 0 }))
  }

  start(): void {
    const round = () => void Promise.all(this.#servers.map((s) => this.#ping(s)))
    round()
    this.#timer = setInterval(round, this.#o.intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  onChange(fn: (s: PoolServer) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  view(): readonly PoolServer[] {
    return this.#servers
  }

  /** Healthy servers, fewest calls first (ties: config order). */
  candidates(): PoolServer[] {
    return this.#servers.filter((s) => s.up).sort((a, b) => a.calls - b.calls)
  }

  get(id: string): PoolServer | undefined {
    return this.#servers.find((s) => s.id === id)
  }

  async #ping(s: PoolServer): Promise<void> {
    const srf = this.#o.srf()
    if (!srf) return
    const alive = await optionsPing(srf, s.uri, this.#o.timeoutMs)
    if (alive) {
      s.failures = 0
      if (!s.up) this.#mark(s, true)
      return
    }
    s.failures += 1
    if (s.up && s.failures >= this.#o.downAfterFailures) this.#mark(s, false)
  }

  #mark(s: PoolServer, up: boolean): void {
    s.up = up
    this.#o.logger[up ? 'info' : 'warn']({ mediaServer: s.id, uri: s.uri }, up ? 'media server back in the SIP pool' : 'media server out of the SIP pool (no answer to OPTIONS)')
    for (const fn of this.#listeners) fn(s)
  }
}

/** An OPTIONS to `uri`; true when it is answered below 500 within `timeoutMs`. */
function optionsPing(srf: Srf, uri: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    const done = (ok: boolean) => {
      clearTimeout(timer)
      resolve(ok)
    }
    try {
      ;(srf.request as unknown as (uri: string, opts: object, cb: (err: Error | null, req: RequestSent) => void) => void)(
        uri,
        { method: 'OPTIONS', headers: { 'User-Agent': '12345-gateway-edge' } },
        (err, req) => {
          if (err) return done(false)
          req.on('response', (res) => done(res.status < 500))
        },
      )
    } catch {
      done(false)
    }
  })
}

interface RequestSent {
  on(event: 'response', fn: (res: { status: number }) => void): void
}
