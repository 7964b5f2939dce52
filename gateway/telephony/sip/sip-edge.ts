/**
 * The SIP edge: every request drachtio-server receives comes here first.
 *   guard    scanner User-Agents -> 403; more than perSourceRequestsPerSecond from one address -> 503
 *   who      a media server of the pool (a call out), a trunk by its source addresses, or nobody -> 403
 *   INVITE   trunk -> FreeSWITCH: admission (maxCalls, callsPerSecond -> 503 Retry-After), the dialed
 *            number normalised, a B2BUA leg to the healthy server with the fewest calls, carrying
 *            X-Hotline / X-Trunk (and for a partner trunk X-Partner, X-Partner-Case, X-UUI,
 *            X-Call-Info: FreeSWITCH exposes X- headers as sip_h_X-* variables without
 *            parse-all-invite-headers; fixtures round 3b); a server that fails is skipped for the next
 *   INVITE   media server -> out: the trunk for the number dialed (a partner's number or the default
 *            carrier trunk), the centre's caller id, partner headers passed on (User-to-User, Call-Info,
 *            Geolocation; RFC 7433 / 7852 / 6442)
 *   OPTIONS  from a trunk: 200 (keep-alive); REGISTER: 403 for everyone (phones register to FreeSWITCH's
 *            agents profile, never through the edge: the answer says nothing about which users exist)
 * B2BUA, not proxy: a proxied call's ACK and BYE never reach the app (fixtures round 2: proxyRequest
 * gets `continue` then `done`), so the edge could not count a trunk's calls up, nor add headers to
 * the INVITE (the proxy command carries a stub). The B2BUA sees both legs end.
 */
import type { Logger } from 'pino'
import type Srf from 'drachtio-srf'
import type { SipConfig, TrunkConfig } from '../../../config/sip-schema.ts'
import { normalizeCallerNumber } from '../../../channels/voice/caller-number.ts'
import { maskPhone } from '../../domain/phone.ts'
import type { CallAdmission } from './call-admission.ts'
import type { MediaPool } from './media-pool.ts'
import type { RequestGuard } from './request-guard.ts'
import type { TrunkTable } from './trunk-table.ts'
import { normalizeDialed } from './dialed-number.ts'

/** What drachtio-srf hands a request handler (the parts the edge reads). */
export interface SipRequest {
  method: string
  uri: string
  body?: string
  source_address: string
  source_port: number
  callingNumber?: string
  calledNumber?: string
  get(name: string): string | undefined
  has(name: string): boolean
  on(event: 'cancel', fn: () => void): void
}
export interface SipResponse {
  send(status: number, opts?: { headers?: Record<string, string> }): void
  send(status: number, reason: string, opts?: { headers?: Record<string, string> }): void
}
interface Dialog {
  on(event: 'destroy', fn: () => void): void
  destroy(): void
}

/** Headers a partner sends that reach FreeSWITCH (and the console) as X- headers. */
const PARTNER_HEADERS: [string, string][] = [
  ['User-to-User', 'X-UUI'],
  ['Call-Info', 'X-Call-Info'],
  ['X-Partner-Case', 'X-Partner-Case'],
  ['Geolocation', 'X-Geolocation'],
]
/** Headers passed on, as they are, on calls out (FreeSWITCH's sip_h_* of the originate). */
const OUT_HEADERS = ['User-to-User', 'Call-Info', 'Geolocation', 'Geolocation-Routing', 'X-Case-Id', 'Content-Type']

export interface SipEdgeOptions {
  config: SipConfig
  centreNumber: string
  trunks: TrunkTable
  admission: CallAdmission
  guard: RequestGuard
  pool: MediaPool
  logger: Logger
}

export interface EdgeCounters {
  inbound: number
  outbound: number
  refused: Record<string, number>
}

export class SipEdge {
  readonly #o: SipEdgeOptions
  readonly counters: EdgeCounters = { inbound: 0, outbound: 0, refused: {} }

