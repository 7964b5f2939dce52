// The peer's model of FreeSWITCH channels, and how each change of state is announced: every event is a
// recorded frame (frames/*.events) rendered for the channel(s) involved.
import { randomUUID } from 'node:crypto'
import { type FrameFile, type Header, type Template, headerOf, loadFrames, pick, replacer } from './frames.ts'

export interface Times { created: number, answered?: number, progress?: number, bridged?: number, hungup?: number, lastHold?: number, holdAccum?: number }

export interface Channel {
  uuid: string
  direction: 'inbound' | 'outbound'
  name: string
  cidNum: string
  cidName: string
  dest: string
  context: string
  answerState: 'ringing' | 'early' | 'answered' | 'hangup'
  channelState: string
  vars: Map<string, string>
  /** variables the model set (set, uuid_setvar, originate {}, SIP headers): recorded values never replace them */
  pinned: Set<string>
  /** variables inserted where the recorded channel had its SIP-header / originate variables */
  headerVars: Header[]
  originateVars: Header[]
  times: Times
  bridgedTo?: string
  held: boolean
  recording?: string
  parked: boolean
  /** the application currently running (sendmsg execute, broadcast), if any */
  app?: RunningApp
  queue: Array<() => void>
  application: string
  applicationData: string
  hungUp: boolean
  /** Application-UUID of the dialplan park the channel sits in */
  parkUuid?: string
  /** running applications, innermost last (a sendmsg without event-lock nests, round 3b) */
  apps?: RunningApp[]
  /** set while the channel runs eavesdrop / three_way: whom it listens to and the mode key (0-3) */
  eavesdrop?: { target: string, mode: string, dtmf: boolean }
  eavesdropEnd?: () => void
  /** for a leg dialled by another leg's bridge application: that leg's uuid */
  bridgeOwner?: string
}

export interface RunningApp { name: string, arg: string, uuid: string, stop: (reason: 'break' | 'hangup') => void, onDigit?: (d: string) => void }

/** Q.850 numbers of the hangup causes the peer uses (hangup_cause_q850). */
export const Q850: Record<string, string> = {
  UNALLOCATED_NUMBER: '1', NORMAL_CLEARING: '16', USER_BUSY: '17', NO_USER_RESPONSE: '18', NO_ANSWER: '19', SUBSCRIBER_ABSENT: '20', CALL_REJECTED: '21', DESTINATION_OUT_OF_ORDER: '27', INVALID_NUMBER_FORMAT: '28', NORMAL_TEMPORARY_FAILURE: '41', INCOMPATIBLE_DESTINATION: '88', RECOVERY_ON_TIMER_EXPIRE: '102', ORIGINATOR_CANCEL: '487', MEDIA_TIMEOUT: '604', MANAGER_REQUEST: '503'
}

/** `{a=1,b='x y'}` originate variables, in order. */
export const parseVars = (s?: string): Array<[string, string]> => (s ?? '').split(',').filter(Boolean).map(kv => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1).replace(/^'(.*)'$/, '$1')] })

export const nowUs = () => Date.now() * 1000

/** How the peer sends a rendered event: the server decides who gets it. */
export type Emit = (eventName: string, headers: Header[], body?: string, subclass?: string) => void

export interface RenderOpts {
  /** headers replaced by key, e.g. Hangup-Cause, Application-Data (undefined: left out) */
  set?: Record<string, string | undefined>
  /** extra recorded -> new text substitutions */
  tokens?: Array<[string, string]>
  /** variables written into the channel before rendering (undefined deletes) */
  vars?: Record<string, string | undefined>
  body?: string
}

