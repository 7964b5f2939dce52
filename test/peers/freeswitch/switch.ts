// The simulated switch: channels, calls, originate, bridges, applications. Every change is announced with
// recorded frames through Renderer; README.md says which recording each behaviour follows.
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { bridgeApp, bridgeLegGone } from './bridge-app.ts'
import { startEavesdrop, eavesdropKeys } from './eavesdrop.ts'
import { Conferences, type JoinedBy } from './conference.ts'
import { type Channel, type Emit, type RenderOpts, Q850, Renderer, newChannel, nowUs, parseVars, sipHeaderVars } from './channels.ts'

export type EndpointBehaviour = { answerAfterMs: number } | 'no-answer' | 'busy' | 'not-registered' | 'unreachable'

export interface PlaceCallOptions { destination: string, callerNumber: string, callerName?: string, headers?: Record<string, string>, context?: string }

// music never ends by itself; a tone stream ends after its loops (esl-inbound-plain: `loops=2` ends with
// PLAYBACK_STOP), `loops=-1` repeats until stopped
export const STREAMS = /^local_stream:\/\/|^tone_stream:\/\/.*loops=-1/

interface OriginateResult { body: string }

export class Switch {
  readonly channels = new Map<string, Channel>()
  readonly endpoints = new Map<string, EndpointBehaviour>()
  readonly registered = new Set<string>()
  readonly r: Renderer
  /** mod_conference: conferences and their members (conference.ts) */
  readonly conferences: Conferences
  private readonly timers = new Set<NodeJS.Timeout>()
  private sessions = 0

  constructor (emit: Emit, private readonly opts: { playbackMs: number, profiles: string[] }) {
    this.r = new Renderer(emit)
    this.conferences = new Conferences(this, opts.playbackMs)
  }

  /** A new channel enters the switch. */
  add (c: Channel): void {
    this.channels.set(c.uuid, c)
    this.sessions++
  }