  constructor(opts: SipEdgeOptions) {
    this.#o = opts
  }

  /** Installs the handlers on a (new) Srf. */
  install(srf: Srf): void {
    srf.use((req, res, next) => void this.#screen(req as unknown as SipRequest, res as unknown as SipResponse, next as () => void))
    srf.invite((req, res) => void this.#invite(srf, req as unknown as SipRequest, res as unknown as SipResponse))
    ;(srf as unknown as { options(fn: (req: SipRequest, res: SipResponse) => void): void }).options((_req, res) => res.send(200))
    ;(srf as unknown as { register(fn: (req: SipRequest, res: SipResponse) => void): void }).register((_req, res) => this.#refuse(res, 403, 'register'))
  }

  /** Guard and source check for every request. */
  async #screen(req: SipRequest, res: SipResponse, next: () => void): Promise<void> {
    const verdict = await this.#o.guard.check(req.source_address, req.get('User-Agent'))
    if (verdict === 'scanner') return this.#refuse(res, 403, 'scanner', req)
    // Not logged one by one: a flood would flood the logs too (counted in `refused`).
    if (verdict === 'flood') return this.#refuse(res, 503, 'flood', undefined, { 'Retry-After': String(this.#o.config.retryAfterSeconds) })
    if (req.method === 'REGISTER') return next()
    if (this.#o.trunks.identify(req.source_address).kind === 'unknown') return this.#refuse(res, 403, 'unknown-source', req)
    next()
  }

  async #invite(srf: Srf, req: SipRequest, res: SipResponse): Promise<void> {
    const source = this.#o.trunks.identify(req.source_address)
    if (source.kind === 'media') return this.#out(srf, req, res, source.serverId)
    if (source.kind !== 'trunk') return this.#refuse(res, 403, 'unknown-source', req)
    return this.#in(srf, req, res, source.trunk)
  }

  /** A call from a trunk into FreeSWITCH. */
  async #in(srf: Srf, req: SipRequest, res: SipResponse, trunk: TrunkConfig): Promise<void> {
    const dialed = normalizeDialed(req.calledNumber ?? userOf(req.uri), trunk.areaCode)
    if (!dialed) return this.#refuse(res, 404, 'bad-number', req)
    const caller = normalizeCallerNumber(req.callingNumber, trunk.areaCode)
    const log = this.#o.logger.child({ trunk: trunk.id, hotline: dialed, caller: caller ? maskPhone(caller) : 'withheld' })
    const admitted = this.#o.admission.admit(trunk)
    if (!admitted.ok) {
      log.warn({ reason: admitted.reason }, 'trunk over its limit: 503')
      return this.#refuse(res, 503, admitted.reason, undefined, { 'Retry-After': String(this.#o.config.retryAfterSeconds) })
    }
    const headers: Record<string, string> = { 'X-Hotline': dialed, 'X-Trunk': trunk.id }
    if (trunk.kind === 'partner' && trunk.partner) {
      headers['X-Partner'] = trunk.partner
      for (const [name, as] of PARTNER_HEADERS) {
        const v = req.get(name)
        if (v) headers[as] = v.replace(/[\r\n]/g, ' ')
      }
    }
    let cancelled = false
    req.on('cancel', () => (cancelled = true))
    const tried = new Set<string>()
    for (;;) {
      const server = this.#o.pool.candidates().find((s) => !tried.has(s.id))
      if (!server || cancelled) {
        this.#o.admission.release(trunk)
        if (!cancelled) {
          log.error('no media server answers: 503')
          this.#refuse(res, 503, 'no-media-server', undefined, { 'Retry-After': String(this.#o.config.retryAfterSeconds) })
        }
        return
      }
      tried.add(server.id)
      const uri = `sip:${dialed}@${hostPort(server.uri)}`
      server.calls += 1
      try {
        const { uas, uac } = await srf.createB2BUA(req as never, res as never, uri, {
          headers,
          proxyRequestHeaders: ['Diversion', 'Privacy', 'P-Asserted-Identity'],
          passFailure: false,
        } as never)
        this.counters.inbound += 1
        log.info({ mediaServer: server.id }, 'call in through the edge')
        this.#untilEnd(uas as unknown as Dialog, uac as unknown as Dialog, () => {
          server.calls -= 1
          this.#o.admission.release(trunk)
        })
        return
      } catch (err) {
        server.calls -= 1
        const status = (err as { status?: number }).status
        if (cancelled || status === 487) {
          this.#o.admission.release(trunk)
          return
        }
        // The server did not take it (down, overloaded, gone): the next one; a real answer goes back.
        if (status !== undefined && status < 500 && status !== 408) {
          this.#o.admission.release(trunk)
          log.info({ mediaServer: server.id, status }, 'the media server refused the call')
          return this.#refuse(res, status, 'media-refused')
        }
        log.warn({ mediaServer: server.id, status, err: { message: (err as Error).message } }, 'media server failed the call; trying the next')
      }
    }
  }

  /** A call from FreeSWITCH out through a trunk (call-backs, transfers to numbers, partners). */
  async #out(srf: Srf, req: SipRequest, res: SipResponse, serverId: string): Promise<void> {
    const number = normalizeDialed(req.calledNumber ?? userOf(req.uri), '')
    const trunk = number ? this.#o.trunks.outbound(number) : undefined
    if (!number || !trunk) return this.#refuse(res, 404, 'no-trunk-out', req)
    const log = this.#o.logger.child({ trunk: trunk.id, mediaServer: serverId, to: maskPhone(number) })
    const admitted = this.#o.admission.admit(trunk)
    if (!admitted.ok) {
      log.warn({ reason: admitted.reason }, 'trunk over its limit for a call out: 503')
      return this.#refuse(res, 503, admitted.reason, undefined, { 'Retry-After': String(this.#o.config.retryAfterSeconds) })
    }
    const target = /^sips?:[^@]+@/.test(trunk.target) ? trunk.target : `sip:${number}@${trunk.target.replace(/^sips?:/, '')}`
    try {
      const { uas, uac } = await srf.createB2BUA(req as never, res as never, target, {
        callingNumber: this.#o.centreNumber,
        proxyRequestHeaders: OUT_HEADERS,
      } as never)
      this.counters.outbound += 1
      log.info('call out through the edge')
      this.#untilEnd(uas as unknown as Dialog, uac as unknown as Dialog, () => this.#o.admission.release(trunk))
    } catch (err) {
      this.#o.admission.release(trunk)
      log.info({ status: (err as { status?: number }).status }, 'call out not answered')
    }
  }

  /** Either leg's end ends the other (drachtio-srf's B2BUA does) and frees the slot once. */
  #untilEnd(uas: Dialog, uac: Dialog, release: () => void): void {
    let done = false
    const end = () => {
      if (done) return
      done = true
      release()
    }
    uas.on('destroy', () => (end(), uac.destroy()))
    uac.on('destroy', () => (end(), uas.destroy()))
  }

  #refuse(res: SipResponse, status: number, why: string, req?: SipRequest, headers?: Record<string, string>): void {
    this.counters.refused[why] = (this.counters.refused[why] ?? 0) + 1
    if (req) this.#o.logger.info({ why, status, source: req.source_address, method: req.method }, 'request refused')
    res.send(status, headers ? { headers } : undefined)
  }
}

function userOf(uri: string): string | undefined {
  return /^sips?:([^@;]+)@/.exec(uri)?.[1]
}

/** host:port of a SIP URI without user or params. */
function hostPort(uri: string): string {
  return uri.replace(/^sips?:/, '').replace(/^[^@]*@/, '').replace(/[;?].*$/, '')
}
