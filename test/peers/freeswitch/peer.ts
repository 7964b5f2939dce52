// A TCP server that speaks FreeSWITCH's inbound event socket as the recorded FreeSWITCH 1.11.3 does
// (see README.md). Tests start it with startFreeswitchPeer() and drive calls through its methods.
import { randomUUID } from 'node:crypto'
import { type AddressInfo, type Socket, createServer } from 'node:net'
import { type Channel } from './channels.ts'
import { type Header, serializeJson, serializePlain } from './frames.ts'
import { type EndpointBehaviour, type PlaceCallOptions, Switch } from './switch.ts'
import { EVENT_NAMES } from './event-names.ts'
import { channelRows, showChannelsText, statusText } from './show.ts'
import { type ConferenceView } from './conference.ts'

export interface FreeswitchPeerOptions {
  password?: string
  host?: string
  port?: number
  /** how long a playback of a file (or say/phrase/speak) lasts; real: the file's length */
  playbackMs?: number
  /** HEARTBEAT period; real: 20000 */
  heartbeatMs?: number
  /** sofia profiles that exist (others: -ERR INVALID_PROFILE) */
  profiles?: string[]
}

export interface ReceivedCommand { line: string, headers: Record<string, string>, body?: string, raw: string }

export interface ChannelView { uuid: string, direction: string, state: string, answerState: string, bridgedTo?: string, held: boolean, recording?: string, parked: boolean, application?: string, eavesdrop?: { target: string, mode: string }, variables: Record<string, string> }

const DISCONNECT = 'Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'

class Conn {
  buf = Buffer.alloc(0)
  authed = false
  format?: 'plain' | 'json'
  all = false
  events = new Set<string>()
  subclasses = new Set<string>()
  filters: Array<[string, string]> = []
  closing = false
  constructor (readonly sock: Socket) {}
  write (s: string): void { if (!this.sock.destroyed && !this.closing) this.sock.write(s) }
  wants (name: string, subclass: string | undefined, headers: Header[]): boolean {
    if (!this.authed || !this.format) return false
    const subscribed = this.all || (name === 'CUSTOM' ? this.events.has('CUSTOM') && (this.subclasses.size === 0 || (subclass !== undefined && this.subclasses.has(subclass))) || (subclass !== undefined && this.subclasses.has(subclass)) : this.events.has(name))
    if (!subscribed) return false
    if (this.filters.length === 0) return true
    return this.filters.some(([k, v]) => headers.some(([hk, hv]) => hk.toLowerCase() === k.toLowerCase() && hv === v))
  }
}

export class FreeswitchPeer {
  readonly commands: ReceivedCommand[] = []
  readonly sw: Switch
  host = '127.0.0.1'
  port = 0
  private readonly server = createServer(s => this.accept(s))
  private readonly conns = new Set<Conn>()
  private readonly password: string
  private readonly failures: Array<{ re: RegExp, body: string }> = []
  private readonly waiters: Array<{ re: RegExp, resolve: (s: string) => void }> = []
  private stalled = false
  /** events of a leg a synchronous `api originate` is creating: sent after its reply (esl2-agent-leg, esl2-originate-uuid) */
  private readonly deferred = new Map<string, Array<() => void>>()
  private readonly pending: Array<() => void> = []
  private heartbeat?: NodeJS.Timeout
  private readonly started = Date.now()
  private readonly startedHr = process.hrtime.bigint()

  constructor (private readonly opts: FreeswitchPeerOptions = {}) {
    this.password = opts.password ?? 'ClueCon'
    this.sw = new Switch((name, headers, body, subclass) => this.broadcast(name, headers, body, subclass), { playbackMs: opts.playbackMs ?? 30, profiles: opts.profiles ?? ['internal', 'external', 'carrier'] })
  }

