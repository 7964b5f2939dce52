// mod_conference as the recorded FreeSWITCH 1.11.3 runs it (esl2-conference-warm, esl-conference-plain): the
// `conference` application, the `conference` api and the CUSTOM conference::maintenance events. Which
// recording each behaviour follows, and what is inferred from mod_conference's source of the recorded build
// (signalwire/freeswitch cc93a683ca), is listed in README.md. No audio is mixed: there is no talking
// detection, so the floor only moves when its holder leaves.
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { type Channel, type RenderOpts, type RunningApp } from './channels.ts'
import { type Header, type Template, fsUrlEncode, headerOf, loadFrames } from './frames.ts'
import { type Switch, STREAMS } from './switch.ts'

/**
 * Which recorded member the events of a member are rendered from: a = an inbound leg moved in by
 * uuid_transfer, b = an outbound leg moved in by uuid_transfer, c = an outbound leg originated with
 * &conference(), p = an inbound leg that ran the application itself (dialplan, sendmsg).
 */
type Kind = 'a' | 'b' | 'c' | 'p'
export type JoinedBy = 'transfer' | 'originate' | 'sendmsg'

interface PlayNode { file: string, startedAt?: number }

export interface Member {
  id: number
  c: Channel
  conf: Conference
  kind: Kind
  by: JoinedBy
  hear: boolean
  speak: boolean
  joinedAt: number
  appUuid: string
  app: RunningApp
  /** the leg it was bridged to before the transfer (its caller id fills the recorded Callee-ID headers) */
  formerPartner?: string
  transferSource?: string
  files: PlayNode[]
  /** false once it left: its file timers stop */
  running: boolean
}

export interface Conference {
  name: string
  profile: string
  uuid: string
  createdAt: number
  /** newest first, as FreeSWITCH links them */
  members: Member[]
  floor?: number
  locked: boolean
  files: PlayNode[]
  relations: Map<string, string>
  destructed: boolean
}

export interface ConferenceView { name: string, members: Array<{ id: number, uuid: string, muted: boolean, deaf: boolean, playing?: string }> }

export interface ApiResult { body: string, after?: () => void }

const FRAMES = 'conference'
const ENTER_SOUND = 'tone_stream://%(200,0,500,600,700)'
const EXIT_SOUND = 'tone_stream://%(500,0,300,200,100,50,25)'
/** FreeSWITCH prints a pointer as %u here (conference_api_sub_play); this is the value esl2-conference-warm frame 50 shows */
const GARBAGE_MEMBER_ID = '2550156005'
const FLAGS = 'running|answered|enforce_min|dynamic|exit_sound|enter_sound|json_status'
/** headers of a member's channel block that keep the value of the frame they come from */
const STATE_KEYS = new Set(['Channel-State', 'Channel-Call-State', 'Channel-State-Number', 'Answer-State'])

/** mod_conference's sub-commands (conference_api.c), for telling "not simulated" from "not found" */
const FS_SUBCOMMANDS = new Set(('canvas-auto-clear count list xml_list json_list energy auto-energy max-energy agc vid-canvas vid-watching-canvas vid-layer volume_in volume_out ' +
  'position auto-3d-position play moh pause_play play_status file_seek say saymember cam stop dtmf kick vid-flip vid-border hup hold unhold mute tmute unmute vmute ' +
  'tvmute vmute-snap unvmute vblind tvblind unvblind deaf undeaf vid-filter relate getvar setvar lock unlock dial bgdial transfer record chkrecord norecord pause ' +
  'resume recording exit_sound enter_sound pin nopin get set file-vol floor vid-floor vid-banner vid-mute-img vid-logo-img vid-codec-group vid-res-id vid-role-id ' +
  'get-uuid clear-vid-floor vid-layout vid-write-png vid-fps vid-res vid-fgimg vid-bgimg vid-bandwidth vid-personal').split(' '))

const USAGE: Record<string, string> = {
  play: 'play <file_path> [async|<member_id> [nomux]]',
  stop: 'stop <[current|all|async|last]> [<member_id>]',
  relate: 'relate <member_id>[,<member_id>] <other_member_id>[,<other_member_id>] [nospeak|nohear|clear]',
  mute: 'mute <[member_id|all]|last|non_moderator> [<quiet>]',
  unmute: 'unmute <[member_id|all]|last|non_moderator> [<quiet>]',
  deaf: 'deaf <[member_id|all]|last|non_moderator>',
  undeaf: 'undeaf <[member_id|all]|last|non_moderator>',
  hup: 'hup <[member_id|all|last|non_moderator]>',
  kick: 'kick <[member_id|all|last|non_moderator]> [<optional sound file>]'
}

