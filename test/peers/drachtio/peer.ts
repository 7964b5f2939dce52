// A TCP server that speaks drachtio-server's admin protocol to drachtio-srf as the recorded
// drachtio-server v0.9.10 does (see README.md). Tests start it with startDrachtioPeer(), connect a real
// Srf to peer.port, inject SIP requests from "the network" and answer the app's own requests.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net'
import type { PeerContext } from './context.ts'
import { type Answer, type FarEndRequest, type RequestHandler, defaultAnswer } from './far-end.ts'
import { leader } from './frames.ts'
import { type AdminMessage, FrameReader, parseAdmin } from './framing.ts'
import { onAppRequest } from './from-app.ts'
import { type InDialogOptions, type InjectOptions, fromNetwork, onAppResponse, otherSideRequest } from './from-network.ts'
import { onProxy } from './proxy.ts'
import { type SipText, tagOf } from './sip.ts'
import { Conn, PeerState, parseSource } from './state.ts'

export interface DrachtioPeerOptions {
  /** the shared secret (`cymru` in the transcripts) */
  secret?: string
  /** admin listen address and port (0 = any free port) */
  host?: string
  port?: number
  /** drachtio's own SIP address, reported at authentication and used in what it sends (`udp/127.0.0.1:5060`) */
  sip?: string
  /** the version string at authentication (`v0.9.10-1-g9c2dd4cb6a`; round 3 had `v0.9.10`) */
  version?: string
}

export interface Direction { dir: 'in' | 'out', msg: AdminMessage }

export class DrachtioPeer extends EventEmitter {
  host: string
  port: number
  /** every admin message, both directions, in order (`in` = from the app) */
  readonly log: Direction[] = []
  private server?: Server
  private readonly conns = new Set<Conn>()
  private readonly state = new PeerState()
  private handler?: RequestHandler
  private readonly ctx: PeerContext
  private readonly secret: string
  private readonly version: string

  constructor (opts: DrachtioPeerOptions = {}) {
    super()
    this.secret = opts.secret ?? 'cymru'
    this.version = opts.version ?? 'v0.9.10-1-g9c2dd4cb6a'
    this.host = opts.host ?? '127.0.0.1'
    this.port = opts.port ?? 0
    const sip = parseSource(opts.sip ?? 'udp/127.0.0.1:5060')
    this.ctx = {
      state: this.state,
      sip,
      appFor: method => [...this.conns].find(c => c.authenticated && !c.sock.destroyed && c.routes.has(method.toLowerCase())),
      answer: req => this.answer(req),
      log: line => this.emit('note', line)
    }
  }

  /** `udp/127.0.0.1:5060`: what drachtio reports at authentication (drachtio-srf's `connect` hostport) */
  get hostport (): string { return `${this.ctx.sip.transport}/${this.ctx.sip.address}:${this.ctx.sip.port}` }