  async listen (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve())
    })
    const a = this.server.address() as AddressInfo
    this.host = a.address
    this.port = a.port
    this.heartbeat = setInterval(() => this.sw.r.renderAll('heartbeat', {}, { set: { 'Session-Count': String(this.sw.channels.size), 'Uptime-msec': String(Date.now() - this.started) } }), this.opts.heartbeatMs ?? 20000)
  }

  // ---- test controls -------------------------------------------------------------------------------

  async placeCall (o: PlaceCallOptions): Promise<string> { return this.sw.placeCall(o) }

  callerHangup (uuid: string, cause = 'NORMAL_CLEARING'): void {
    const c = this.mustChannel(uuid)
    this.sw.hangup(c, cause, 'bye')
  }

  sendDtmf (uuid: string, digit: string, source: 'RTP' | 'ENDPOINT' = 'RTP'): void {
    for (const d of digit) this.sw.dtmf(this.mustChannel(uuid), d, source)
  }

  setEndpoint (target: string, behaviour: EndpointBehaviour): void { this.sw.endpoints.set(target, behaviour) }

  register (user: string): void {
    this.sw.registered.add(user)
    this.sw.r.one('registration', 'CUSTOM', 0, {}, { tokens: [['1001', user], ['Agent 1001', `Agent ${user}`]] })
  }

  unregister (user: string, reason?: 'socket-disconnection'): void {
    this.sw.registered.delete(user)
    if (reason) this.sw.r.one('registration', 'CUSTOM', 2, {}, { tokens: [['1001', user]] })
    else this.sw.r.one('registration', 'CUSTOM', 1, {}, { tokens: [['1002', user], ['Agent 1002', `Agent ${user}`]] })
  }

  channels (): ChannelView[] {
    return [...this.sw.channels.values()].map(c => ({
      uuid: c.uuid, direction: c.direction, state: c.channelState, answerState: c.answerState, bridgedTo: c.bridgedTo, held: c.held, recording: c.recording, parked: c.parked,
      application: c.apps?.length ? c.apps[c.apps.length - 1].name : c.application,
      eavesdrop: c.eavesdrop ? { target: c.eavesdrop.target, mode: c.eavesdrop.mode } : undefined,
      variables: Object.fromEntries([...c.vars].map(([k, v]) => [k.slice('variable_'.length), v]))
    }))
  }

  /** The conferences and their members, newest member first (as `conference <name> list` shows them). */
  conferences (): ConferenceView[] { return this.sw.conferences.view() }

  waitForCommand (re: RegExp, timeoutMs = 2000): Promise<string> {
    const hit = this.commands.find(c => re.test(c.raw))
    if (hit) return Promise.resolve(hit.raw)
    return new Promise((resolve, reject) => {
      const w = { re, resolve: (s: string) => { clearTimeout(t); resolve(s) } }
      const t = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(w), 1); reject(new Error(`no command matching ${re} within ${timeoutMs} ms`)) }, timeoutMs)
      this.waiters.push(w)
    })
  }

  failNext (re: RegExp, body: string): void { this.failures.push({ re, body }) }

  dropConnections (): void { for (const c of this.conns) c.sock.destroy(); this.conns.clear() }

  stall (on: boolean): void {
    this.stalled = on
    if (!on) for (const run of this.pending.splice(0)) run()
  }

  async close (): Promise<void> {
    clearInterval(this.heartbeat)
    this.sw.stopTimers()
    this.dropConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  // ---- the socket ----------------------------------------------------------------------------------

  private mustChannel (uuid: string): Channel {
    const c = this.sw.channels.get(uuid)
    if (!c) throw new Error(`no channel ${uuid}`)
    return c
  }

  private accept (sock: Socket): void {
    const conn = new Conn(sock)
    this.conns.add(conn)
    sock.setNoDelay(true)
    sock.on('error', () => {})
    sock.on('close', () => this.conns.delete(conn))
    sock.on('data', (d: Buffer) => { conn.buf = Buffer.concat([conn.buf, d]); this.drain(conn) })
    conn.write('Content-Type: auth/request\n\n')
  }

  private drain (conn: Conn): void {
    for (;;) {
      const end = conn.buf.indexOf('\n\n')
      if (end < 0) return
      const head = conn.buf.subarray(0, end).toString('utf8').replace(/\r/g, '')
      const lines = head.split('\n')
      const headers: Record<string, string> = {}
      for (const l of lines.slice(1)) { const i = l.indexOf(':'); if (i > 0) headers[l.slice(0, i).trim()] = l.slice(i + 1).trim() }
      const len = Number(headers['Content-Length'] ?? 0)
      if (conn.buf.length < end + 2 + len) return
      const body = len ? conn.buf.subarray(end + 2, end + 2 + len).toString('utf8') : undefined
      conn.buf = conn.buf.subarray(end + 2 + len)
      const cmd: ReceivedCommand = { line: lines[0].trim(), headers, body, raw: head + (body ? `\n\n${body}` : '') }
      this.commands.push(cmd)
      for (const w of this.waiters.filter(x => x.re.test(cmd.raw))) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(cmd.raw) }
      if (cmd.line === '') continue
      const run = () => this.command(conn, cmd)
      if (this.stalled) this.pending.push(run)
      else run()
    }
  }

  private broadcast (name: string, headers: Header[], body: string | undefined, subclass: string | undefined): void {
    if (this.stalled) return
    const held = this.deferred.get(headers.find(([k]) => k === 'Unique-ID')?.[1] ?? '')
    if (held) { held.push(() => this.broadcast(name, headers, body, subclass)); return }
    for (const c of this.conns) {
      if (!c.wants(name, subclass, headers)) continue
      c.write(c.format === 'json' ? serializeJson(headers, body) : serializePlain(headers, body))
    }
  }

  private reply (conn: Conn, text: string, extra = ''): void { conn.write(`Content-Type: command/reply\nReply-Text: ${text}\n${extra}\n`) }

  private closeConn (conn: Conn): void {
    conn.write(DISCONNECT)
    conn.closing = true
    conn.sock.end()
  }

  private command (conn: Conn, cmd: ReceivedCommand): void {
    const [verb, ...words] = cmd.line.split(' ')
    const rest = cmd.line.slice(verb.length + 1)
    if (!conn.authed) {
      if (verb === 'auth') {
        if (rest === this.password) { conn.authed = true; this.reply(conn, '+OK accepted') } else { this.reply(conn, '-ERR invalid'); this.closeConn(conn) }
      } else this.reply(conn, '-ERR command not found')
      return
    }
    switch (verb) {
      case 'api': this.api(conn, rest); return
      case 'bgapi': this.bgapi(conn, rest, cmd.headers['Job-UUID']); return
      case 'event': this.subscribe(conn, words); return
      case 'noevents': conn.format = undefined; conn.all = false; conn.events.clear(); conn.subclasses.clear(); this.reply(conn, '+OK no longer listening for events'); return
      case 'nixevent': {
        const known = words.filter(w => EVENT_NAMES.has(w))
        if (known.length === 0) { this.reply(conn, '-ERR no keywords supplied'); return }
        for (const w of known) { conn.events.delete(w); if (w === 'ALL') conn.all = false }
        this.reply(conn, '+OK events nixed'); return
      }
      case 'filter': this.filter(conn, words); return
      case 'sendmsg': this.sendmsg(conn, words[0], cmd); return
      case 'sendevent': {
        // queued to the session, no CUSTOM event for subscribers; eavesdrop-command keys apply even with DTMF off (round 3b)
        const target = this.sw.channels.get(cmd.headers['Unique-ID'] ?? '')
        const keys = cmd.headers['eavesdrop-command']
        this.reply(conn, `+OK ${randomUUID()}`)
        if (target && keys) this.sw.eavesdropKeys(target, keys)
        return
      }
      case 'log': this.reply(conn, `+OK log level ${words[0] ?? 7} [${words[0] ?? 7}]`); return
      case 'nolog': this.reply(conn, '+OK no longer logging'); return
      case 'exit': this.reply(conn, '+OK bye'); this.closeConn(conn); return
      default: this.reply(conn, '-ERR command not found')
    }
  }

  private subscribe (conn: Conn, words: string[]): void {
    const format = words[0] === 'json' ? 'json' : 'plain' // `event bogusformat X` means plain (round 2)
    let custom = false
    let any = false
    for (const w of words.slice(1)) {
      if (custom) { conn.subclasses.add(w); any = true; continue }
      if (w === 'ALL') { conn.all = true; any = true } else if (EVENT_NAMES.has(w)) { conn.events.add(w); any = true; if (w === 'CUSTOM') custom = true }
    }
    if (!any) { this.reply(conn, '-ERR no keywords supplied'); return }
    conn.format = format
    this.reply(conn, `+OK event listener enabled ${format}`)
  }

  private filter (conn: Conn, words: string[]): void {
    if (words.length === 0) { this.reply(conn, '-ERR command not found'); return }
    if (words[0] === 'delete') {
      if (words.length < 2) { this.reply(conn, '-ERR invalid syntax'); return }
      if (words[1] === 'all') { conn.filters = []; this.reply(conn, '+OK filter deleted. [all][]'); return }
      const value = words.slice(2).join(' ')
      conn.filters = conn.filters.filter(([k, v]) => !(k === words[1] && (value === '' || v === value)))
      this.reply(conn, `+OK filter deleted. [${words[1]}][${value}]`); return
    }
    const value = words.slice(1).join(' ')
    conn.filters.push([words[0], value])
    this.reply(conn, `+OK filter added. [${words[0]}]=[${value}]`)
  }

  private sendmsg (conn: Conn, uuid: string | undefined, cmd: ReceivedCommand): void {
    const c = uuid ? this.sw.channels.get(uuid) : undefined
    if (!c) { this.reply(conn, `-ERR invalid session id [${uuid ?? ''}]`); return }
    const h = cmd.headers
    this.reply(conn, '+OK')
    if (h['call-command'] === 'hangup') { this.sw.hangup(c, h['hangup-cause'] ?? 'NORMAL_CLEARING', 'kill'); return }
    if (h['call-command'] !== 'execute') return
    const arg = h['execute-app-arg'] ?? cmd.body ?? ''
    // the reply goes out before CHANNEL_EXECUTE (README: sendmsg with event-lock answers +OK first)
    setImmediate(() => { if (!c.hungUp) this.sw.execute(c, h['execute-app-name'] ?? '', arg, h['Event-UUID'] ?? randomUUID(), h['event-lock'] === 'true') })
  }

  private bgapi (conn: Conn, rest: string, clientJob?: string): void {
    const job = clientJob ?? randomUUID()
    this.reply(conn, `+OK Job-UUID: ${job}`, `Job-UUID: ${job}\n`)
    const [cmd, ...args] = rest.split(' ')
    setImmediate(() => this.runApi(rest, false, body => {
      this.apiEvent(cmd, args) // esl-inbound-plain frames 73/74: the API event comes right before the BACKGROUND_JOB
      this.sw.r.one('bgapi-job', 'BACKGROUND_JOB', 0, {}, { set: { 'Job-UUID': job, 'Job-Command': cmd, 'Job-Command-Arg': args.length ? args.join(' ') : undefined }, body })
    }))
  }

  private apiEvent (cmd: string, args: string[]): void {
    this.sw.r.one('api-event', 'API', 0, {}, { set: { 'API-Command': cmd, 'API-Command-Argument': args.length ? args.join(' ') : undefined } })
  }

  private api (conn: Conn, rest: string): void {
    const [cmd, ...args] = rest.split(' ')
    this.runApi(rest, true, body => {
      conn.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`)
      this.apiEvent(cmd, args)
    })
  }

  private runApi (rest: string, sync: boolean, done: (body: string) => void): void {
    const fail = this.failures.findIndex(f => f.re.test(rest))
    if (fail >= 0) { const [f] = this.failures.splice(fail, 1); done(f.body); return }
    const [cmd, ...args] = rest.trim().split(/\s+/)
    const sw = this.sw
    const chan = (u?: string) => (u ? sw.channels.get(u) : undefined)
    switch (cmd) {
      case 'originate': {
        let leg: string | undefined
        sw.originate(rest.slice('originate'.length), r => {
          done(r.body)
          const held = leg === undefined ? undefined : this.deferred.get(leg)
          if (leg !== undefined) this.deferred.delete(leg)
          for (const send of held ?? []) send()
        }, sync ? uuid => { leg = uuid; this.deferred.set(uuid, []) } : undefined)
        return
      }
      case 'status': done(statusText(this.startedHr, sw.sessionCount, sw.channels.size)); return
      case 'version': done('FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n'); return
      case 'create_uuid': done(randomUUID()); return
      case 'reloadxml': done('+OK [Success]\n'); return
      case 'show': {
        if (args.join(' ') === 'channels as json') {
          const rows = channelRows(sw)
          done(rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows })); return
        }
        if (args[0] === 'channels' && args.length === 1) { done(showChannelsText(channelRows(sw))); return }
        done(`-USAGE: ${'show'}\n`); return
      }
      case 'uuid_exists': done(chan(args[0]) ? 'true' : 'false'); return
      case 'uuid_getvar': {
        if (args.length < 2) { done('-USAGE: <uuid> <var>\n'); return }
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        done(sw.getVar(c, args[1]) ?? '_undef_'); return
      }
      case 'uuid_setvar': {
        if (args.length < 2) { done('-USAGE: <uuid> <var> [value]\n'); return }
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        sw.setVar(c, args[1], args.length > 2 ? args.slice(2).join(' ') : undefined); done('+OK\n'); return
      }
      case 'uuid_kill': {
        if (args.length < 1) { done('-USAGE: <uuid> [cause]\n'); return }
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        done('+OK\n'); sw.hangup(c, args[1] ?? 'NORMAL_CLEARING', 'kill'); return
      }
      case 'uuid_answer': {
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        done('+OK\n')
        if (c.answerState !== 'answered') sw.execute(c, 'answer', '', randomUUID(), false)
        return
      }
      case 'uuid_bridge': {
        if (args.length < 2) { done('-USAGE: <uuid> <other_uuid>\n'); return }
        const a = chan(args[0]); const b = chan(args[1])
        if (!a || !b) { done('-ERR Invalid uuid\n'); return }
        done(`+OK ${b.uuid}\n`); sw.bridge(a, b); return
      }
      case 'uuid_hold': {
        const mode = args[0] === 'off' || args[0] === 'toggle' ? args.shift() : 'on'
        const c = chan(args[0])
        if (!c) { done('+OK Success\n'); return }
        const on = mode === 'toggle' ? !c.held : mode === 'on'
        if (!on && !c.held) { done('-ERR Operation failed\n'); return }
        done('+OK Success\n'); if (on !== c.held) sw.hold(c, on); return
      }
      case 'uuid_record': {
        const c = chan(args[0]); if (!c) { done('-ERR Cannot locate session!\n'); return }
        if (args[1] === 'start' && args[2]) { done('+OK Success\n'); sw.record(c, args[2]); return }
        if (args[1] === 'stop' && args[2]) {
          if (c.recording === undefined) { done('-ERR Cannot stop record session!\n'); return }
          done('+OK Success\n'); sw.record(c, undefined); return
        }
        done('-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n'); return
      }
      case 'uuid_broadcast': {
        const m = /^(\S+)\s+('([^']*)'|\S+)\s*(\S*)/.exec(args.join(' '))
        const c = chan(m?.[1]); if (!c || !m) { done('-ERR invalid uuid\n'); return }
        const path = m[3] ?? m[2]
        const leg = m[4] || 'aleg'
        done('+OK Message sent\n')
        const targets = leg === 'both' ? [c, sw.partner(c)] : leg === 'bleg' ? [sw.partner(c)] : [c]
        const app = /^(\w+)::(.*)$/.exec(path)
        for (const t of targets) if (t) sw.execute(t, app ? app[1] : 'playback', app ? app[2] : path, randomUUID(), true) // broadcasts carry event-lock (round 3b)
        return
      }
      case 'uuid_break': {
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        done('+OK\n'); sw.breakApps(c, args[1] === 'all'); return
      }
      case 'uuid_transfer': {
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        // uuid_transfer <uuid> [-bleg|-both] conference:<room>@<profile> inline (esl2-conference-warm)
        const leg = args[1] === '-bleg' || args[1] === '-both' ? args[1] : ''
        const dest = args[leg ? 2 : 1] ?? ''
        const room = args[leg ? 3 : 2] === 'inline' ? /^conference:([^,]+)$/.exec(dest)?.[1] : undefined
        done('+OK\n')
        if (room) { sw.conferences.transfer(c, leg, room); return }
        const member = sw.conferences.member(c)
        if (member) sw.conferences.leave(member, 'transfer')
        const other = sw.partner(c)
        if (other) { c.bridgedTo = undefined; other.bridgedTo = undefined; sw.hangup(other, 'NORMAL_CLEARING', 'kill') }
        sw.park(c)
        return
      }
      case 'uuid_recv_dtmf': {
        const c = chan(args[0]); if (!c) { done('-ERR No such channel!\n'); return }
        done(`+OK ${c.uuid} received DTMF ${args[1] ?? ''}.\n`)
        for (const d of args[1] ?? '') sw.dtmf(c, d, 'RTP')
        return
      }
      case 'sofia_contact': {
        const user = (args[0] ?? '').replace(/^\*\//, '').split('@')[0]
        done(sw.registered.has(user) ? `sofia/internal/sip:${user}@127.0.0.1:5060` : 'error/user_not_registered'); return
      }
      case 'hupall': {
        const cause = args[0] ?? 'NORMAL_CLEARING'
        done(`+OK hangup all channels with cause ${cause}\n`)
        for (const c of [...sw.channels.values()]) sw.hangup(c, cause, 'kill')
        return
      }
      case 'conference': {
        const r = sw.conferences.api(args)
        done(r.body)
        r.after?.()
        return
      }
      case 'sendevent': done(`+OK ${randomUUID()}\n`); return
      default: done(`-ERR ${cmd} Command not found!\n`)
    }
  }
}

export async function startFreeswitchPeer (opts: FreeswitchPeerOptions = {}): Promise<FreeswitchPeer> {
  const peer = new FreeswitchPeer(opts)
  await peer.listen()
  return peer
}
