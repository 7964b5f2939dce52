/**
 * A SIP-over-WebSocket peer that stands in for FreeSWITCH's `ws-binding` in front of a browser
 * softphone (JsSIP). Every frame it sends is a recorded FreeSWITCH frame of the round 3a transcripts
 * (frames/ws3.json, copied by tools/extract-frames.ts), with only the values of this dialog put in:
 * Via/From/To/Call-ID/CSeq, tags, branch, nonce, the browser's contact and port, Date,
 * Content-Length, the SDP origin version. Headers keep the recorded order and spelling.
 *
 * What it reproduces (ws3-webrtc-call.txt unless said):
 * - the upgrade: subprotocol `sip`, no extension (ws answers as FreeSWITCH did: no permessage-deflate);
 * - REGISTER: 401 Digest challenge (frame 2), then 200 with `Contact: <...>;expires=N` (frame 4) when
 *   the digest matches the agent's password, else 403 Forbidden (ws3-webrtc-badpass.txt frame 4);
 *   REGISTER Expires: 0 likewise 401 (frame 37) then 200 without Contact (frame 39); a closed socket
 *   drops the registration at once (`socket-disconnection`, ws3-webrtc-closedpage.txt);
 * - an INVITE to the registered browser with the recorded WebRTC offer (frame 5: Route to the
 *   browser's port with `;transport=ws` outside the brackets, Session-Expires 120;refresher=uac),
 *   ACK of its 200 (frame 9), ACK of a non-2xx final answer (ws3-webrtc-failures.txt frame 9);
 * - in-dialog requests from the browser: INFO -> 200 (frame 11); re-INVITE -> 100 (frame 15) then 200
 *   with a=recvonly to an a=sendonly offer (frame 16) or without a direction otherwise (frame 20);
 *   BYE -> 200 (frame 35);
 * - FreeSWITCH's own re-INVITEs: uuid_hold (frame 22), uuid_hold off (frame 26), session-timer
 *   refresh (frame 30), each ACKed (frame 25); BYE to the browser (ws3-webrtc-failures.txt frame 25,
 *   Reason as given, default NORMAL_CLEARING as FreeSWITCH writes it in the *.sipmsg.txt captures).
 *
 * It carries no media: the SDP candidates point at the recorded 127.0.0.1:20434 where nothing
 * listens, so ICE never completes; tests assert on signalling only. Its close reply echoes the
 * browser's close code (ws's behaviour) where FreeSWITCH answered 1000.
 *
 * Messages are parsed with JsSIP's own parser (jssip/lib/Parser.js); the only text handling here is
 * splitting a recorded frame into start line, headers and body, and the Digest parameters.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'

const require = createRequire(import.meta.url)
const Parser = require('jssip/lib/Parser.js') as { parseMessage(data: string, ua: unknown): Parsed | undefined }

/** What JsSIP's parser gives (IncomingRequest / IncomingResponse), the fields used here. */
export interface Parsed {
  method: string
  status_code?: number
  ruri?: { toString(): string }
  call_id: string
  cseq: number
  from_tag: string
  to_tag?: string
  body?: string
  getHeader(name: string): string | undefined
  parseHeader(name: string): { uri: { toString(): string; user: string } } | undefined
}

/** One message on the wire, as the tests see it. */
export interface WireMessage {
  dir: 'in' | 'out'
  text: string
  msg: Parsed
  /** the request's method, or the CSeq method of a response */
  method: string
  status?: number
}

interface Frame {
  start: string
  headers: [string, string][]
  body: string
}

const FRAMES = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'frames', 'ws3.json'), 'utf8')) as {
  frames: Record<string, { text: string }>
}).frames

function frame(name: string): Frame {
  const text = FRAMES[name]?.text
  if (text === undefined) throw new Error(`no recorded frame ${name}`)
  const split = text.indexOf('\r\n\r\n')
  const [start, ...lines] = text.slice(0, split).split('\r\n')
  return { start, headers: lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]), body: text.slice(split + 4) }
}

