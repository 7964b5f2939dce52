// Conferences in the FreeSWITCH test peer, driven with a raw event socket the way the recorded
// esl2-conference-warm run drove a real FreeSWITCH 1.11 (see test/peers/freeswitch/README.md).
import t from 'tap'
import { type FreeswitchPeer, startFreeswitchPeer } from './freeswitch/peer.ts'
import { RawEsl, type WireFrame, plainHeaders } from './freeswitch/wire.ts'
import { loadFrames } from './freeswitch/frames.ts'

interface TestLike { teardown (fn: () => unknown): void }

/** The subscription of esl2-conference-warm. */
const WARM_EVENTS = 'CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_PARK CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB CUSTOM conference::maintenance'
const AGENT = 'sofia/external/1001@127.0.0.1:5091'
const DISPATCHER = 'sofia/external/110@127.0.0.1:5090'

type Headers = Record<string, string>

class Client {
  constructor (readonly raw: RawEsl) {}

  /** Sends `api <cmd>` and returns the api/response body. */
  async api (cmd: string): Promise<string> {
    const n = this.replies().length
    this.raw.send(`api ${cmd}`)
    await this.raw.until(() => this.replies().length > n)
    return this.replies()[n].body
  }

  replies (): WireFrame[] { return this.raw.frames.filter(f => f.headers['Content-Type'] === 'api/response') }

  /** Every plain event received so far, as header maps (values decoded). */
  events (): Headers[] { return this.raw.events().map(f => plainHeaders(f.body)) }

  /** conference::maintenance events, optionally of one Action. */
  conf (action?: string): Headers[] { return this.events().filter(h => h['Event-Subclass'] === 'conference::maintenance' && (!action || h.Action === action)) }

  async until (pred: () => boolean, what: string): Promise<void> {
    try { await this.raw.until(pred) } catch { throw new Error(`timed out waiting for ${what}`) }
  }
}

async function client (t: TestLike, peer: FreeswitchPeer, events = WARM_EVENTS): Promise<Client> {
  const raw = new RawEsl(peer.port)
  t.teardown(() => raw.close())
  await raw.until(f => f.length >= 1)
  raw.send('auth ClueCon')
  raw.send(`event plain ${events}`)
  await raw.until(f => f.length >= 3)
  return new Client(raw)
}

/** esl2-conference-warm up to the transfer: a caller parked, agent 1001 originated and bridged to it. */
async function bridgedCall (t: TestLike, opts = {}) {
  const peer = await startFreeswitchPeer({ password: 'ClueCon', port: 0, playbackMs: 30, heartbeatMs: 20000, ...opts })
  t.teardown(() => peer.close())
  peer.setEndpoint(AGENT, { answerAfterMs: 10 })
  peer.setEndpoint(DISPATCHER, { answerAfterMs: 10 })
  const esl = await client(t, peer)
  const caller = await peer.placeCall({ destination: '12399', callerNumber: '13900001', callerName: 'Citizen' })
  esl.raw.send(`bgapi originate {origination_caller_id_number=12345,ignore_early_media=true}${AGENT} &park`)
  await esl.until(() => esl.events().some(h => h['Event-Name'] === 'BACKGROUND_JOB'), 'the agent leg')
  const agent = peer.channels().find(c => c.uuid !== caller)!.uuid
  await esl.api(`uuid_bridge ${caller} ${agent}`)
  return { peer, esl, caller, agent }
}

/** ... then the transfer of both legs into room `room` and the dispatcher originated into it. */
async function threeParty (t: TestLike, room = '3001', opts = {}) {
  const s = await bridgedCall(t, opts)
  const { peer, esl } = s
  const reply = await esl.api(`uuid_transfer ${s.caller} -both conference:${room}@default inline`)
  if (reply !== '+OK\n') throw new Error(`uuid_transfer: ${reply}`)
  esl.raw.send(`bgapi originate {origination_caller_id_number=12345,origination_caller_id_name=Hotline,ignore_early_media=true}${DISPATCHER} &conference(${room}@default)`)
  await esl.until(() => esl.conf('add-member').length === 3, 'three members')
  await esl.until(() => esl.conf('play-file-done').length === 2, 'the two enter sounds')
  const dispatcher = peer.channels().find(c => c.uuid !== s.caller && c.uuid !== s.agent)!.uuid
  const [callerId, agentId, dispatcherId] = esl.conf('add-member').map(h => Number(h['Member-ID']))
  return { ...s, dispatcher, callerId, agentId, dispatcherId, room }
}