  async listen (): Promise<void> {
    const server = createServer(sock => this.accept(sock))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, this.host, () => { server.off('error', reject); resolve() })
    })
    this.server = server
    this.port = (server.address() as AddressInfo).port
  }

  // ---- test controls -------------------------------------------------------------------------------

  /** A SIP request arrives from the network; resolves with the app's final response as sent (undefined for ACK). */
  inject (sipRequest: string, opts: InjectOptions = {}): Promise<SipText | undefined> { return fromNetwork(this.ctx, sipRequest, opts) }

  /**
   * The other side of a dialog sends `method` in it (ACK, BYE, REFER, ...): the caller of a call the app
   * answered or proxied, or the far end of the app's INVITE. `ref` is a dialog id or a response of that
   * dialog (e.g. what inject() resolved with).
   */
  inDialog (ref: string | SipText, method: string, opts: InDialogOptions = {}): Promise<SipText | undefined> {
    const dialog = typeof ref === 'string' ? this.state.dialogs.get(ref) : this.state.dialogFor(ref.get('Call-ID') ?? '', tagOf(ref.get('From')), tagOf(ref.get('To')))
    if (!dialog) return Promise.reject(new Error(`no dialog ${typeof ref === 'string' ? ref : ref.get('Call-ID')}`))
    const { text, source } = otherSideRequest(dialog, method, opts)
    return this.inject(text, { source })
  }

  /** How the far end answers the app's requests (and proxied ones); undefined from the handler = the default (200; INVITE: 180 + 200 with SDP). */
  onRequest (handler?: RequestHandler): void { this.handler = handler }

  /** The dialogs drachtio holds (ids as on the wire). */
  dialogIds (): string[] { return [...this.state.dialogs.keys()] }

  /** Authenticated app connections. */
  connections (): number { return [...this.conns].filter(c => c.authenticated && !c.sock.destroyed).length }

  /** Resolves with the first admin message (already logged or still to come) that matches. */
  waitFor (match: RegExp | ((d: Direction) => boolean), timeoutMs = 3000): Promise<AdminMessage> {
    const test = typeof match === 'function' ? match : (d: Direction) => match.test(d.msg.payload)
    const hit = this.log.find(test)
    if (hit) return Promise.resolve(hit.msg)
    return new Promise((resolve, reject) => {
      const on = (d: Direction) => { if (test(d)) { clearTimeout(timer); this.off('message', on); resolve(d.msg) } }
      const timer = setTimeout(() => { this.off('message', on); reject(new Error(`no admin message matching ${match} within ${timeoutMs} ms`)) }, timeoutMs)
      this.on('message', on)
    })
  }

  /** drachtio-server dies: every app socket is dropped, nothing listens, calls and transactions are lost. */
  kill (): void {
    this.server?.close()
    this.server = undefined
    for (const c of this.conns) c.sock.destroy()
    this.conns.clear()
    this.state.clear()
  }

  /** drachtio-server comes back on the same admin port (with no calls). */
  async restart (): Promise<void> {
    if (this.server) this.kill()
    await this.listen()
  }

  async close (): Promise<void> {
    const server = this.server
    this.kill()
    if (server) await new Promise<void>(resolve => server.close(() => resolve()))
  }

  // ---- the admin socket ----------------------------------------------------------------------------

  private async answer (req: FarEndRequest): Promise<Answer> {
    return (await this.handler?.(req)) ?? defaultAnswer(req)
  }

  private record (dir: 'in' | 'out', payload: string): void {
    const d: Direction = { dir, msg: parseAdmin(payload) }
    this.log.push(d)
    this.emit('message', d)
  }

  private accept (sock: Socket): void {
    sock.setNoDelay(true)
    const conn = new Conn(sock, payload => this.record('out', payload))
    this.conns.add(conn)
    const reader = new FrameReader()
    sock.on('data', (chunk: Buffer) => {
      let payloads: string[]
      try { payloads = reader.push(chunk) } catch (err) { this.emit('note', String(err)); sock.destroy(); return }
      for (const p of payloads) {
        this.record('in', p)
        try { this.dispatch(conn, parseAdmin(p)) } catch (err) { this.emit('note', `failed handling ${p.split('\r\n')[0]}: ${(err as Error).stack}`) }
      }
    })
    sock.on('error', () => {})
    sock.on('close', () => this.conns.delete(conn))
  }

  private dispatch (conn: Conn, m: AdminMessage): void {
    const id = randomUUID()
    if (m.type === 'authenticate') {
      if (m.args[0] === this.secret) {
        conn.authenticated = true
        conn.send(leader('auth-ok', { id, reqId: m.id, hostport: this.hostport, version: this.version, localHostports: this.hostport }))
      } else {
        // drachtio-srf-b2bua-9022 conn 1: the refusal, then drachtio closes the socket at once
        conn.send(leader('auth-refused', { id, reqId: m.id }))
        conn.sock.end()
      }
      return
    }
    if (!conn.authenticated) { this.emit('note', `${m.type} before authenticate ignored (not recorded)`); return }
    switch (m.type) {
      case 'route':
        conn.routes.add(m.args[0].toLowerCase())
        conn.send(leader('route-ok', { id, reqId: m.id }))
        return
      case 'remove_route':
        conn.routes.delete(m.args[0].toLowerCase())
        return
      case 'ping':
        conn.send(leader('pong', { id, reqId: m.id }))
        return
      case 'sip':
        if ((m.sip ?? '').startsWith('SIP/')) onAppResponse(this.ctx, conn, m)
        else onAppRequest(this.ctx, conn, m)
        return
      case 'proxy':
        void onProxy(this.ctx, conn, m).catch(err => this.emit('note', `proxy failed: ${(err as Error).stack}`))
        return
      default:
        this.emit('note', `unhandled admin message ${m.type}`)
    }
  }
}

export async function startDrachtioPeer (opts: DrachtioPeerOptions = {}): Promise<DrachtioPeer> {
  const peer = new DrachtioPeer(opts)
  await peer.listen()
  return peer
}

export type { Answer, FarEndRequest, RequestHandler } from './far-end.ts'
export type { SipText } from './sip.ts'
