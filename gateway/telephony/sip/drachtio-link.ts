/**
 * The edge's connection to drachtio-server's admin port, with drachtio-srf. One Srf per connection:
 * on `close` or `error` the Srf is dropped and a new one connects after a capped backoff, its
 * handlers installed again by `setup`. Not drachtio-srf's own reconnect: it reconnects with a plain
 * TCP socket even when the first connection was TLS (wire-protocol.js, `net.connect`), so a TLS
 * edge would silently stop talking TLS. A silent stall (socket open, server not answering) is
 * noticed by drachtio-srf's pings: two unanswered in a row and the socket is cut, i.e. within two
 * ping intervals.
 */
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import Srf from 'drachtio-srf'
import { SIP_ERR_AUTH } from './errors.ts'

export interface DrachtioLinkOptions {
  host: string
  port: number
  secret: string
  tls: boolean
  tlsCaFile: string
  pingIntervalMs: number
  backoffInitialMs: number
  backoffMaxMs: number
  logger: Logger
  /** Installs the request handlers on a new Srf (before it connects). */
  setup: (srf: Srf) => void
}

export type LinkState = 'connecting' | 'connected' | 'down' | 'closed'

/** What drachtio-srf keeps per server socket (lib/drachtio-agent.js `_initServer`); read for the stall check. */
interface ServerEntry {
  pendingPingRequests: Set<string>
}

export class DrachtioLink {
  readonly #o: DrachtioLinkOptions
  #srf?: Srf
  #state: LinkState = 'down'
  #backoff: number
  #retry?: NodeJS.Timeout
  #stallTimer?: NodeJS.Timeout
  #hostport?: string
  #listeners = new Set<(state: LinkState) => void>()
  /** Resolves on the first successful connect. */
  readonly #firstConnect: { promise: Promise<string>; resolve: (hp: string) => void; reject: (e: Error) => void }

  constructor(opts: DrachtioLinkOptions) {
    this.#o = opts
    this.#backoff = opts.backoffInitialMs
    let resolve!: (hp: string) => void
    let reject!: (e: Error) => void
    const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)))
    promise.catch(() => undefined)
    this.#firstConnect = { promise, resolve, reject }
  }

  get state(): LinkState {
    return this.#state
  }

  /** drachtio-server's SIP address (`udp/127.0.0.1:5060`) once connected. */
  get hostport(): string | undefined {
    return this.#hostport
  }

  get srf(): Srf | undefined {
    return this.#state === 'connected' ? this.#srf : undefined
  }

  onState(fn: (state: LinkState) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /** Starts connecting; resolves when first connected, rejects on a refused secret. */
  start(): Promise<string> {
    this.#connect()
    return this.#firstConnect.promise
  }

  async close(): Promise<void> {
    this.#set('closed')
    clearTimeout(this.#retry)
    clearInterval(this.#stallTimer)
    this.#drop()
  }

  #connect(): void {
    if (this.#state === 'closed') return
    this.#set('connecting')
    const srf = new Srf()
    this.#srf = srf
    this.#o.setup(srf)
    let gone = false
    const lost = (why: string, err?: Error) => {
      if (gone || this.#srf !== srf) return
      gone = true
      clearTimeout(authTimer)
      this.#o.logger.warn({ why, err: err ? { message: err.message } : undefined, retryInMs: this.#backoff }, 'drachtio connection lost')
      this.#drop()
      this.#scheduleRetry()
    }
    // A server that takes the socket but never answers `authenticate` (stalled): try again.
    const authTimer = setTimeout(() => lost('no answer to authenticate'), this.#o.pingIntervalMs)
    authTimer.unref()
    srf.on('connect', (err: Error | null, hostport: string) => {
      clearTimeout(authTimer)
      if (err) {
        // The secret was refused: retrying with the same secret cannot help.
        this.#o.logger.error({ err: { message: err.message } }, 'drachtio-server refused the secret (DRACHTIO_SECRET)')
        this.#firstConnect.reject(new SIP_ERR_AUTH())
        gone = true
        this.#drop()
        this.#set('down')
        return
      }
      this.#backoff = this.#o.backoffInitialMs
      this.#hostport = hostport
      this.#set('connected')
      this.#o.logger.info({ hostport, tls: this.#o.tls }, 'connected to drachtio-server')
      this.#firstConnect.resolve(hostport)
      this.#watchStall(srf, () => lost('no answer to two pings'))
    })
    const on = srf.on.bind(srf) as (event: string, fn: (...args: never[]) => void) => void
    on('error', (err: Error) => lost('error', err))
    on('close', () => lost('close'))
    const tls = this.#o.tls ? { rejectUnauthorized: true, ...(this.#o.tlsCaFile ? { ca: readFileSync(this.#o.tlsCaFile) } : {}) } : undefined
    // reconnect.maxAttempts 1: drachtio-srf's own reconnect stays off (see the top of this file).
    ;(srf.connect as (o: Record<string, unknown>) => void)({
      host: this.#o.host,
      port: this.#o.port,
      secret: this.#o.secret,
      ...(tls ? { tls } : {}),
      enablePing: true,
      pingInterval: this.#o.pingIntervalMs,
      reconnect: { maxAttempts: 1 },
    })
    trackPings(srf)
  }

  /** Every ping interval: a ping still unanswered from the interval before means a stalled server. */
  #watchStall(srf: Srf, onStall: () => void): void {
    clearInterval(this.#stallTimer)
    this.#stallTimer = setInterval(() => {
      const entries = serverEntries(srf)
      if (entries.some((e) => e.pendingPingRequests.size >= 2)) onStall()
    }, this.#o.pingIntervalMs).unref()
  }

  #drop(): void {
    clearInterval(this.#stallTimer)
    const srf = this.#srf
    this.#srf = undefined
    if (!srf) return
    try {
      srf.removeAllListeners()
      ;(srf.on.bind(srf) as (event: string, fn: () => void) => void)('error', () => undefined)
      srf.disconnect()
    } catch {
      // already closed
    }
  }

  #scheduleRetry(): void {
    if (this.#state === 'closed') return
    this.#set('down')
    const delay = this.#backoff
    this.#backoff = Math.min(this.#o.backoffMaxMs, this.#backoff * 2)
    this.#retry = setTimeout(() => this.#connect(), delay)
    this.#retry.unref()
  }

  #set(state: LinkState): void {
    if (this.#state === state) return
    if (this.#state === 'closed') return
    this.#state = state
    for (const fn of this.#listeners) fn(state)
  }
}

interface AgentInternals {
  mapServer?: Map<unknown, ServerEntry>
  wp?: { on(event: 'ping', fn: (info: { msgId: string; socket: unknown }) => void): void }
  on(event: 'ping', info: { msgId: string; socket: unknown }): void
}

function agentOf(srf: Srf): AgentInternals | undefined {
  return (srf as unknown as { _app?: { client?: AgentInternals } })._app?.client
}

/**
 * drachtio-srf 5.0.29 sends its pings (wire-protocol `ping` events) but nothing records them as
 * outstanding: the agent's `on('ping', {msgId, socket})` that would is never called. Wire it, so
 * that `pendingPingRequests` holds the unanswered pings (each pong removes its own).
 */
function trackPings(srf: Srf): void {
  const agent = agentOf(srf)
  agent?.wp?.on('ping', (info) => agent.on('ping', info))
}

/** drachtio-srf's per-socket state (internal; drachtio-srf 5.0.x: srf._app.client.mapServer). */
function serverEntries(srf: Srf): ServerEntry[] {
  const client = agentOf(srf)
  return client?.mapServer ? [...client.mapServer.values()] : []
}