t.test('uuid_transfer -both moves a bridged caller and agent into a conference; a third party originated with &conference joins it', async t => {
  const s = await bridgedCall(t)
  const { peer, esl, caller, agent } = s
  const mark = esl.events().length
  t.equal(await esl.api(`uuid_transfer ${caller} -both conference:3001@default inline`), '+OK\n', 'the recorded reply (esl2-conference-warm frame 14)')
  await esl.until(() => esl.conf('floor-change').length === 1 && esl.conf('play-file-done').length === 1, 'floor and enter sound')
  const seq = esl.events().slice(mark).map(h => h['Event-Name'] === 'CUSTOM' ? `${h.Action}${h['Unique-ID'] ? ' ' + h['Unique-ID'] : ''}` : `${h['Event-Name']} ${h['Unique-ID']}`)
  t.same(seq, [`CHANNEL_UNBRIDGE ${caller}`, 'conference-create', `add-member ${caller}`, `add-member ${agent}`, `floor-change ${agent}`, 'play-file-done'], 'the recorded order (frames 15-20): one UNBRIDGE, both legs added, the floor to the newest member, the enter sound')
  const unbridge = esl.events().find(h => h['Event-Name'] === 'CHANNEL_UNBRIDGE')!
  t.match(unbridge, { 'Bridge-A-Unique-ID': caller, 'Bridge-B-Unique-ID': agent, 'Caller-Destination-Number': 'conference:3001@default', 'Caller-Dialplan': 'inline' })
  const [a, b] = esl.conf('add-member')
  t.equal(Number(b['Member-ID']), Number(a['Member-ID']) + 1, 'member ids count up')
  t.match(a, { 'Conference-Name': '3001', 'Conference-Size': '1', 'Conference-Profile-Name': 'default', Floor: 'false', Hear: 'true', Speak: 'true', 'Caller-Caller-ID-Number': '13900001', 'Caller-Caller-ID-Name': 'Citizen' })
  t.match(b, { 'Conference-Size': '2', 'Caller-Caller-ID-Number': '12345', 'Caller-Callee-ID-Number': '13900001' })
  t.equal(esl.conf('conference-create')[0]['Conference-Unique-ID'], a['Conference-Unique-ID'])
  t.match(esl.conf('floor-change')[0], { 'Old-ID': 'none', 'New-ID': b['Member-ID'], Floor: 'true' })
  t.equal(esl.conf('play-file-done')[0].File, 'tone_stream://%(200,0,500,600,700)', 'the enter sound of the recording')
  const recorded = loadFrames('conference').events.find(x => x.source.endsWith('frame 17'))!
  const sent = esl.raw.events().find(f => f.body.includes('\nAction: add-member'))!.body
  t.same(sent.split('\n').filter(Boolean).map(l => l.slice(0, l.indexOf(': '))), recorded.before.map(([k]) => k), 'add-member carries the recorded header set, in the recorded order')
  t.notOk(peer.channels().some(c => c.bridgedTo), 'the bridge has ended')
  t.ok(peer.channels().every(c => c.application === 'conference'), 'both legs run the conference application')

  esl.raw.send(`bgapi originate {origination_caller_id_number=12345,origination_caller_id_name=Hotline,ignore_early_media=true}${DISPATCHER} &conference(3001@default)`)
  await esl.until(() => esl.conf('add-member').length === 3 && esl.conf('play-file-done').length === 2, 'the third member')
  const dispatcher = peer.channels().find(c => c.uuid !== caller && c.uuid !== agent)!.uuid
  const job = esl.events().findIndex(h => h['Event-Name'] === 'BACKGROUND_JOB' && h['Job-Command-Arg']?.includes('&conference'))
  const added = esl.events().findIndex(h => h.Action === 'add-member' && h['Unique-ID'] === dispatcher)
  t.ok(job >= 0 && job < added, 'added after the originate\'s BACKGROUND_JOB (frames 24-25)')
  const c = esl.conf('add-member')[2]
  t.equal(Number(c['Member-ID']), Number(b['Member-ID']) + 1)
  t.match(c, { 'Conference-Size': '3', 'Caller-Caller-ID-Name': 'Outbound Call', 'Caller-Caller-ID-Number': '110', 'Caller-Orig-Caller-ID-Name': 'Hotline' })

  const list = await esl.api('conference 3001 list')
  t.equal(list, [
    `${c['Member-ID']};${DISPATCHER};${dispatcher};Outbound Call;110;hear|speak;0;0;100`,
    `${b['Member-ID']};${AGENT};${agent};;12345;hear|speak|floor;0;0;100`,
    `${a['Member-ID']};${a['Channel-Name']};${caller};Citizen;13900001;hear|speak;0;0;100`, ''
  ].join('\n'), 'the recorded row layout, newest member first (frame 27)')
  t.equal(await esl.api('conference 3001 list count'), '3', 'the count, without a newline')
  const json = JSON.parse(await esl.api('conference 3001 json_list'))
  t.match(json, [{ conference_name: '3001', member_count: 3, members: [{ id: Number(c['Member-ID']), caller_id_name: 'Outbound Call' }, { flags: { has_floor: true } }, { uuid: caller }] }])
  t.same(peer.conferences(), [{ name: '3001', members: [
    { id: Number(c['Member-ID']), uuid: dispatcher, muted: false, deaf: false, playing: undefined },
    { id: Number(b['Member-ID']), uuid: agent, muted: false, deaf: false, playing: undefined },
    { id: Number(a['Member-ID']), uuid: caller, muted: false, deaf: false, playing: undefined }
  ] }])
  t.match(await esl.api('conference list'), new RegExp(`^\\+OK Conference 3001 \\(3 members rate: 8000 flags: running\\|answered\\|enforce_min\\|dynamic\\|exit_sound\\|enter_sound\\|json_status\\)\\n${c['Member-ID']};`), 'the recorded header line of `conference list` (frame 61)')
})