  later (ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn() }, ms)
    this.timers.add(t)
  }

  stopTimers (): void { for (const t of this.timers) clearTimeout(t); this.timers.clear() }

  /** sessions since startup (`status`) */
  get sessionCount (): number { return this.sessions }

  partner (c: Channel): Channel | undefined { return c.bridgedTo ? this.channels.get(c.bridgedTo) : undefined }

  private legs (c: Channel, role = 'a'): Record<string, Channel | undefined> {
    return role === 'a' ? { a: c, b: this.partner(c) } : { b: c, a: this.partner(c) }
  }

  // ---- inbound calls -------------------------------------------------------------------------------

  placeCall (o: PlaceCallOptions): string {
    const headers = o.headers ?? {}
    const xHotline = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-hotline')?.[1]
    const c = newChannel({ direction: 'inbound', name: `sofia/external/${o.callerNumber}@127.0.0.1:5060`, cidNum: o.callerNumber, cidName: o.callerName ?? o.callerNumber, dest: o.destination, context: o.context ?? 'public' })
    c.headerVars = sipHeaderVars(headers)
    for (const [k] of c.headerVars) c.pinned.add(k)
    this.add(c)
    const legs = { a: c }
    // inbound-call.events: STATE NEW, CODEC x2, STATE INIT, CREATE, CALLSTATE, STATE ROUTING, STATE EXECUTE
    this.r.renderAll('inbound-call', legs, {}, (_t, i) => i < 8)
    // the hotline dialplan: set hotline=<X-Hotline or destination>, answer, park
    const hotline = xHotline ?? o.destination
    const setUuid = randomUUID()
    c.application = 'set'; c.applicationData = `hotline=${hotline}`
    this.r.one('dialplan-set', 'CHANNEL_EXECUTE', 0, legs, { set: { 'Application-UUID': setUuid, 'Application-Data': `hotline=${hotline}` } })
    this.setVar(c, 'hotline', hotline)
    this.r.one('dialplan-set', 'CHANNEL_EXECUTE_COMPLETE', 0, legs, { set: { 'Application-UUID': setUuid, 'Application-Data': `hotline=${hotline}` } })
    const answerUuid = randomUUID()
    this.r.renderAll('inbound-call', legs, { set: { 'Application-UUID': answerUuid } }, (t, i) => i >= 8 && i < 12 && (t.name !== 'CHANNEL_ANSWER' || this.markAnswered(c)))
    this.park(c)
    return c.uuid
  }

  markAnswered (c: Channel): boolean {
    c.answerState = 'answered'
    c.times.answered = nowUs()
    c.channelState = 'CS_EXECUTE'
    return true
  }

  park (c: Channel): void {
    const parkUuid = randomUUID()
    c.parked = true
    c.parkUuid = parkUuid
    c.application = 'park'; c.applicationData = ''
    if (c.direction === 'inbound') this.r.renderAll('inbound-call', this.legs(c), { set: { 'Application-UUID': parkUuid } }, (_t, i) => i >= 12)
    else this.r.renderAll('originate-answer', { b: c }, { set: { 'Application-UUID': parkUuid } }, (_t, i) => i >= 18)
  }

  setVar (c: Channel, name: string, value: string | undefined): void {
    const key = `variable_${name}`
    if (value === undefined) { c.vars.delete(key); c.pinned.delete(key); return }
    c.vars.set(key, value)
    c.pinned.add(key)
  }

  getVar (c: Channel, name: string): string | undefined {
    const want = `variable_${name}`.toLowerCase()
    for (const [k, v] of c.vars) if (k.toLowerCase() === want) return v
    return undefined
  }

  // ---- hangup --------------------------------------------------------------------------------------

  /** Hangs up `c` as FreeSWITCH does; a bridged partner is hung up too (uuid_bridge: no park_after_bridge). */
  hangup (c: Channel, cause: string, how: 'kill' | 'bye'): void {
    if (c.hungUp) return
    const owner = c.bridgeOwner ? this.channels.get(c.bridgeOwner) : undefined
    if (owner && owner.bridgedTo === c.uuid && !owner.hungUp) { bridgeLegGone(this, c, owner, cause, how); return }
    c.queue = []
    const other = this.partner(c)
    const q = Q850[cause] ?? '16'
    c.hungUp = true
    c.answerState = 'hangup'
    c.times.hungup = nowUs()
    const mine: RenderOpts = { set: { 'Hangup-Cause': cause }, vars: { hangup_cause: cause, hangup_cause_q850: q, sip_hangup_disposition: how === 'bye' ? 'recv_bye' : 'send_bye' } }
    // running applications end right after CHANNEL_HANGUP (parked-bye: HANGUP, UNPARK, EXECUTE_COMPLETE park)
    const stopApps = (x: Channel) => { for (const app of [...(x.apps ?? [])].reverse()) app.stop('hangup') }
    if (other && !other.hungUp) {
      other.hungUp = true
      other.answerState = 'hangup'
      other.times.hungup = nowUs()
      other.queue = []
      const theirs: RenderOpts = { set: { 'Hangup-Cause': 'NORMAL_CLEARING' }, vars: { hangup_cause: 'NORMAL_CLEARING', hangup_cause_q850: '16', sip_hangup_disposition: 'send_bye' } }
      const legs = { a: c, b: other }
      // the recorded order interleaves the two legs (esl3-eavesdrop frames 169-196)
      this.r.renderAll('bridged-kill', legs, t => (t.role === 'a' ? mine : theirs), (_t, i) => i === 0)
      stopApps(c)
      this.r.renderAll('bridged-kill', legs, t => (t.role === 'a' ? mine : theirs), (_t, i) => i === 1)
      stopApps(other)
      this.r.renderAll('bridged-kill', legs, t => (t.role === 'a' ? mine : theirs), (_t, i) => i > 1)
      this.drop(other)
    } else {
      const file = c.direction === 'outbound' && !c.parked ? 'outbound-hangup' : how === 'bye' ? 'parked-bye' : 'parked-kill'
      const opts: RenderOpts = { ...mine, set: { ...mine.set, 'Application-UUID': c.parkUuid ?? randomUUID() } }
      const parked = c.parked
      this.r.renderAll(file, { a: c }, opts, (_t, i) => i === 0)
      stopApps(c)
      this.r.renderAll(file, { a: c }, opts, (t, i) => i > 0 && (parked || (t.name !== 'CHANNEL_UNPARK' && t.name !== 'CHANNEL_EXECUTE_COMPLETE')))
    }
    this.drop(c)
    for (const x of [...this.channels.values()]) if (x.eavesdrop && (x.eavesdrop.target === c.uuid || x.eavesdrop.target === other?.uuid)) x.eavesdropEnd?.()
  }

  drop (c: Channel): void {
    c.parked = false
    this.channels.delete(c.uuid)
  }

  // ---- bridge, hold, record ------------------------------------------------------------------------

  bridge (a: Channel, b: Channel): void {
    // a leg already in a bridge leaves it: its old partner is hung up, as for uuid_transfer of one leg
    // of a bridge (fixtures round 2, esl2-agent-leg); inferred for uuid_bridge, which transfers both legs
    for (const c of [a, b]) {
      const old = this.partner(c)
      if (old && old !== a && old !== b && !old.hungUp) { c.bridgedTo = undefined; old.bridgedTo = undefined; this.hangup(old, 'NORMAL_CLEARING', 'kill') }
    }
    for (const c of [a, b]) { for (const app of [...(c.apps ?? [])].reverse()) app.stop('break'); c.queue = [] }
    a.bridgedTo = b.uuid
    b.bridgedTo = a.uuid
    const t = nowUs()
    a.times.bridged = t
    b.times.bridged = t
    const aPark = a.parkUuid ?? randomUUID()
    const bPark = b.parkUuid ?? randomUUID()
    a.parked = false; b.parked = false
    a.application = 'uuid_bridge'; a.applicationData = b.uuid
    b.application = 'uuid_bridge'; b.applicationData = a.uuid
    a.channelState = 'CS_SOFT_EXECUTE'; b.channelState = 'CS_EXCHANGE_MEDIA'
    const legs = { a, b }
    this.r.renderAll('bridge', legs, (t): RenderOpts => (t.name === 'CHANNEL_EXECUTE_COMPLETE' ? { set: { 'Application-UUID': t.role === 'a' ? aPark : bPark } } : {}))
  }

  hold (c: Channel, on: boolean): void {
    c.held = on
    if (on) c.times.lastHold = nowUs()
    this.r.one('hold-record', on ? 'CHANNEL_HOLD' : 'CHANNEL_UNHOLD', 0, this.legs(c))
  }

  record (c: Channel, path: string | undefined): void {
    const was = c.recording
    c.recording = path
    this.r.one('hold-record', path !== undefined ? 'RECORD_START' : 'RECORD_STOP', 0, this.legs(c), { tokens: [['/tmp/r2-agent-leg.wav', path ?? was ?? '']] })
  }

  // ---- DTMF ----------------------------------------------------------------------------------------

  dtmf (c: Channel, digit: string, source: 'RTP' | 'ENDPOINT'): void {
    if (c.eavesdrop && !c.eavesdrop.dtmf) return // round 3b: no DTMF event at all, the key is ignored
    if (source === 'RTP') this.r.one('dtmf', 'DTMF', 0, this.legs(c), { set: { 'DTMF-Digit': digit } })
    else {
      this.r.one('dtmf', 'RECV_INFO', 0, this.legs(c), { body: `Signal=${digit}\r\nDuration=160\r\n` })
      this.r.one('dtmf', 'DTMF', 1, this.legs(c), { set: { 'DTMF-Digit': digit } })
    }
    const top = c.apps?.[c.apps.length - 1]
    top?.onDigit?.(digit)
  }

  // ---- originate -----------------------------------------------------------------------------------

  /** `originate {vars}<dial string> <&app(arg) | extension>`; calls done() with the api body. */
  originate (arg: string, done: (r: OriginateResult) => void, onChannel?: (uuid: string) => void): void {
    const m = /^(?:\{([^}]*)\})?(\S+)\s*(.*)$/.exec(arg.trim())
    if (!m) { done({ body: '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n' }); return }
    const vars = parseVars(m[1])
    const v = Object.fromEntries(vars)
    const app = m[3]
    const target = this.resolve(m[2])
    if ('error' in target) { done({ body: `-ERR ${target.error}\n` }); return }
    const { behaviour, name, dest } = target
    if (v.origination_uuid && this.channels.has(v.origination_uuid)) { done({ body: '-ERR DESTINATION_OUT_OF_ORDER\n' }); return }
    const c = newChannel({ direction: 'outbound', name, cidNum: v.origination_caller_id_number ?? '0000000000', cidName: v.origination_caller_id_name ?? 'Outbound Call', dest, context: 'default' })
    if (v.origination_uuid) c.uuid = v.origination_uuid
    c.originateVars = vars.map(([k, val]) => [`variable_${k}`, val])
    for (const [k] of c.originateVars) c.pinned.add(k)
    this.add(c)
    onChannel?.(c.uuid)
    const legs = { b: c }
    const fail = (role: string, cause: string, timeoutMs: number) => {
      // originate-failures.events: CREATE (+ PROGRESS for no-answer), HANGUP, HANGUP_COMPLETE, BACKGROUND_JOB
      const failLegs = { [role]: c }
      const renderFail = (name: string) => this.r.renderAll('originate-failures', failLegs, { set: { 'Hangup-Cause': cause }, vars: { hangup_cause: cause, hangup_cause_q850: Q850[cause] } }, t => t.role === role && t.name === name)
      renderFail('CHANNEL_CREATE')
      if (role === 'n') renderFail('CHANNEL_PROGRESS')
      this.later(timeoutMs, () => {
        if (c.hungUp) return
        c.hungUp = true; c.answerState = 'hangup'; c.times.hungup = nowUs()
        renderFail('CHANNEL_HANGUP')
        const body = `-ERR ${cause}\n`
        if (role === 'n') { done({ body }); renderFail('CHANNEL_HANGUP_COMPLETE') } else { renderFail('CHANNEL_HANGUP_COMPLETE'); done({ body }) }
        this.drop(c)
      })
    }
    if (behaviour === 'busy') { fail('u', 'USER_BUSY', 20); return }
    if (behaviour === 'unreachable') { fail('t', 'NORMAL_TEMPORARY_FAILURE', 20); return }
    if (behaviour === 'no-answer') { fail('n', 'NO_ANSWER', Number(v.originate_timeout ?? 60) * 1000); return }
    // originate-answer.events: 0-11 ringing, 12-18 answer, 19 (BACKGROUND_JOB) is sent by done(), 20.. app
    this.r.renderAll('originate-answer', legs, {}, (_t, i) => i < 9)
    c.times.progress = nowUs()
    const timeout = Number(v.originate_timeout ?? 60) * 1000
    if (behaviour.answerAfterMs >= timeout) { fail('n', 'NO_ANSWER', timeout); return }
    this.later(behaviour.answerAfterMs, () => {
      if (c.hungUp) return
      this.r.renderAll('originate-answer', legs, {}, (t, i) => i >= 9 && i < 16 && (t.name !== 'CHANNEL_ANSWER' || this.markAnswered(c)))
      done({ body: `+OK ${c.uuid}\n` })
      this.r.renderAll('originate-answer', legs, {}, (_t, i) => i === 17)
      this.runDialplanApp(c, app)
    })
  }

  /** What a dial string reaches: the configured endpoint behaviour, or the error FreeSWITCH gives at once. */
  resolve (dial: string): { behaviour: Exclude<EndpointBehaviour, 'not-registered'>, name: string, dest: string } | { error: string } {
    const [tech, ...rest] = dial.split('/')
    if (tech === 'user') {
      const dest = rest.join('/').split('@')[0]
      const behaviour = this.endpoints.get(dial) ?? (this.registered.has(dest) ? { answerAfterMs: 50 } : 'not-registered')
      if (behaviour === 'not-registered') return { error: 'USER_NOT_REGISTERED' }
      return { behaviour, name: `sofia/internal/${dest}@127.0.0.1:5060`, dest }
    }
    if (tech === 'sofia') {
      if (!this.opts.profiles.includes(rest[0] ?? '')) return { error: 'INVALID_PROFILE' }
      const dest = rest.slice(1).join('/').split('@')[0]
      const behaviour = this.endpoints.get(dial) ?? this.endpoints.get(`${tech}/${rest[0]}/${dest}`) ?? 'unreachable'
      if (behaviour === 'not-registered') return { error: 'USER_NOT_REGISTERED' }
      return { behaviour, name: dial, dest }
    }
    if (tech === 'loopback') {
      const behaviour = this.endpoints.get(dial) ?? { answerAfterMs: 20 }
      if (behaviour === 'not-registered') return { error: 'USER_NOT_REGISTERED' }
      return { behaviour, name: `${dial}-a`, dest: rest.join('/') }
    }
    return { error: 'CHAN_NOT_IMPLEMENTED' }
  }

  private runDialplanApp (c: Channel, app: string): void {
    const m = /^&(\w+)(?:\((.*)\))?$/.exec(app.trim())
    if (!m || m[1] === 'park') { this.park(c); return }
    this.execute(c, m[1], m[2] ?? '', randomUUID(), false, 'originate')
  }

  // ---- applications (sendmsg execute, uuid_broadcast) ----------------------------------------------

  /** Runs an application; with event-lock it waits for the running one to end (round 3b). */
  execute (c: Channel, app: string, arg: string, appUuid: string, eventLock: boolean, by: JoinedBy = 'sendmsg'): void {
    if (eventLock && (c.apps?.length ?? 0) > 0) { c.queue.push(() => this.execute(c, app, arg, appUuid, false, by)); return }
    if (app === 'conference') { this.conferences.run(c, arg, appUuid, by); return }
    const legs = this.legs(c)
    const set = (response?: string): RenderOpts => ({ set: { Application: app, 'Application-Data': arg, 'Application-UUID': appUuid, ...(response !== undefined ? { 'Application-Response': response } : {}) }, tokens: [['set', app]] })
    const begin = (tpl: [string, string, number]) => { c.application = app; c.applicationData = arg; this.r.one(tpl[0], tpl[1], tpl[2], legs, set()) }
    const end = (response: string, tpl: [string, string, number] = ['apps', 'CHANNEL_EXECUTE_COMPLETE', 0]) => {
      this.r.one(tpl[0], tpl[1], tpl[2], legs, set(response))
      if (!c.hungUp) this.r.one('apps', 'PRIVATE_COMMAND', 0, legs)
    }
    const running = (stop: (reason: 'break' | 'hangup') => void, onDigit?: (d: string) => void) => {
      const entry = { name: app, arg, uuid: appUuid, stop: (reason: 'break' | 'hangup') => { finish(); stop(reason) }, onDigit }
      const finish = () => {
        c.apps = (c.apps ?? []).filter(a => a !== entry)
        if (!c.hungUp && (c.apps.length === 0)) c.queue.shift()?.()
      }
      ;(c.apps ??= []).push(entry)
      return finish
    }
    if (app === 'set') {
      begin(['apps', 'CHANNEL_EXECUTE', 0])
      const i = arg.indexOf('=')
      this.setVar(c, arg.slice(0, i), i < 0 ? undefined : arg.slice(i + 1) || undefined)
      end('_none_')
      return
    }
    if (app === 'park') { this.park(c); return }
    if (app === 'answer') {
      this.r.renderAll('inbound-call', legs, set(), (t, i) => i >= 8 && i < 12 && (t.name !== 'CHANNEL_ANSWER' || (c.answerState !== 'answered' && this.markAnswered(c))) && (t.name !== 'CHANNEL_CALLSTATE' || c.answerState === 'answered'))
      return
    }
    if (app === 'playback' && arg.startsWith('/') && !existsSync(arg)) {
      begin(['apps', 'CHANNEL_EXECUTE', 3])
      end('FILE NOT FOUND', ['apps', 'CHANNEL_EXECUTE_COMPLETE', 2])
      return
    }
    if (app === 'playback') {
      begin(['apps', 'CHANNEL_EXECUTE', 4])
      const path = [['/tmp/fs-3/sounds/prompts/welcome.wav', arg]] as Array<[string, string]>
      this.r.one('apps', 'PLAYBACK_START', 1, legs, { tokens: path })
      let done = false
      const finish = running(reason => stopPlay(reason))
      const stopPlay = (reason: 'break' | 'hangup' | 'done') => {
        if (done) return
        done = true
        this.r.one('apps', 'PLAYBACK_STOP', 1, legs, { tokens: path, set: { 'Playback-Status': reason === 'done' ? 'done' : 'break' } })
        end('FILE PLAYED', ['apps', 'CHANNEL_EXECUTE_COMPLETE', 4])
      }
      if (!STREAMS.test(arg)) this.later(this.opts.playbackMs, () => { if (!done) { finish(); stopPlay('done') } })
      return
    }
    if (app === 'play_and_get_digits') {
      const [min, max, tries, timeout, terminators, , , variable] = arg.split(/\s+/)
      this.r.one('play-and-get-digits', 'CHANNEL_EXECUTE', 0, legs, set())
      let digits = ''
      let done = false
      const complete = (result: string) => {
        if (done) return
        done = true
        finish()
        if (variable) this.setVar(c, variable, digits || undefined)
        this.setVar(c, 'read_result', result)
        this.r.one('play-and-get-digits', 'CHANNEL_EXECUTE_COMPLETE', 0, legs, set('_none_'))
      }
      const finish = running(() => complete('failure'), d => {
        if ((terminators ?? '#').includes(d)) { complete(digits.length >= Number(min) ? 'success' : 'failure'); return }
        digits += d
        if (digits.length >= Number(max)) complete('success')
      })
      this.later(Number(timeout ?? 5000) * Math.max(1, Number(tries ?? 1)), () => complete(digits.length >= Number(min) ? 'success' : 'timeout'))
      return
    }
    if (app === 'eavesdrop' || app === 'three_way') { startEavesdrop(this, c, app, arg, appUuid, running); return }
    if (app === 'bridge') { begin(['apps', 'CHANNEL_EXECUTE', 0]); bridgeApp(this, c, arg, end, running); return }
    // say / phrase / speak / sleep / record / anything else: CHANNEL_EXECUTE, then COMPLETE after a while
    begin(['apps', 'CHANNEL_EXECUTE', 0])
    const response = app === 'phrase' ? 'PHRASE PLAYED' : '_none_'
    let done = false
    if (app === 'record') this.record(c, arg.split(/\s+/)[0])
    const stopRecord = () => { if (app === 'record' && c.recording !== undefined) this.record(c, undefined) }
    const finish = running(() => { if (done) return; done = true; stopRecord(); end(response) }, d => {
      if (app === 'record' && (this.getVar(c, 'playback_terminators') ?? '*#').includes(d) && !done) { done = true; finish(); stopRecord(); end(response) }
    })
    const ms = app === 'sleep' ? Number(arg) : app === 'record' ? Number(arg.split(/\s+/)[1] ?? 0) * 1000 || 3600_000 : this.opts.playbackMs
    this.later(ms, () => { if (!done) { done = true; finish(); stopRecord(); end(response) } })
  }

  /** Keys 0-3 switch the eavesdrop mode, * ends it (phone DTMF, uuid_recv_dtmf, sendevent eavesdrop-command). */
  eavesdropKeys (c: Channel, keys: string): void { eavesdropKeys(c, keys) }

  /** uuid_break: ends the running application (all: also the queued ones). */
  breakApps (c: Channel, all: boolean): void {
    if (all) c.queue = []
    // a conference member ignores uuid_break unless its profile is breakable (conference_loop.c CFLAG_BREAKABLE)
    const apps = (c.apps ?? []).filter(a => a.name !== 'conference')
    const targets = all ? [...apps].reverse() : apps.slice(-1)
    for (const a of targets) a.stop('break')
  }
}