const secs = (since: number) => String(Math.floor((Date.now() - since) / 1000))

const atoi = (s: string | undefined) => { const n = parseInt(s ?? '', 10); return Number.isNaN(n) ? 0 : n }

export class Conferences {
  /** member ids are one counter for the whole switch, not per conference (round 2) */
  private nextId = 1
  private readonly byName = new Map<string, Conference>()
  private readonly ticks = new Set<Conference>()

  constructor (private readonly sw: Switch, private readonly playbackMs: number) {}

  member (c: Channel): Member | undefined {
    for (const conf of this.byName.values()) for (const m of conf.members) if (m.c === c) return m
    return undefined
  }

  view (): ConferenceView[] {
    return [...this.byName.values()].map(conf => ({
      name: conf.name,
      members: conf.members.map(m => ({ id: m.id, uuid: m.c.uuid, muted: !m.speak, deaf: !m.hear, playing: m.files[0]?.file }))
    }))
  }

  // ---- joining and leaving -------------------------------------------------------------------------

  /**
   * `uuid_transfer <uuid> [-bleg|-both] conference:<room>@<profile> inline`. With -both both legs of the
   * bridge move in, after one CHANNEL_UNBRIDGE (esl2-conference-warm frames 14-18); otherwise the leg that
   * stays behind is hung up, as for any uuid_transfer of one leg of a bridge (esl2-agent-leg).
   */
  transfer (c: Channel, leg: string, arg: string): void {
    const partner = this.sw.partner(c)
    const movers = (leg === '-both' ? [c, partner] : leg === '-bleg' ? [partner] : [c]).filter((x): x is Channel => x !== undefined && !x.hungUp)
    const sources = new Map(movers.map(x => [x, `${Math.floor(Date.now() / 1000)}:${randomUUID()}:bl_xfer:conference:${arg}/${x.context}/inline`]))
    for (const x of movers) x.times.bridged = undefined // a new caller profile: Caller-Channel-Bridged-Time 0 (esl2-conference-warm frames 15-18)
    if (partner && leg === '-both') {
      const recorded = headerOf(this.addMember('a'), 'Caller-Transfer-Source') ?? ''
      this.sw.r.one(FRAMES, 'CHANNEL_UNBRIDGE', 0, { a: c, b: partner }, { tokens: [[recorded, sources.get(c) ?? ''], ['3001', this.parse(arg).name]] })
      c.bridgedTo = undefined; partner.bridgedTo = undefined
    } else if (partner) {
      const stays = leg === '-bleg' ? c : partner
      c.bridgedTo = undefined; partner.bridgedTo = undefined
      this.sw.hangup(stays, 'NORMAL_CLEARING', 'kill')
    }
    for (const x of movers) {
      const old = this.member(x)
      if (old) this.leave(old, 'transfer')
      x.parked = false
      this.run(x, arg, randomUUID(), 'transfer', x === c ? partner?.uuid : c.uuid, sources.get(x))
    }
  }

  /** The conference application on `c` (uuid_transfer ... inline, originate &conference(), sendmsg execute). */
  run (c: Channel, arg: string, appUuid: string, by: JoinedBy, formerPartner?: string, transferSource?: string): void {
    const { name, profile, flags } = this.parse(arg)
    c.application = 'conference'; c.applicationData = arg
    // not in a transcript (both recordings subscribed by name, without CHANNEL_EXECUTE): the generic application frame
    this.sw.r.one('apps', 'CHANNEL_EXECUTE', 0, { a: c }, this.appOpts(arg, appUuid))
    let conf = this.byName.get(name)
    if (!conf) {
      conf = { name, profile, uuid: randomUUID(), createdAt: Date.now(), members: [], locked: false, files: [], relations: new Map(), destructed: false }
      this.byName.set(name, conf)
      this.confEvent(conf, 'conference-create')
    }
    if (conf.locked) {
      // mod_conference.c conference_function: a locked conference turns a non-moderator away (not recorded)
      this.appEnded(c, by, arg, appUuid)
      return
    }
    const kind: Kind = by === 'originate' ? 'c' : by === 'transfer' ? (c.direction === 'inbound' ? 'a' : 'b') : (c.direction === 'inbound' ? 'p' : 'b')
    const m: Member = {
      id: this.nextId++, c, conf, kind, by, hear: !/deaf/.test(flags), speak: !/mute/.test(flags), joinedAt: Date.now(), appUuid, files: [], running: true, formerPartner, transferSource,
      app: { name: 'conference', arg, uuid: appUuid, stop: reason => this.leave(m, reason === 'hangup' ? 'hangup' : 'break') }
    }
    conf.members.unshift(m)
    ;(c.apps ??= []).push(m.app)
    if (transferSource) this.sw.setVar(c, 'transfer_source', transferSource)
    // the variables the recorded CHANNEL_HANGUP_COMPLETE of a member shows (esl2-conference-warm frame 55)
    for (const [k, v] of [['current_application_data', arg], ['current_application', 'conference'], ['conference_name', name], ['app_session_uuid', conf.uuid], ['conference_member_id', String(m.id)], ['conference_moderator', 'false'], ['conference_ghost', 'false'], ['conference_uuid', conf.uuid]]) this.sw.setVar(c, k, v)
    if (conf.members.length > 1) this.queueFile(conf, ENTER_SOUND) // conference_member_add: the enter sound when count > 1
    this.memberEvent(m, 'add-member')
    this.tick(conf)
  }