t.test('private consult: the caller muted and deafened has an empty flags column; undeaf and unmute restore it', async t => {
  const s = await threeParty(t)
  const { esl, callerId } = s
  t.equal(await esl.api(`conference 3001 mute ${callerId}`), `+OK mute ${callerId}\n`)
  t.equal(await esl.api(`conference 3001 deaf ${callerId}`), `+OK deaf ${callerId}\n`)
  await esl.until(() => esl.conf('deaf-member').length === 1, 'deaf-member')
  t.match(esl.conf('mute-member')[0], { 'Member-ID': String(callerId), 'Unique-ID': s.caller, Hear: 'true', Speak: 'false' }, 'as frame 31')
  t.match(esl.conf('deaf-member')[0], { 'Member-ID': String(callerId), Hear: 'false', Speak: 'false' }, 'as frame 32')
  const row = (await esl.api('conference 3001 list')).split('\n').find(l => l.startsWith(`${callerId};`))
  t.equal(row, `${callerId};${esl.conf('add-member')[0]['Channel-Name']};${s.caller};Citizen;13900001;;0;0;100`, 'muted and deaf: an empty flags column (frame 36)')
  t.match(s.peer.conferences()[0].members.find(m => m.id === callerId), { muted: true, deaf: true })
  t.equal(await esl.api(`conference 3001 undeaf ${callerId}`), `+OK undeaf ${callerId}\n`)
  t.equal(await esl.api(`conference 3001 unmute ${callerId}`), `+OK unmute ${callerId}\n`)
  await esl.until(() => esl.conf('unmute-member').length === 1, 'unmute-member')
  t.match(esl.conf('undeaf-member')[0], { Hear: 'true', Speak: 'false' }, 'as frame 38')
  t.match(esl.conf('unmute-member')[0], { Hear: 'true', Speak: 'true' }, 'as frame 41')
  t.match(await esl.api('conference 3001 list'), new RegExp(`\\n${callerId};.*;Citizen;13900001;hear\\|speak;0;0;100\\n$`))
  t.equal(await esl.api(`conference 3001 relate ${callerId} ${s.agentId} nohear`), `+OK ${callerId}->${s.agentId} nohear set\n`, 'frame 40')
  t.equal(await esl.api(`conference 3001 relate ${callerId} ${s.agentId}`), 'relate <member_id>[,<member_id>] <other_member_id>[,<other_member_id>] [nospeak|nohear|clear]', 'frame 42: the usage, no newline')
  t.equal(await esl.api(`conference 3001 relate ${callerId} ${s.agentId} clear`), `+OK relationship ${callerId}->${s.agentId} cleared.\n`, 'frame 43')
})