const pad = (n: number) => String(n).padStart(2, '0')
export const localStamp = (us: number) => { const d = new Date(us / 1000); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` }

const callerTimeKeys: Record<string, keyof Times> = {
  'Profile-Created-Time': 'created', 'Channel-Created-Time': 'created', 'Channel-Answered-Time': 'answered', 'Channel-Progress-Time': 'progress', 'Channel-Hangup-Time': 'hungup', 'Channel-Bridged-Time': 'bridged', 'Channel-Last-Hold': 'lastHold', 'Channel-Hold-Accum': 'holdAccum'
}
const varTimePrefixes: Record<string, keyof Times> = { start: 'created', profile_start: 'created', answer: 'answered', bridge: 'bridged', progress: 'progress', end: 'hungup', last_hold: 'lastHold' }

/** Recomputes the time-valued variables FreeSWITCH keeps (sip_invite_stamp, *_stamp/_epoch/_uepoch, durations). */
function timeVars (c: Channel): void {
  const t = c.times
  if (c.vars.has('variable_sip_invite_stamp')) c.vars.set('variable_sip_invite_stamp', String(t.created))
  for (const [prefix, key] of Object.entries(varTimePrefixes)) {
    const us = t[key] ?? 0
    if (c.vars.has(`variable_${prefix}_stamp`) && us) c.vars.set(`variable_${prefix}_stamp`, localStamp(us))
    if (c.vars.has(`variable_${prefix}_epoch`)) c.vars.set(`variable_${prefix}_epoch`, String(Math.floor(us / 1e6)))
    if (c.vars.has(`variable_${prefix}_uepoch`)) c.vars.set(`variable_${prefix}_uepoch`, String(us))
  }
  if (t.hungup) {
    const span = (from?: number) => (from ? t.hungup! - from : 0)
    const setDur = (name: string, us: number) => {
      for (const [suffix, div] of [['sec', 1e6], ['msec', 1e3], ['usec', 1]] as const) if (c.vars.has(`variable_${name}${suffix}`)) c.vars.set(`variable_${name}${suffix}`, String(Math.floor(us / div)))
    }
    if (c.vars.has('variable_duration')) c.vars.set('variable_duration', String(Math.floor(span(t.created) / 1e6)))
    if (c.vars.has('variable_mduration')) c.vars.set('variable_mduration', String(Math.floor(span(t.created) / 1e3)))
    if (c.vars.has('variable_uduration')) c.vars.set('variable_uduration', String(span(t.created)))
    setDur('bill', span(t.answered))
    setDur('flow_bill', span(t.answered))
    setDur('answer', t.answered ? t.answered - t.created : 0)
    setDur('wait', t.answered ? t.answered - t.created : 0)
  }
}

export class Renderer {
  seq = 1000
  readonly coreUuid = randomUUID()

  constructor (private readonly emit: Emit) {}

  /**
   * Renders recorded template `t` of frame file `file` with its roles bound to `legs` and hands it to emit.
   * Identity values of each bound role (uuid, numbers, names, destination, channel name) are replaced
   * wherever they occur; times come from the model; the event's variables are the channel's own.
   */
  render (file: FrameFile, t: Template, legs: Record<string, Channel | undefined>, opts: RenderOpts = {}): void {
    const self = legs[t.role]
    const pairs: Array<[string, string]> = []
    for (const [role, rec] of Object.entries(file.roles)) {
      const c = legs[role]
      if (!c) continue
      pairs.push([rec.uuid, c.uuid])
      if (rec.channelName) pairs.push([rec.channelName, c.name])
      if (rec.cidName) pairs.push([rec.cidName, c.cidName])
      if (rec.cidNum) pairs.push([rec.cidNum, c.cidNum])
      if (rec.dest) pairs.push([rec.dest, c.dest])
    }
    for (const key of ['Application-UUID', 'Application-Data', 'Job-UUID', 'Hangup-Cause']) {
      const was = headerOf(t, key)
      const now = opts.set?.[key]
      if (was && now !== undefined && (key !== 'Application-Data' || was.length > 3)) pairs.push([was, now])
    }
    pairs.push(...(opts.tokens ?? []))
    const sub = replacer(pairs)
    const other = self?.bridgedTo ? legs[Object.keys(legs).find(r => legs[r]?.uuid === self.bridgedTo) ?? ''] : undefined
    const us = nowUs()
    const fix = ([k, v]: Header): Header | undefined => {
      if (opts.set && k in opts.set) { const v2 = opts.set[k]; return v2 === undefined ? undefined : [k, v2] }
      if (k === 'Core-UUID') return [k, this.coreUuid]
      if (k === 'Caller-Context' && self) return [k, self.context]
      if (k === 'Event-Date-Local') return [k, localStamp(us)]
      if (k === 'Event-Date-GMT') return [k, new Date(us / 1000).toUTCString()]
      if (k === 'Event-Date-Timestamp') return [k, String(us)]
      if (k === 'Event-Sequence') return [k, String(++this.seq)]
      if ((k.startsWith('Other-Leg-') || k === 'Other-Type') && self && !other) return undefined
      const caller = /^(Caller|Other-Leg)-(.*)$/.exec(k)
      if (caller && callerTimeKeys[caller[2]]) {
        const c = caller[1] === 'Caller' ? self : other
        if (c) return [k, String(c.times[callerTimeKeys[caller[2]]] ?? 0)]
      }
      return [k, sub(v)]
    }
    const before = t.before.map(fix).filter((h): h is Header => h !== undefined && h[0] !== 'Content-Length')
    const after = t.after.map(fix).filter((h): h is Header => h !== undefined && h[0] !== 'Content-Length')
    let vars: Header[] = []
    if (self) {
      for (const [k, v] of t.varDiff) {
        const name = k.slice('variable_'.length)
        if (['origination_uuid', 'origination_caller_id_number', 'origination_caller_id_name'].includes(name)) {
          for (const [ok, ov] of self.originateVars) if (!self.vars.has(ok)) self.vars.set(ok, ov)
          continue
        }
        if (/^(sip_h_|sip_call_info$|sip_geolocation$|sip_multipart$|sip_subject$)/.test(name)) continue
        if (!self.pinned.has(k)) self.vars.set(k, sub(v))
        if (name === 'max_forwards') for (const [hk, hv] of self.headerVars) self.vars.set(hk, hv)
      }
      for (const [k, v] of Object.entries(opts.vars ?? {})) {
        if (v === undefined) self.vars.delete(`variable_${k}`)
        else self.vars.set(`variable_${k}`, v)
      }
      timeVars(self)
      if (t.hasVars) vars = [...self.vars]
    }
    const name = t.name
    const subclass = before.find(([k]) => k === 'Event-Subclass')?.[1]
    this.emit(name, [...before, ...vars, ...after], opts.body ?? (t.body !== undefined ? sub(t.body) : undefined), subclass)
  }

  /** Renders every event of a frame file (or the ones `only` picks), in recorded order. */
  renderAll (name: string, legs: Record<string, Channel | undefined>, opts: RenderOpts | ((t: Template) => RenderOpts) = {}, only?: (t: Template, i: number) => boolean): void {
    const file = loadFrames(name)
    file.events.forEach((t, i) => {
      if (only && !only(t, i)) return
      if (t.role !== '-' && !legs[t.role]) return
      this.render(file, t, legs, typeof opts === 'function' ? opts(t) : opts)
    })
  }

  one (name: string, eventName: string, n: number, legs: Record<string, Channel | undefined>, opts: RenderOpts = {}): void {
    const file = loadFrames(name)
    this.render(file, pick(file, eventName, n), legs, opts)
  }
}

export function newChannel (init: Partial<Channel> & Pick<Channel, 'direction' | 'name' | 'cidNum' | 'cidName' | 'dest'>): Channel {
  return {
    uuid: randomUUID(),
    context: 'public',
    answerState: 'ringing',
    channelState: 'CS_INIT',
    vars: new Map(),
    pinned: new Set(),
    headerVars: [],
    originateVars: [],
    times: { created: nowUs() },
    held: false,
    parked: false,
    queue: [],
    application: '',
    applicationData: '',
    hungUp: false,
    ...init
  }
}

/** The variables FreeSWITCH (sofia.c) makes of an INVITE's extra headers; see README. */
export function sipHeaderVars (headers: Record<string, string>): Header[] {
  const out: Header[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (/^call-info$/i.test(name)) out.push(['variable_sip_call_info', value])
    else if (/^geolocation$/i.test(name)) out.push(['variable_sip_geolocation', value])
    else if (/^(x-|p-|k-|on)/i.test(name) || /^user-to-user$/i.test(name) || /^diversion$/i.test(name)) out.push([`variable_sip_h_${name}`, value])
    else if (/^alert-info$/i.test(name)) out.push(['variable_alert_info', value])
  }
  // sofia sets sip_call_info before it walks the unknown headers (esl3-partner-headers call 2)
  return [...out.filter(([k]) => k === 'variable_sip_call_info'), ...out.filter(([k]) => k !== 'variable_sip_call_info')]
}