  /**
   * A member leaves: `hup`/`kick` (after the conference application, an inline or originate dialplan has
   * nothing left and the channel hangs up), its channel hanging up (the member leaves after CHANNEL_HANGUP),
   * a uuid_bridge or uuid_transfer taking the channel elsewhere.
   */
  leave (m: Member, why: 'hup' | 'kick' | 'hangup' | 'break' | 'transfer'): void {
    const conf = m.conf
    if (!conf.members.includes(m)) return
    const c = m.c
    m.running = false
    c.apps = (c.apps ?? []).filter(a => a !== m.app)
    for (const k of ['variable_current_application', 'variable_current_application_data']) c.pinned.delete(k) // the next application's frames set them again
    m.files = [] // the member's own files end with it, without an event (not recorded)
    if (conf.floor === m.id) {
      conf.floor = undefined
      this.confEvent(conf, 'floor-change') // Old-ID none, New-ID none (esl2-conference-warm frame 53)
    }
    conf.members = conf.members.filter(x => x !== m)
    if (conf.members.length === 0) {
      conf.destructed = true
      if (this.byName.get(conf.name) === conf) this.byName.delete(conf.name)
    } else this.queueFile(conf, EXIT_SOUND) // conference_member_del: the exit sound while others remain
    this.memberEvent(m, 'del-member')
    this.tick(conf)
    if (why === 'hup' || why === 'kick') { this.appEnded(c, m.by, m.app.arg, m.appUuid); return }
    this.sw.r.one('apps', 'CHANNEL_EXECUTE_COMPLETE', 0, { a: c }, this.appOpts(m.app.arg, m.appUuid, '_none_'))
  }

  private appOpts (arg: string, appUuid: string, response?: string): RenderOpts {
    return { set: { Application: 'conference', 'Application-Data': arg, 'Application-UUID': appUuid, ...(response !== undefined ? { 'Application-Response': response } : {}) }, tokens: [['set', 'conference']] }
  }

  /** The conference application returned: a sendmsg'd one goes back to what the channel did (park); an inline or originate dialplan ends and FreeSWITCH hangs up. */
  private appEnded (c: Channel, by: JoinedBy, arg: string, appUuid: string): void {
    this.sw.r.one('apps', 'CHANNEL_EXECUTE_COMPLETE', 0, { a: c }, this.appOpts(arg, appUuid, '_none_'))
    if (c.hungUp) return
    if (by !== 'sendmsg') { this.sw.hangup(c, 'NORMAL_CLEARING', 'kill'); return }
    this.sw.r.one('apps', 'PRIVATE_COMMAND', 0, { a: c })
    if (c.parked) { c.application = 'park'; c.applicationData = '' }
    if ((c.apps?.length ?? 0) === 0) c.queue.shift()?.()
  }

  /** The conference thread's next pass: an empty conference is destroyed; when nobody holds the floor the newest member gets it. */
  private tick (conf: Conference): void {
    if (this.ticks.has(conf)) return
    this.ticks.add(conf)
    this.sw.later(0, () => {
      this.ticks.delete(conf)
      if (conf.destructed) {
        // esl2-conference-warm frames 71-72: the exit sound still playing is closed, then conference-destroy
        const head = conf.files[0]
        if (head?.startedAt !== undefined) this.fileDone(conf, head)
        conf.files = []
        this.confEvent(conf, 'conference-destroy')
        return
      }
      if (conf.floor === undefined && conf.members.length > 0) {
        const m = conf.members[0]
        conf.floor = m.id
        this.memberEvent(m, 'floor-change', { 'Old-ID': 'none', 'New-ID': String(m.id) })
      }
    })
  }