t.test('play to one member and to everyone; a missing member; stop', async t => {
  const s = await threeParty(t)
  const { esl, dispatcherId } = s
  t.equal(await esl.api(`conference 3001 play tone_stream://%(400,0,900) ${dispatcherId}`), `+OK (play) Playing file tone_stream://%(400,0,900) to member ${dispatcherId}\n`, 'frame 47')
  t.match(s.peer.conferences()[0].members[0], { id: dispatcherId, playing: 'tone_stream://%(400,0,900)' })
  await esl.until(() => esl.conf('play-file-member-done').length === 1, 'play-file-member-done')
  t.match(esl.conf('play-file-member')[0], { 'Member-ID': String(dispatcherId), 'Unique-ID': s.dispatcher, File: 'tone_stream://%(400,0,900)' }, 'frame 48')
  t.match(esl.conf('play-file-member-done')[0], { 'Member-ID': String(dispatcherId), File: 'tone_stream://%(400,0,900)', samples: /^\d+$/ }, 'frame 49')
  t.equal(s.peer.conferences()[0].members[0].playing, undefined)

  const before = esl.conf('play-file-done').length
  t.equal(await esl.api('conference 3001 play tone_stream://%(400,0,700)'), '+OK (play) Playing file tone_stream://%(400,0,700)\n', 'frame 44')
  await esl.until(() => esl.conf('play-file-done').length > before, 'play-file-done')
  t.match(esl.conf('play-file')[0], { File: 'tone_stream://%(400,0,700)', Async: 'false', 'Conference-Size': '3' }, 'frame 45')
  t.equal(esl.conf('play-file-done').at(-1)!.File, 'tone_stream://%(400,0,700)', 'frame 46')

  t.equal(await esl.api('conference 3001 play tone_stream://%(400,0,700) 999'), '-ERR Member: 2550156005 not found.\nplay <file_path> [async|<member_id> [nomux]]', 'frame 50, the wrong id included')

  t.equal(await esl.api(`conference 3001 play local_stream://moh ${s.callerId}`), `+OK (play) Playing file local_stream://moh to member ${s.callerId}\n`)
  t.equal(await esl.api(`conference 3001 stop ${s.callerId}`), 'stop <[current|all|async|last]> [<member_id>]', 'a member id alone is not a stop mode (conference_api_sub_stop)')
  t.equal(await esl.api(`conference 3001 stop all ${s.callerId}`), '+OK Stopped 1 files.\n')
  await esl.until(() => esl.conf('play-file-member-done').length === 2, 'the music stopped')
  t.equal(esl.conf('play-file-member-done')[1].File, 'local_stream://moh')
  t.equal(await esl.api('conference 3001 stop'), '+OK Stopped 0 files.\n')
})