/** The recorded frame with these header values (undefined: header removed) and body. */
function render(name: string, set: Record<string, string | undefined>, opts: { start?: string; body?: string } = {}): string {
  const f = frame(name)
  const body = opts.body ?? f.body
  const lower = Object.fromEntries(Object.entries(set).map(([k, v]) => [k.toLowerCase(), v]))
  const lines = [opts.start ?? f.start]
  for (const [k, v] of f.headers) {
    const key = k.toLowerCase()
    const value = key === 'content-length' ? String(Buffer.byteLength(body)) : key in lower ? lower[key] : v
    if (value !== undefined) lines.push(`${k}: ${value}`)
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** FreeSWITCH's tags and branches look like this: 13 letters/digits. */
const token = (n = 13) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('')
const md5 = (s: string) => createHash('md5').update(s).digest('hex')
const uriOf = (nameAddr: string) => /<([^>]+)>/.exec(nameAddr)?.[1] ?? nameAddr

/** The Digest parameters of an Authorization header (RFC 2617: name=value or name="value"). */
export function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of header.replace(/^\s*Digest\s+/i, '').matchAll(/([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) {
    out[m[1].toLowerCase()] = m[2] ?? m[3]
  }
  return out
}

/** The response a client with this password computes (MD5, qop=auth or none). */
export function digestResponse(p: Record<string, string>, method: string, password: string): string {
  const ha1 = md5(`${p.username}:${p.realm}:${password}`)
  const ha2 = md5(`${method}:${p.uri}`)
  return p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`)
}

export interface Registration {
  user: string
  /** The browser's Contact URI, e.g. sip:drr43v2s@a79433nvtk1v.invalid;transport=ws */
  contact: string
  ws: WebSocket
  remotePort: number
  expires: number
}

export interface PeerOptions {
  /** Directory domain = digest realm. */
  domain: string
  /** The password the directory holds for a user (undefined: unknown user). */
  passwordOf: (user: string) => string | undefined
}

/** One call from the peer ("FreeSWITCH") to a registered browser. */
export class PeerCall {
  readonly callId = randomUUID()
  readonly fromTag = token()
  cseq = randomInt(100_000_000, 999_999_999)
  /** the browser's tag and Contact, from its 200 */
  remoteTag?: string
  remoteContact?: string
  #sdpVersion = 1796206310

  constructor(
    readonly peer: SipWsPeer,
    readonly reg: Registration,
    readonly caller: string,
  ) {}

  get from(): string {
    return `<sip:${this.caller}@${this.peer.domain}>;tag=${this.fromTag}`
  }

  get to(): string {
    return `<${this.reg.contact}>${this.remoteTag ? `;tag=${this.remoteTag}` : ''}`
  }

  /** The recorded SDP with this call's origin version. */
  sdp(name: string, bump = true): string {
    if (bump) this.#sdpVersion++
    return frame(name).body.replace(/^o=FreeSWITCH (\d+) \d+ /m, `o=FreeSWITCH $1 ${this.#sdpVersion} `)
  }

  invite(): void {
    this.peer.send(this.reg.ws, render('invite', {
      Via: `SIP/2.0/WS ${this.peer.hostport};branch=z9hG4bK${token()}`,
      Route: `<sip:${this.contactUser}@127.0.0.1:${this.reg.remotePort}>;transport=ws`,
      From: this.from,
      To: this.to,
      'Call-ID': this.callId,
      CSeq: `${this.cseq} INVITE`,
      'Remote-Party-ID': `<sip:${this.caller}@${this.peer.domain}>;party=calling;screen=yes;privacy=off`,
    }, { start: `INVITE ${this.reg.contact} SIP/2.0`, body: this.sdp('invite', false) }))
  }

  /** The browser's final answer to our INVITE (200 with SDP, or a rejection, which is ACKed too). */
  answered(timeoutMs = 10_000): Promise<WireMessage> {
    return this.peer.waitFor((m) => m.dir === 'in' && m.msg.call_id === this.callId && m.method === 'INVITE' && (m.status ?? 0) >= 200, timeoutMs)
  }

  /** uuid_hold (a=sendonly), uuid_hold off, or the session-timer refresh: a re-INVITE from "FreeSWITCH". */
  reinvite(kind: 'fs-hold' | 'fs-unhold' | 'fs-refresh'): void {
    this.cseq++
    this.peer.send(this.reg.ws, render(kind, this.#inDialog('INVITE'), { start: `INVITE ${this.remoteContact} SIP/2.0`, body: this.sdp(kind, kind !== 'fs-refresh') }))
  }

  /** BYE to the browser; the Reason is FreeSWITCH's own text for the cause. */
  bye(reason = 'Q.850;cause=16;text="NORMAL_CLEARING"'): void {
    this.cseq++
    this.peer.send(this.reg.ws, render('fs-bye', { ...this.#inDialog('BYE'), Reason: reason }, { start: `BYE ${this.remoteContact} SIP/2.0` }))
  }

  #inDialog(method: string): Record<string, string> {
    return {
      Via: `SIP/2.0/WS ${this.peer.hostport};branch=z9hG4bK${token()}`,
      From: this.from,
      To: this.to,
      'Call-ID': this.callId,
      CSeq: `${this.cseq} ${method}`,
      'Remote-Party-ID': `<sip:${this.caller}@${this.peer.domain}>;party=calling;screen=yes;privacy=off`,
    }
  }

  /** Called by the peer with the browser's responses to our requests. */
  onResponse(m: WireMessage): void {
    const status = m.status ?? 0
    if (m.method !== 'INVITE' || status < 200) return
    if (status < 300) {
      this.remoteTag = m.msg.to_tag
      this.remoteContact = m.msg.parseHeader('contact')?.uri.toString() ?? this.reg.contact
      // Frames 9 and 25 (ACK of the first 200 and of a re-INVITE's 200) have the same headers.
      this.peer.send(this.reg.ws, render('ack', {
        Via: `SIP/2.0/WS ${this.peer.hostport};branch=z9hG4bK${token()}`,
        From: this.from,
        To: this.to,
        'Call-ID': this.callId,
        CSeq: `${m.msg.cseq} ACK`,
      }, { start: `ACK ${this.remoteContact} SIP/2.0` }))
    } else {
      // A rejection (480 without a microphone, 486 ...) is ACKed hop by hop on the INVITE's branch.
      this.peer.send(this.reg.ws, render('ack-failure', {
        Via: m.msg.getHeader('via'),
        Route: `<sip:${this.contactUser}@127.0.0.1:${this.reg.remotePort}>;transport=ws`,
        From: this.from,
        To: m.msg.getHeader('to'),
        'Call-ID': this.callId,
        CSeq: `${m.msg.cseq} ACK`,
      }, { start: `ACK ${this.reg.contact} SIP/2.0` }))
    }
  }

  get contactUser(): string {
    return /^sip:([^@]+)@/.exec(this.reg.contact)?.[1] ?? ''
  }
}

export class SipWsPeer extends EventEmitter {
  readonly log: WireMessage[] = []
  readonly registrations = new Map<string, Registration>()
  readonly calls = new Map<string, PeerCall>()
  readonly #nonces = new Set<string>()
  readonly #server: WebSocketServer
  readonly domain: string
  readonly #passwordOf: PeerOptions['passwordOf']
  hostport = ''

  private constructor(server: WebSocketServer, opts: PeerOptions) {
    super()
    this.#server = server
    this.domain = opts.domain
    this.#passwordOf = opts.passwordOf
  }

  static async start(opts: PeerOptions): Promise<SipWsPeer> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    })
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
    const peer = new SipWsPeer(server, opts)
    peer.hostport = `127.0.0.1:${(server.address() as AddressInfo).port}`
    server.on('connection', (ws, req) => peer.#accept(ws, req.socket.remotePort ?? 0))
    return peer
  }

  get url(): string {
    return `ws://${this.hostport}`
  }

  close(): Promise<void> {
    for (const ws of this.#server.clients) ws.terminate()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  /** Drops every websocket at once, without a close frame (a FreeSWITCH restart, a network cut). */
  dropConnections(): void {
    for (const ws of this.#server.clients) ws.terminate()
  }

  /** Resolves with the first logged message (already seen or still to come) that matches. */
  waitFor(pred: (m: WireMessage) => boolean, timeoutMs = 10_000): Promise<WireMessage> {
    const hit = this.log.find(pred)
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const onMessage = (m: WireMessage) => {
        if (!pred(m)) return
        clearTimeout(timer)
        this.off('message', onMessage)
        resolve(m)
      }
      const timer = setTimeout(() => {
        this.off('message', onMessage)
        reject(new Error(`sip-ws peer: no matching message within ${timeoutMs} ms`))
      }, timeoutMs)
      this.on('message', onMessage)
    })
  }

  /** Resolves when `user` is registered (now or later). */
  registered(user: string, timeoutMs = 10_000): Promise<Registration> {
    const reg = this.registrations.get(user)
    if (reg) return Promise.resolve(reg)
    return new Promise((resolve, reject) => {
      const on = (r: Registration) => {
        if (r.user !== user) return
        clearTimeout(timer)
        this.off('registered', on)
        resolve(r)
      }
      const timer = setTimeout(() => {
        this.off('registered', on)
        reject(new Error(`sip-ws peer: ${user} did not register within ${timeoutMs} ms`))
      }, timeoutMs)
      this.on('registered', on)
    })
  }

  /** Sends an INVITE (originate user/<id>) to the registered browser. */
  call(user: string, caller = '12345'): PeerCall {
    const reg = this.registrations.get(user)
    if (!reg) throw new Error(`sip-ws peer: ${user} is not registered (USER_NOT_REGISTERED)`)
    const call = new PeerCall(this, reg, caller)
    this.calls.set(call.callId, call)
    call.invite()
    return call
  }

  send(ws: WebSocket, text: string): void {
    this.#record('out', text)
    ws.send(text)
  }

  #record(dir: 'in' | 'out', text: string): WireMessage | undefined {
    const msg = Parser.parseMessage(text, {})
    if (!msg) return undefined
    const method = msg.method ?? /^\d+\s+(\w+)/.exec(msg.getHeader('cseq') ?? '')?.[1] ?? ''
    const m: WireMessage = { dir, text, msg, method, ...(msg.status_code ? { status: msg.status_code } : {}) }
    this.log.push(m)
    this.emit('message', m)
    return m
  }

  #accept(ws: WebSocket, remotePort: number): void {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const m = this.#record('in', data.toString())
      if (!m) return
      if (m.status) this.calls.get(m.msg.call_id)?.onResponse(m)
      else this.#onRequest(ws, remotePort, m)
    })
    ws.on('close', () => {
      for (const [user, reg] of this.registrations) {
        if (reg.ws !== ws) continue
        this.registrations.delete(user)
        this.emit('unregistered', { user, reason: 'socket-disconnection' })
      }
    })
  }

  /** The recorded answer's dialog headers for a request from the browser. */
  #reply(req: WireMessage, remotePort: number, toTag?: string): Record<string, string> {
    const to = req.msg.getHeader('to') ?? ''
    return {
      Via: `${req.msg.getHeader('via')};received=127.0.0.1;rport=${remotePort}`,
      From: req.msg.getHeader('from') ?? '',
      To: req.msg.to_tag || !toTag ? to : `${to};tag=${toTag}`,
      'Call-ID': req.msg.call_id,
      CSeq: req.msg.getHeader('cseq') ?? '',
    }
  }

  #onRequest(ws: WebSocket, remotePort: number, req: WireMessage): void {
    const call = this.calls.get(req.msg.call_id)
    switch (req.method) {
      case 'REGISTER':
        return this.#onRegister(ws, remotePort, req)
      case 'INFO':
        return this.send(ws, render('info-200', this.#reply(req, remotePort)))
      case 'INVITE': {
        this.send(ws, render('reinvite-100', this.#reply(req, remotePort)))
        const hold = /^a=sendonly\r?$/m.test(req.msg.body ?? '')
        const name = hold ? 'reinvite-hold-200' : 'reinvite-unhold-200'
        return this.send(ws, render(name, this.#reply(req, remotePort), { body: call ? call.sdp(name) : frame(name).body }))
      }
      case 'BYE':
        this.send(ws, render('bye-200', this.#reply(req, remotePort)))
        if (call) this.calls.delete(call.callId)
        return
      default:
        // ACK: nothing to answer. Anything else was not recorded.
        return
    }
  }

  #onRegister(ws: WebSocket, remotePort: number, req: WireMessage): void {
    const user = req.msg.parseHeader('to')?.uri.user ?? ''
    const contactHeader = req.msg.getHeader('contact') ?? ''
    const expiresParam = /;expires=(\d+)/.exec(contactHeader.replace(/<[^>]*>/, ''))?.[1]
    const expires = Number(expiresParam ?? req.msg.getHeader('expires') ?? 600)
    const auth = req.msg.getHeader('authorization')
    const tag = token()
    if (!auth || !this.#nonces.has(digestParams(auth).nonce)) {
      const nonce = randomUUID()
      this.#nonces.add(nonce)
      return this.send(ws, render(expires === 0 ? 'unregister-401' : 'register-401', {
        ...this.#reply(req, remotePort, tag),
        'WWW-Authenticate': `Digest realm="${this.domain}", nonce="${nonce}", algorithm=MD5, qop="auth"`,
      }))
    }
    const p = digestParams(auth)
    const password = this.#passwordOf(p.username ?? '')
    if (password === undefined || p.realm !== this.domain || p.response !== digestResponse(p, 'REGISTER', password)) {
      this.emit('register-failure', { user, username: p.username })
      return this.send(ws, render('register-403', this.#reply(req, remotePort, tag)))
    }
    const date = new Date().toUTCString()
    if (expires === 0) {
      this.registrations.delete(user)
      this.send(ws, render('unregister-200', { ...this.#reply(req, remotePort, tag), Date: date }))
      this.emit('unregistered', { user, reason: 'unregister' })
      return
    }
    const contact = uriOf(contactHeader)
    const reg: Registration = { user, contact, ws, remotePort, expires }
    this.registrations.set(user, reg)
    this.send(ws, render('register-200', { ...this.#reply(req, remotePort, tag), Contact: `<${contact}>;expires=${expires}`, Date: date }))
    this.emit('registered', reg)
  }
}