  // ---- files ---------------------------------------------------------------------------------------

  /** Conference files play one after the other; the enter and exit sounds announce only their end (play-file-done). */
  private queueFile (conf: Conference, file: string): void {
    conf.files.push({ file })
    this.playNext(conf)
  }

  private playNext (conf: Conference): void {
    const head = conf.files[0]
    if (!head || head.startedAt !== undefined || conf.destructed) return
    head.startedAt = Date.now()
    if (!STREAMS.test(head.file)) this.sw.later(this.playbackMs, () => { if (conf.files[0] === head && !conf.destructed) { this.fileDone(conf, head); this.playNext(conf) } })
  }

  private fileDone (conf: Conference, node: PlayNode): void {
    conf.files = conf.files.filter(x => x !== node)
    this.confEvent(conf, 'play-file-done', { ...this.played(node), File: node.file })
  }

  private memberFile (m: Member, file: string): void {
    m.files.push({ file })
    this.memberPlayNext(m)
  }

  private memberPlayNext (m: Member): void {
    const head = m.files[0]
    if (!head || head.startedAt !== undefined) return
    head.startedAt = Date.now()
    if (!STREAMS.test(head.file)) this.sw.later(this.playbackMs, () => { if (m.files[0] === head && m.running) { this.memberFileDone(m, head); this.memberPlayNext(m) } })
  }

  private memberFileDone (m: Member, node: PlayNode): void {
    m.files = m.files.filter(x => x !== node)
    this.memberEvent(m, 'play-file-member-done', { ...this.played(node), File: node.file })
  }

  /** seconds / milliseconds / samples of conference_file_close, from the time the peer played the file (8 kHz) */
  private played (node: PlayNode): Record<string, string> {
    const samples = (node.startedAt === undefined ? 0 : Date.now() - node.startedAt) * 8
    return { seconds: String(Math.floor(samples / 8000)), milliseconds: String(Math.floor(samples / 8)), samples: String(samples) }
  }

  // ---- events --------------------------------------------------------------------------------------

  private confHeaders (conf: Conference, size = conf.members.length): Record<string, string> {
    return { 'Conference-Name': conf.name, 'Conference-Size': String(size), 'Conference-Profile-Name': conf.profile, 'Conference-Unique-ID': conf.uuid }
  }