t.test('hup of the third party: it leaves and its channel hangs up; a second hup and other unknown ids are refused as recorded', async t => {
  const s = await threeParty(t)
  const { esl, peer, dispatcherId } = s
  t.equal(await esl.api(`conference 3001 hup ${dispatcherId}`), `+OK hup ${dispatcherId}\n`, 'frame 51')
  await esl.until(() => esl.events().some(h => h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE'), 'the hangup')
  const seq = esl.events().filter(h => h.Action === 'hup-member' || h.Action === 'del-member' || h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE').map(h => h.Action ?? h['Event-Name'])
  t.same(seq, ['hup-member', 'del-member', 'CHANNEL_HANGUP_COMPLETE'], 'the recorded order (frames 52, 54, 55)')
  t.match(esl.conf('hup-member')[0], { 'Member-ID': String(dispatcherId), 'Conference-Size': '3' })
  t.match(esl.conf('del-member')[0], { 'Member-ID': String(dispatcherId), 'Conference-Size': '2', Floor: 'false' })
  const huc = esl.events().find(h => h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE')!
  t.match(huc, { 'Unique-ID': s.dispatcher, 'Hangup-Cause': 'NORMAL_CLEARING', variable_current_application: 'conference', variable_current_application_data: '3001@default', variable_conference_name: '3001', variable_conference_member_id: String(dispatcherId), variable_conference_uuid: esl.conf('add-member')[0]['Conference-Unique-ID'] })
  t.notOk(peer.channels().some(c => c.uuid === s.dispatcher), 'its channel is gone')
  t.equal(await esl.api('conference 3001 list count'), '2')
  t.equal(await esl.api(`conference 3001 hup ${dispatcherId}`), `-ERR Non-Existant ID ${dispatcherId}\n`, 'frame 60 (sic)')
  t.equal(await esl.api('conference 3001 mute 999'), '-ERR Non-Existant ID 999\n', 'esl-conference-plain frame 36')
  t.equal(await esl.api('conference 3001 bogus_subcommand'), "-ERR Conference command 'bogus_subcommand' not found.\n", 'esl-conference-plain frame 38')

  // the agent held the floor: hup of the floor holder releases it, the newest member gets it (frames 53-56)
  t.equal(await esl.api(`conference 3001 hup ${s.agentId}`), `+OK hup ${s.agentId}\n`)
  await esl.until(() => esl.conf('floor-change').length === 3, 'the floor moves')
  const floors = esl.conf('floor-change').slice(1)
  t.match(floors[0], { 'Old-ID': 'none', 'New-ID': 'none' })
  t.match(floors[1], { 'New-ID': String(s.callerId), 'Unique-ID': s.caller })
  t.equal(await esl.api('conference 3001 list'), `${s.callerId};${esl.conf('add-member')[0]['Channel-Name']};${s.caller};Citizen;13900001;hear|speak|floor;0;0;100\n`)
})

t.test('the caller hangs up: it leaves after CHANNEL_HANGUP; when the last member leaves the conference is gone', async t => {
  const s = await threeParty(t, '3001', { playbackMs: 500 }) // the exit sound still plays when the last member leaves
  const { esl, peer } = s
  peer.callerHangup(s.caller)
  await esl.until(() => esl.conf('del-member').length === 1, 'del-member')
  t.match(esl.conf('del-member')[0], { 'Unique-ID': s.caller, 'Member-ID': String(s.callerId), 'Conference-Size': '2' })
  t.notOk(peer.channels().some(c => c.uuid === s.caller))
  t.equal(await esl.api('conference 3001 list count'), '2')
  t.equal(await esl.api(`uuid_kill ${s.agent}`), '+OK\n')
  await esl.until(() => esl.conf('del-member').length === 2, 'uuid_kill: the agent leaves too')
  t.match(esl.conf('del-member')[1], { 'Unique-ID': s.agent, 'Conference-Size': '1' })
  t.equal(await esl.api('conference 3001 hup all'), `+OK hup ${s.dispatcherId}\n`, 'hup all: one line per member')
  await esl.until(() => esl.conf('conference-destroy').length === 1, 'conference-destroy')
  const tail = esl.conf().slice(-2).map(h => h.Action)
  t.same(tail, ['play-file-done', 'conference-destroy'], 'the exit sound still playing is closed, then the conference is destroyed (frames 71-72)')
  t.equal(await esl.api('conference 3001 list'), '-ERR Conference 3001 not found\n', 'frame 73')
  t.same(peer.conferences(), [])
  t.same(peer.channels(), [], 'every leg hung up')
  t.equal(await esl.api('conference list'), '+OK No active conferences.\n')
})

t.test('member ids come from one counter for all conferences; hup all, kick, lock as recorded in esl-conference-plain', async t => {
  const s = await threeParty(t, 'room-a')
  const { esl, peer } = s
  const second = await peer.placeCall({ destination: '3000', callerNumber: '13900002' })
  t.equal(await esl.api(`uuid_transfer ${second} conference:3000@default inline`), '+OK\n')
  await esl.until(() => esl.conf('add-member').length === 4, 'the fourth member')
  t.equal(Number(esl.conf('add-member')[3]['Member-ID']), s.dispatcherId + 1, 'the next id, in another conference')
  t.equal(await esl.api('conference 3000 lock'), '+OK 3000 locked\n', 'esl-conference-plain frame 32')
  await esl.until(() => esl.conf('lock').length === 1, 'lock')
  t.match(await esl.api('conference list'), /\+OK Conference 3000 \(1 member rate: 8000 locked flags: locked\|running/)
  const third = await peer.placeCall({ destination: '3000', callerNumber: '13900003' })
  t.equal(await esl.api(`uuid_transfer ${third} conference:3000@default inline`), '+OK\n')
  await esl.until(() => !peer.channels().some(c => c.uuid === third), 'turned away')
  t.equal(esl.conf('add-member').length, 4, 'a locked conference takes nobody in')
  t.equal(await esl.api('conference 3000 unlock'), '+OK 3000 unlocked\n', 'frame 35')
  t.equal(await esl.api(`conference room-a kick ${s.agentId}`), `+OK kicked ${s.agentId}\n`, 'frame 40')
  await esl.until(() => esl.conf('kick-member').length === 1 && esl.conf('del-member').length === 1, 'kicked')
  t.match(esl.conf('kick-member')[0], { 'Member-ID': String(s.agentId), 'Unique-ID': s.agent })
  t.equal(await esl.api('conference room-a hup all'), `+OK hup ${s.dispatcherId}\n+OK hup ${s.callerId}\n`, 'frame 63: newest first')
  await esl.until(() => esl.conf('conference-destroy').length === 1, 'room-a destroyed')
  t.same(esl.conf('hup-member').map(h => h['Member-ID']), [String(s.dispatcherId), String(s.callerId)], 'hup-member for each before they leave (frames 64-65)')
  t.same(peer.conferences().map(c => c.name), ['3000'])
})

t.test('sendmsg execute conference on a parked call: it joins; hup sends it back to park', async t => {
  const peer = await startFreeswitchPeer({ password: 'ClueCon', port: 0, playbackMs: 30, heartbeatMs: 20000 })
  t.teardown(() => peer.close())
  const esl = await client(t, peer, 'ALL')
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13900004', callerName: 'Citizen 4' })
  esl.raw.send(`sendmsg ${caller}\ncall-command: execute\nexecute-app-name: conference\nexecute-app-arg: 4000@default`)
  await esl.until(() => esl.conf('add-member').length === 1, 'joined')
  const exec = esl.events().find(h => h['Event-Name'] === 'CHANNEL_EXECUTE' && h.Application === 'conference')
  t.match(exec, { 'Unique-ID': caller, 'Application-Data': '4000@default' })
  t.match(esl.conf('add-member')[0], { 'Unique-ID': caller, 'Caller-Caller-ID-Name': 'Citizen 4' })
  t.notOk('Caller-Transfer-Source' in esl.conf('add-member')[0], 'not transferred')
  const id = esl.conf('add-member')[0]['Member-ID']
  await esl.until(() => esl.conf('floor-change').length === 1, 'alone, it gets the floor (esl-conference-plain frame 8)')
  t.equal(await esl.api(`conference 4000 list`), `${id};sofia/external/13900004@127.0.0.1:5060;${caller};Citizen 4;13900004;hear|speak|floor;0;0;100\n`)
  t.equal(await esl.api(`conference 4000 hup ${id}`), `+OK hup ${id}\n`)
  await esl.until(() => esl.events().some(h => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h.Application === 'conference'), 'the application ends')
  t.match(peer.channels().find(c => c.uuid === caller), { parked: true, application: 'park' }, 'still up, back in park')
  t.same(peer.conferences(), [])
})