  /** `<room>[@<profile>][+<pin>][+flags{mute|deaf|...}]` */
  private parse (arg: string): { name: string, profile: string, flags: string } {
    const m = /^([^@+]+)(?:@([^+]+))?(.*)$/.exec(arg.trim())
    return { name: m?.[1] ?? arg, profile: m?.[2] ?? 'default', flags: /flags\{([^}]*)\}/.exec(m?.[3] ?? '')?.[1] ?? '' }
  }

  /** A conference event without a member (conference-create, floor-change to nobody, play-file, play-file-done, lock, unlock, conference-destroy). */
  private confEvent (conf: Conference, action: string, extra: Record<string, string> = {}): void {
    const f = loadFrames(FRAMES)
    const t = f.events.find(x => x.role === '-' && headerOf(x, 'Action') === action)
    if (!t) throw new Error(`no recorded ${action}`)
    this.sw.r.render(f, t, {}, { set: { ...this.confHeaders(conf), ...extra } })
  }

  /** The add-member frame recorded for a kind of member: its channel block is the one every event of such a member carries. */
  private addMember (kind: Kind): Template {
    const t = loadFrames(FRAMES).events.find(x => x.role === kind && headerOf(x, 'Action') === 'add-member')
    if (!t) throw new Error(`no recorded add-member for ${kind}`)
    return t
  }

  /**
   * The recorded frame of a member event (one recorded for the same kind of member when there is one); a
   * frame recorded for another kind gets that kind's channel block (Channel-State .. Caller-Privacy-Hide-Number)
   * from its add-member frame, keeping its own state headers.
   */
  private memberTemplate (action: string, kind: Kind): Template {
    const all = loadFrames(FRAMES).events.filter(t => t.name === 'CUSTOM' && t.role !== '-' && headerOf(t, 'Action') === action)
    const t = all.find(x => x.role === kind) ?? all[0]
    if (!t) throw new Error(`no recorded ${action}`)
    if (t.role === kind) return t
    const block = (hs: Header[]) => { const i = hs.findIndex(([k]) => k === 'Channel-State'); return [i, hs.findIndex(([k], n) => n > i && k === 'Video')] }
    const src = this.addMember(kind).before
    const [si, sj] = block(src)
    const [ti, tj] = block(t.before)
    const own = new Map(t.before.slice(ti, tj))
    const spliced = src.slice(si, sj).map(([k, v]): Header => [k, STATE_KEYS.has(k) && own.has(k) ? own.get(k)! : v])
    return { ...t, role: kind, before: [...t.before.slice(0, ti), ...spliced, ...t.before.slice(tj)] }
  }

  /** Renders a member event (add-member, del-member, mute-member, floor-change, play-file-member, hup-member, ...). */
  private memberEvent (m: Member, action: string, extra: Record<string, string> = {}): void {
    const f = loadFrames(FRAMES)
    const legs: Record<string, Channel | undefined> = { [m.kind]: m.c }
    const partner = m.formerPartner ? this.sw.channels.get(m.formerPartner) : undefined
    if (partner && m.kind === 'a') legs.b = partner
    if (partner && m.kind === 'b') legs.a = partner
    const set: Record<string, string | undefined> = { ...this.confHeaders(m.conf), Floor: String(m.conf.floor === m.id), Hear: String(m.hear), Speak: String(m.speak), 'Member-ID': String(m.id), Talking: 'false', 'Current-Energy': '0', ...extra }
    const recordedTs = headerOf(this.addMember(m.kind), 'Caller-Transfer-Source')
    if (recordedTs && !m.transferSource) set['Caller-Transfer-Source'] = undefined
    this.sw.r.render(f, this.memberTemplate(action, m.kind), legs, { set, tokens: recordedTs && m.transferSource ? [[recordedTs, m.transferSource]] : [] })
  }

  // ---- the conference api --------------------------------------------------------------------------

  /** `api conference ...`: the body, and what happens after the reply went out (events, members leaving). */
  api (args: string[]): ApiResult {
    // no arguments: FreeSWITCH prints its command help (not recorded); the peer answers as for `conference list`
    if (args.length === 0) return { body: this.globalList(['list']) }
    const conf = this.byName.get(args[0])
    if (conf) return args.length < 2 ? { body: 'Conference command, not specified.\nTry \'help\'\n' } : this.sub(conf, args)
    switch (args[0].toLowerCase()) {
      case 'list': return { body: this.globalList(args) }
      case 'count': return { body: String(this.byName.size) }
      case 'json_list': return { body: this.jsonList([...this.byName.values()], args[1] === 'compact') }
      case 'xml_list': return { body: this.xmlList([...this.byName.values()]) }
    }
    return { body: `-ERR Conference ${args[0]} not found\n` } // esl-inbound-plain, esl-conference-plain frame 39
  }

  private sub (conf: Conference, argv: string[]): ApiResult {
    const cmd = argv[1]
    switch (cmd.toLowerCase()) {
      case 'list': {
        if ((argv[2] ?? '').toLowerCase() === 'count') return { body: String(conf.members.length) } // no newline (esl2-conference-warm frame 59)
        if ((argv[2] ?? '').toLowerCase() === 'pretty') return { body: '-ERR the FreeSWITCH test peer does not simulate conference list pretty\n' }
        const d = (argv[2] ?? '').toLowerCase() === 'delim' && argv[3] ? argv[3].replace(/^"([^"]*)"?.*$/, '$1') : ';'
        return { body: this.rows(conf, d) }
      }
      case 'count': return { body: String(conf.members.length) }
      case 'json_list': return { body: this.jsonList([conf], argv[2] === 'compact') }
      case 'xml_list': return { body: this.xmlList([conf]) }
      case 'mute': case 'unmute': case 'deaf': case 'undeaf': case 'hup': case 'kick': return this.memberCommand(conf, cmd.toLowerCase(), argv)
      case 'play': return this.play(conf, argv)
      case 'stop': return this.stop(conf, argv)
      case 'relate': return this.relate(conf, argv)
      case 'lock': case 'unlock': {
        const lock = cmd.toLowerCase() === 'lock'
        conf.locked = lock
        return { body: `+OK ${argv[0]} ${lock ? 'locked' : 'unlocked'}\n`, after: () => this.confEvent(conf, lock ? 'lock' : 'unlock') } // esl-conference-plain frames 32-37
      }
    }
    if (FS_SUBCOMMANDS.has(cmd.toLowerCase())) return { body: `-ERR the FreeSWITCH test peer does not simulate conference ${cmd}\n` }
    return { body: `-ERR Conference command '${cmd}' not found.\n` } // esl-conference-plain frame 38
  }

  /** conference_list: `<id>;<channel name>;<uuid>;<caller id name>;<caller id number>;<flags>;<volume in>;<volume out>;<energy>`, newest member first */
  private rows (conf: Conference, d = ';'): string {
    return conf.members.map(m => {
      const [name, num] = this.callerId(m)
      const flags = [m.hear && 'hear', m.speak && 'speak', conf.floor === m.id && 'floor'].filter(Boolean).join('|')
      return [m.id, m.c.name, m.c.uuid, name, num, flags, 0, 0, 100].join(d) + '\n'
    }).join('')
  }

  /**
   * The caller id mod_conference lists (the channel's caller profile): an inbound caller's own; a leg originated
   * straight into the conference shows FreeSWITCH's callee defaults, `Outbound Call` and the number dialled
   * (esl2-conference-warm: `Outbound Call;110`, esl-conference-plain: `Outbound Call;agent`); another
   * originated leg its origination caller id (`;12345`: a number without a name leaves the name empty).
   */
  private callerId (m: Member): [string, string] {
    const c = m.c
    if (c.direction === 'inbound') return [c.cidName, c.cidNum]
    if (m.kind === 'c') return ['Outbound Call', c.dest]
    const v = new Map(c.originateVars)
    const name = v.get('variable_origination_caller_id_name') ?? (v.has('variable_origination_caller_id_number') ? '' : c.cidName)
    return [name, c.cidNum]
  }

  /** `conference list` without a conference: a header line per conference, then its members (esl2-conference-warm frame 61) */
  private globalList (args: string[]): string {
    if (this.byName.size === 0) return '+OK No active conferences.\n'
    const d = (args[1] ?? '').toLowerCase() === 'delim' && args[2] ? args[2] : ';'
    const summary = (args[1] ?? '').toLowerCase() === 'summary'
    return [...this.byName.values()].map(conf => {
      const n = conf.members.length
      const head = `+OK Conference ${conf.name} (${n} member${n === 1 ? '' : 's'} rate: 8000${conf.locked ? ' locked' : ''} flags: ${conf.locked ? 'locked|' : ''}${FLAGS})\n`
      return head + (summary ? '' : this.rows(conf, d))
    }).join('')
  }

  /** mute / unmute / deaf / undeaf / hup / kick `<id|all|last|non_moderator|var=value>` (conference_api_dispatch, CONF_API_SUB_MEMBER_TARGET) */
  private memberCommand (conf: Conference, cmd: string, argv: string[]): ApiResult {
    const target = argv[2]
    const id = atoi(target)
    let targets: Member[]
    if (id) {
      const m = conf.members.find(x => x.id === id)
      if (!m) return { body: `-ERR Non-Existant ID ${id}\n` } // sic (esl-conference-plain frame 36, esl2-conference-warm frame 60)
      targets = [m]
    } else if (target && ['all', 'non_moderator'].includes(target.toLowerCase())) targets = [...conf.members]
    else if (target?.toLowerCase() === 'last') targets = conf.members.length ? [conf.members.reduce((a, b) => (b.id > a.id ? b : a))] : []
    else if (target?.includes('=')) {
      const [k, v] = [target.slice(0, target.indexOf('=')), target.slice(target.indexOf('=') + 1)]
      const m = conf.members.find(x => this.sw.getVar(x.c, k) === v)
      if (!m) return { body: '-ERR Non-Existant member\n' }
      targets = [m]
    } else return { body: USAGE[cmd] }
    let body = ''
    const events: Array<() => void> = []
    const leaving: Array<() => void> = []
    for (const m of targets) {
      switch (cmd) {
        case 'mute': m.speak = false; body += `+OK mute ${m.id}\n`; events.push(() => this.memberEvent(m, 'mute-member')); break
        case 'unmute': m.speak = true; body += `+OK unmute ${m.id}\n`; events.push(() => this.memberEvent(m, 'unmute-member')); break
        case 'deaf': m.hear = false; body += `+OK deaf ${m.id}\n`; events.push(() => this.memberEvent(m, 'deaf-member')); break
        case 'undeaf': m.hear = true; body += `+OK undeaf ${m.id}\n`; events.push(() => this.memberEvent(m, 'undeaf-member')); break
        case 'hup': body += `+OK hup ${m.id}\n`; events.push(() => this.memberEvent(m, 'hup-member')); leaving.push(() => this.leave(m, 'hup')); break
        case 'kick': body += `+OK kicked ${m.id}\n`; events.push(() => this.memberEvent(m, 'kick-member')); leaving.push(() => this.leave(m, 'kick')); break
      }
    }
    return { body, after: () => { for (const f of events) f(); for (const f of leaving) f() } }
  }

  /** conference_member_get_by_str: a member id or `last` */
  private memberByStr (conf: Conference, s: string): Member | undefined {
    if (s.toLowerCase() === 'last') return conf.members.length ? conf.members.reduce((a, b) => (b.id > a.id ? b : a)) : undefined
    const id = atoi(s)
    return id ? conf.members.find(x => x.id === id) : undefined
  }

  /** `play <file> [async|<member_id> [nomux]]` (esl2-conference-warm frames 33, 44, 47, 50) */
  private play (conf: Conference, argv: string[]): ApiResult {
    let argc = argv.length
    let async = false
    if ((argc === 4 && argv[3].toLowerCase() === 'async') || (argc === 5 && argv[4].toLowerCase() === 'async')) { argc--; async = true }
    const file = argv[2]
    const missing = file !== undefined && file.startsWith('/') && !existsSync(file)
    if (argc === 3) {
      if (missing) return { body: `-ERR (play) File: ${file} not found.\n` }
      return { body: `+OK (play) Playing file ${file}\n`, after: () => { this.confEvent(conf, 'play-file', { File: file, Async: String(async) }); this.queueFile(conf, file) } }
    }
    if (argc >= 4) {
      const m = this.memberByStr(conf, argv[3])
      if (!m) return { body: `-ERR Member: ${GARBAGE_MEMBER_ID} not found.\n${USAGE.play}` }
      if (missing) return { body: `-ERR (play) File: ${file} not found.\n` }
      return { body: `+OK (play) Playing file ${file} to member ${m.id}\n`, after: () => { this.memberEvent(m, 'play-file-member', { File: file }); this.memberFile(m, file) } }
    }
    return { body: USAGE.play }
  }

  /** `stop [current|all|async] [<member_id>]` (conference_api_sub_stop; not recorded): `+OK Stopped N files.`, each stopped file ends with play-file[-member]-done */
  private stop (conf: Conference, argv: string[]): ApiResult {
    const how = argv.length > 2 ? argv[2].toLowerCase() : 'all'
    if (!['current', 'all', 'async'].includes(how)) return { body: USAGE.stop }
    if (argv.length === 4) {
      const m = this.memberByStr(conf, argv[3])
      if (!m) return { body: `-ERR Member: ${argv[3]} not found.\n` }
      const nodes = how === 'all' ? [...m.files] : m.files.slice(0, 1)
      return { body: `+OK Stopped ${nodes.length} files.\n`, after: () => { for (const n of nodes) this.memberFileDone(m, n); this.memberPlayNext(m) } }
    }
    const nodes = how === 'all' ? [...conf.files] : how === 'current' ? conf.files.slice(0, 1) : []
    return { body: `+OK Stopped ${nodes.length} files.\n`, after: () => { for (const n of nodes) this.fileDone(conf, n); this.playNext(conf) } }
  }

  /** `relate <ids> <other ids> [nospeak|nohear|clear]` (esl2-conference-warm frames 40-43); only the replies, no audio */
  private relate (conf: Conference, argv: string[]): ApiResult {
    if (argv.length <= 3) {
      if (conf.relations.size === 0) return { body: '+OK No relationships\n' }
      if (argv.length < 3) return { body: '' }
      const ids = argv[2].split(',').map(atoi)
      let body = ''
      for (const [key, flags] of conf.relations) {
        const [id, oid] = key.split('->')
        if (!ids.includes(Number(id))) continue
        body += `${id} -> ${oid} ${flags.includes('nospeak') ? 'NOSPEAK ' : 'SPEAK '}${flags.includes('nohear') ? 'NOHEAR ' : 'HEAR '}NOSENDVIDEO \n`
      }
      return { body }
    }
    const action = argv[4]
    if (!action) return { body: USAGE.relate }
    const clear = action.toLowerCase() === 'clear'
    const setting = /nospeak|nohear|sendvideo/.test(action)
    if (!clear && !setting) return { body: USAGE.relate }
    let body = ''
    const has = (id: number) => conf.members.some(x => x.id === id)
    for (const id of argv[2].split(',').map(atoi)) {
      for (const oid of argv[3].split(',').map(atoi)) {
        if (clear) {
          if (has(id)) { conf.relations.delete(`${id}->${oid}`); body += `+OK relationship ${id}->${oid} cleared.\n` } else body += `-ERR relationship ${id}->${oid} not found.\n`
        }
        if (setting) {
          if (has(id) && has(oid)) { conf.relations.set(`${id}->${oid}`, action); body += `+OK ${id}->${oid} ${action} set\n` } else body += `-ERR relationship ${id}->${oid} not found.\n`
        }
      }
    }
    return { body }
  }

  /** cJSON_Print of conference_jlist, as esl2-conference-warm frame 28 shows it */
  private jsonList (confs: Conference[], compact: boolean): string {
    const list = confs.map(conf => ({
      conference_name: conf.name, member_count: conf.members.length, ghost_count: 0, rate: 8000, run_time: Number(secs(conf.createdAt)), conference_uuid: conf.uuid,
      canvas_count: 0, max_bw_in: 0, force_bw_in: 0, video_floor_packets: 0, locked: conf.locked, destruct: false, wait_mod: false, audio_always: false, running: true,
      answered: true, enforce_min: true, bridge_to: false, dynamic: true, exit_sound: true, enter_sound: true, recording: false, video_bridge: false, video_floor_only: false,
      video_rfc4579: false, variables: {},
      members: conf.members.map(m => {
        const [name, num] = this.callerId(m)
        return {
          type: 'caller', id: m.id,
          flags: { can_hear: m.hear, can_see: true, can_speak: m.speak, hold: false, mute_detect: false, talking: false, has_video: false, video_bridge: false, has_floor: conf.floor === m.id, is_moderator: false, end_conference: false, mandatory_member_end_conference: false, pass_digits: false },
          uuid: m.c.uuid, caller_id_name: name, caller_id_number: num, join_time: Number(secs(m.joinedAt)), last_talking: 0, energy: 100, volume_in: 0, volume_out: 0, 'output-volume': 0, 'input-volume': 0
        }
      })
    }))
    return compact ? JSON.stringify(list) : cjson(list, 0)
  }

  /** switch_xml_toxml of conference_xlist, as esl2-conference-warm frame 62 shows it */
  private xmlList (confs: Conference[]): string {
    if (confs.length === 0) return '<?xml version="1.0"?>\n<conferences></conferences>\n' // not recorded
    const bool = (b: boolean) => String(b)
    const out = ['<?xml version="1.0"?>', '<conferences>']
    for (const conf of confs) {
      out.push(`  <conference name="${xmlAttr(conf.name)}" member-count="${conf.members.length}" ghost-count="0" rate="8000" uuid="${conf.uuid}"${conf.locked ? ' locked="true"' : ''} running="true" answered="true" enforce_min="true" dynamic="true" exit_sound="true" enter_sound="true" run_time="${secs(conf.createdAt)}">`)
      out.push('    <variables></variables>', '    <members>')
      for (const m of conf.members) {
        const [name, num] = this.callerId(m)
        out.push('      <member type="caller">', `        <id>${m.id}</id>`, '        <flags>',
          `          <can_hear>${bool(m.hear)}</can_hear>`, '          <can_see>true</can_see>', `          <can_speak>${bool(m.speak)}</can_speak>`,
          '          <mute_detect>false</mute_detect>', '          <talking>false</talking>', '          <hold>false</hold>', '          <has_video>false</has_video>',
          '          <video_bridge>false</video_bridge>', `          <has_floor>${bool(conf.floor === m.id)}</has_floor>`, '          <is_moderator>false</is_moderator>',
          '          <end_conference>false</end_conference>', '          <mandatory_member_end_conference>false</mandatory_member_end_conference>', '          <is_ghost>false</is_ghost>',
          '        </flags>', `        <uuid>${m.c.uuid}</uuid>`, `        <caller_id_name>${fsUrlEncode(name)}</caller_id_name>`, `        <caller_id_number>${fsUrlEncode(num)}</caller_id_number>`,
          `        <join_time>${secs(m.joinedAt)}</join_time>`, '        <last_talking>N/A</last_talking>', '        <energy>100</energy>', '        <volume_in>0</volume_in>',
          '        <volume_out>0</volume_out>', '        <output-volume>0</output-volume>', '      </member>')
      }
      out.push('    </members>', '  </conference>')
    }
    out.push('</conferences>')
    return out.join('\n') + '\n'
  }
}

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** cJSON_Print's layout: objects one member a line indented with tabs, `"key":\t<value>`; arrays inline, `, ` between items */
function cjson (v: unknown, depth: number): string {
  if (Array.isArray(v)) return `[${v.map(x => cjson(x, depth + 1)).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
    const pad = '\t'.repeat(depth + 1)
    return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}:\t${cjson(x, depth + 1)}`).join(',\n')}${entries.length ? '\n' : ''}${'\t'.repeat(depth)}}`
  }
  return JSON.stringify(v)
}
