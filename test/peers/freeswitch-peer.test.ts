import t from 'tap'
import modesl, { type Connection, type Event } from 'modesl'
import { type FreeswitchPeer, startFreeswitchPeer } from './freeswitch/peer.ts'
import { RawEsl, loadReplay, plainHeaders } from './freeswitch/wire.ts'
import { loadFrames, pick } from './freeswitch/frames.ts'

/** What the helpers need of a tap test. */
interface TestLike { teardown (fn: () => unknown): void }

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const GATEWAY_EVENTS = 'CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_HOLD CHANNEL_UNHOLD CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE DTMF BACKGROUND_JOB HEARTBEAT RECORD_START RECORD_STOP CUSTOM sofia::register sofia::unregister sofia::expire conference::maintenance'

async function peerFor (t: TestLike, opts = {}): Promise<FreeswitchPeer> {
  const peer = await startFreeswitchPeer({ password: 'ClueCon', port: 0, playbackMs: 30, heartbeatMs: 20000, ...opts })
  t.teardown(() => peer.close())
  return peer
}

/** A modesl client, authenticated and subscribed the way the gateway subscribes. */
async function gateway (t: TestLike, peer: FreeswitchPeer, format: 'plain' | 'json' = 'plain'): Promise<Connection> {
  const conn = await new Promise<Connection>((resolve, reject) => {
    const c = new modesl.Connection(peer.host, peer.port, 'ClueCon', () => resolve(c))
    c.on('error', reject)
  })
  await new Promise<void>(resolve => conn.events(format, GATEWAY_EVENTS, () => resolve()))
  t.teardown(() => { try { conn.disconnect() } catch {} })
  return conn
}

const nextEvent = (conn: Connection, name: string, where: (e: Event) => boolean = () => true, timeoutMs = 3000) => new Promise<Event>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs)
  const on = (e: Event) => { if (where(e)) { clearTimeout(timer); conn.removeListener(`esl::event::${name}::*`, on); resolve(e) } }
  conn.on(`esl::event::${name}::*`, on)
})
const api = (conn: Connection, cmd: string) => new Promise<string>(resolve => conn.api(cmd, e => resolve(e.getBody())))
const bgapi = (conn: Connection, cmd: string, args: string, job: string) => new Promise<Event>(resolve => conn.bgapi(cmd, args, job, e => resolve(e)))

t.test('replaying the recorded esl-inbound-plain commands yields the recorded reply frames', async t => {
  const peer = await peerFor(t)
  const { steps } = loadReplay('esl-inbound-plain')
  const raw = new RawEsl(peer.port)
  t.teardown(() => raw.close())
  const want = steps.filter(s => s.dir === 'S->C').map(s => s.text)
  let expected = 1 // auth/request
  await raw.until(f => f.length >= 1)
  // the two loopback legs the recording originated, replaced by the ones this peer creates
  const recordedLegs = ['ad97addd-7c58-4148-9950-a57128c2520a', '15fa29f7-08e5-488e-a872-6808c7c9d914']
  for (let i = 0; i < steps.length; i++) {
    if (steps[i].dir !== 'C->S') continue
    let replies = 0
    for (let j = i + 1; j < steps.length && steps[j].dir === 'S->C'; j++) replies++
    expected += replies
    let text = steps[i].text
    if (text.startsWith('api uuid_bridge ad97')) {
      await raw.until(() => raw.events('BACKGROUND_JOB').length >= 2)
      raw.events('BACKGROUND_JOB').forEach((f, n) => { text = text.replace(recordedLegs[n], f.body.split('\n\n')[1].slice(4).trim()) })
    }
    raw.send(text)
    await raw.until(() => raw.nonEvents().length >= expected)
  }
  await raw.until(() => raw.closed)
  const got = raw.nonEvents().map(f => f.text)
  t.equal(got.length, want.length, 'one reply frame per recorded reply frame')
  // substitute what differs by nature: uuids, the status counters, the channel list of another run
  const norm = (s: string) => {
    s = s.replace(UUID, '<uuid>')
    if (/\n\nUP \d/.test(s)) s = s.replace(/\d+(\.\d+)?/g, 'N').replace(/(N \w+?)s\b/g, '$1')
    if (/\n\n(uuid,direction|\{"row_count")/.test(s)) s = s.replace(/\n\n[\s\S]*$/, '\n\n<channels>').replace(/Content-Length: \d+/, 'Content-Length: N')
    return s
  }
  for (let i = 0; i < want.length; i++) t.equal(norm(got[i] ?? ''), norm(want[i]), `reply ${i + 1}: ${want[i].split('\n').slice(0, 2).join(' | ')}`)
})

t.test('a wrong password is refused with the recorded bytes and the socket is closed', async t => {
  const peer = await peerFor(t)
  const { steps, closedByPeer } = loadReplay('esl-inbound-badauth')
  const raw = new RawEsl(peer.port)
  t.teardown(() => raw.close())
  await raw.until(f => f.length >= 1)
  raw.send(steps.find(s => s.dir === 'C->S')!.text)
  await raw.until(() => raw.closed)
  t.same(raw.frames.map(f => f.text), steps.filter(s => s.dir === 'S->C').map(s => s.text))
  t.ok(closedByPeer && raw.closed, 'closed by the server, as recorded')
})

t.test('a client Job-UUID on bgapi is honoured and a reused origination_uuid fails as recorded', async t => {
  const peer = await peerFor(t)
  peer.setEndpoint('sofia/external/1001@127.0.0.1:5091', { answerAfterMs: 20 })
  const { steps } = loadReplay('esl2-originate-uuid')
  const raw = new RawEsl(peer.port)
  t.teardown(() => raw.close())
  await raw.until(f => f.length >= 1)
  raw.send('auth ClueCon'); raw.send('event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_PARK CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB')
  const bg = steps.filter(s => s.dir === 'C->S' && s.text.startsWith('bgapi originate {origination_uuid=88884a97'))
  raw.send(bg[0].text)
  await raw.until(() => raw.events('BACKGROUND_JOB').length === 1)
  raw.send(bg[1].text)
  await raw.until(() => raw.events('BACKGROUND_JOB').length === 2)
  const replies = raw.nonEvents().filter(f => f.text.includes('Job-UUID')).map(f => f.text)
  t.same(replies, steps.filter(s => s.dir === 'S->C' && s.text.includes('Job-UUID: 33333333-aaaa-bbbb-cccc-00000000000') && !s.text.includes('0003')).map(s => s.text), 'the recorded command/reply frames')
  const jobs = raw.events('BACKGROUND_JOB')
  t.equal(jobs[0].body.split('\n\n')[1], '+OK 88884a97-e8b6-4128-9367-6adbd7f2d877\n')
  t.equal(plainHeaders(jobs[1].body)['Job-UUID'], '33333333-aaaa-bbbb-cccc-000000000002')
  t.equal(jobs[1].body.split('\n\n')[1], '-ERR DESTINATION_OUT_OF_ORDER\n')
  t.equal(raw.events('CHANNEL_CREATE').length, 1, 'no CHANNEL_CREATE for the refused originate')
})

t.test('an inbound call is announced up to CHANNEL_PARK with caller, destination, hotline and SIP header variables', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const park = nextEvent(conn, 'CHANNEL_PARK')
  const create = nextEvent(conn, 'CHANNEL_CREATE')
  const uuid = await peer.placeCall({ destination: '12345', callerNumber: '13800138000', callerName: 'Citizen', headers: { 'X-Hotline': '12345', 'User-to-User': '3230;encoding=hex', 'Call-Info': '<https://partner.example/r/1>;purpose=emergency-CallData', Geolocation: '<cid:loc@partner>', 'Geolocation-Routing': 'no' } })
  const e = await park
  t.equal((await create).getHeader('Unique-ID'), uuid)
  t.equal(e.getHeader('Unique-ID'), uuid)
  t.equal(e.getHeader('Caller-Caller-ID-Number'), '13800138000')
  t.equal(e.getHeader('Caller-Destination-Number'), '12345')
  t.equal(e.getHeader('variable_hotline'), '12345')
  t.equal(e.getHeader('variable_sip_h_User-to-User'), '3230;encoding=hex')
  t.equal(e.getHeader('variable_sip_call_info'), '<https://partner.example/r/1>;purpose=emergency-CallData')
  t.equal(e.getHeader('variable_sip_geolocation'), '<cid:loc@partner>')
  t.equal(e.getHeader('variable_sip_h_Geolocation-Routing'), null, 'Geolocation-Routing is not exposed')
  t.equal(e.getHeader('Answer-State'), 'answered')
  const recorded = pick(loadFrames('inbound-call'), 'CHANNEL_PARK')
  const names = e.headers.map(h => h.name).filter(n => !n.startsWith('variable_'))
  t.same(names, [...recorded.before, ...recorded.after].map(([k]) => k), 'the recorded CHANNEL_PARK header set, in the recorded order')
  t.equal(await api(conn, `uuid_getvar ${uuid} sip_h_user-to-user`), '3230;encoding=hex', 'uuid_getvar names are case-insensitive')
  const rows = JSON.parse(await api(conn, 'show channels as json'))
  t.equal(rows.row_count, 1)
  t.match(rows.rows[0], { uuid, direction: 'inbound', cid_num: '13800138000', dest: '12345', application: 'park', callstate: 'ACTIVE' })
})

t.test('without an X-Hotline header the hotline is the dialled number; json subscribers get the same event', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer, 'json')
  const park = nextEvent(conn, 'CHANNEL_PARK')
  await peer.placeCall({ destination: '12345', callerNumber: '13900001111' })
  const e = await park
  t.equal(e.getHeader('variable_hotline'), '12345')
  t.equal(e.type, 'CHANNEL_PARK')
})

t.test('originate: an answering agent, then each recorded failure body', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  const answer = nextEvent(conn, 'CHANNEL_ANSWER')
  const ok = await bgapi(conn, 'originate', '{origination_uuid=aaaaaaaa-0000-4000-8000-000000000001,origination_caller_id_number=12345,ignore_early_media=true,originate_timeout=5}user/1001 &park', 'job-1')
  t.equal(ok.getBody(), '+OK aaaaaaaa-0000-4000-8000-000000000001\n')
  t.equal((await answer).getHeader('Unique-ID'), 'aaaaaaaa-0000-4000-8000-000000000001', 'CHANNEL_ANSWER comes before the BACKGROUND_JOB')
  t.equal((await answer).getHeader('variable_origination_caller_id_number'), '12345')

  peer.setEndpoint('user/1002', 'busy')
  t.equal((await bgapi(conn, 'originate', '{origination_caller_id_number=12345}user/1002 &park', 'job-2')).getBody(), '-ERR USER_BUSY\n')
  peer.setEndpoint('user/1003', 'no-answer')
  const started = Date.now()
  t.equal((await bgapi(conn, 'originate', '{originate_timeout=1}user/1003 &park', 'job-3')).getBody(), '-ERR NO_ANSWER\n')
  t.ok(Date.now() - started >= 900, 'NO_ANSWER only after originate_timeout')
  const creates: string[] = []
  conn.on('esl::event::CHANNEL_CREATE::*', (e: Event) => creates.push(e.getHeader('Unique-ID') ?? ''))
  t.equal((await bgapi(conn, 'originate', '{origination_caller_id_number=12345}user/1009 &park', 'job-4')).getBody(), '-ERR USER_NOT_REGISTERED\n')
  t.same(creates, [], 'no CHANNEL_CREATE for an unregistered user')
  t.equal((await bgapi(conn, 'originate', 'sofia/carrier/13800138000@192.0.2.9 &park', 'job-5')).getBody(), '-ERR NORMAL_TEMPORARY_FAILURE\n')
  t.equal((await bgapi(conn, 'originate', '{origination_uuid=aaaaaaaa-0000-4000-8000-000000000001}user/1001 &park', 'job-6')).getBody(), '-ERR DESTINATION_OUT_OF_ORDER\n')
  t.equal((await bgapi(conn, 'originate', 'sofia/nosuchprofile/1001@127.0.0.1 &park', 'job-7')).getBody(), '-ERR INVALID_PROFILE\n')
  t.equal((await bgapi(conn, 'originate', 'bogus/1001 &park', 'job-8')).getBody(), '-ERR CHAN_NOT_IMPLEMENTED\n')
  peer.register('1005')
  t.equal((await bgapi(conn, 'originate', 'user/1005 &park', 'job-9')).getBody().slice(0, 4), '+OK ', 'a registered user answers by default')
})

t.test('sendmsg playback completes with the Event-UUID as Application-UUID; streams play until uuid_break', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const uuid = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  const played = await new Promise<{ id: string, e: Event }>(resolve => { const id = conn.execute('playback', '/etc/hostname', uuid, e => resolve({ id, e })) })
  t.equal(played.e.getHeader('Application-UUID'), played.id)
  t.equal(played.e.getHeader('Application-Response'), 'FILE PLAYED')
  const missing = await new Promise<Event>(resolve => conn.execute('playback', '/no/such/file.wav', uuid, resolve))
  t.equal(missing.getHeader('Application-Response'), 'FILE NOT FOUND')
  let done = false
  const moh = new Promise<Event>(resolve => conn.execute('playback', 'local_stream://moh', uuid, e => { done = true; resolve(e) }))
  await new Promise(resolve => setTimeout(resolve, 100))
  t.notOk(done, 'hold music keeps playing')
  t.equal(await api(conn, `uuid_break ${uuid}`), '+OK\n')
  t.equal((await moh).getHeader('Application-Response'), 'FILE PLAYED', 'a broken playback still reports FILE PLAYED')
})

t.test('play_and_get_digits returns the digits the caller keys', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const uuid = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  const dtmf: string[] = []
  conn.on('esl::event::DTMF::*', (e: Event) => dtmf.push(`${e.getHeader('DTMF-Digit')}/${e.getHeader('DTMF-Source')}`))
  const started = nextEvent(conn, 'CHANNEL_EXECUTE', e => e.getHeader('Application') === 'play_and_get_digits')
  const result = new Promise<Event>(resolve => conn.execute('play_and_get_digits', '1 4 1 5000 # /etc/hostname /etc/hostname menu_choice \\d+', uuid, resolve))
  await started
  t.match(await peer.waitForCommand(/execute-app-name: play_and_get_digits/), /Event-UUID: /, 'modesl sent the command with its Event-UUID')
  peer.sendDtmf(uuid, '45', 'RTP')
  peer.sendDtmf(uuid, '6', 'ENDPOINT')
  peer.sendDtmf(uuid, '#')
  const e = await result
  t.equal(e.getHeader('Application-Response'), '_none_')
  t.equal(e.getHeader('variable_menu_choice'), '456')
  t.equal(e.getHeader('variable_read_result'), 'success')
  t.same(dtmf, ['4/RTP', '5/RTP', '6/ENDPOINT', '#/RTP'])
})

t.test('when the caller of a bridged pair hangs up, the agent leg is hung up too', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  peer.setEndpoint('user/1001', { answerAfterMs: 10 })
  const agent = (await bgapi(conn, 'originate', '{origination_caller_id_number=12345}user/1001 &park', 'j1')).getBody().slice(4).trim()
  const bridged = nextEvent(conn, 'CHANNEL_BRIDGE')
  t.equal(await api(conn, `uuid_bridge ${caller} ${agent}`), `+OK ${agent}\n`)
  t.equal((await bridged).getHeader('Other-Leg-Unique-ID'), agent)
  t.equal(await api(conn, `uuid_hold ${caller}`), '+OK Success\n')
  t.equal(await api(conn, `uuid_hold off ${caller}`), '+OK Success\n')
  t.equal(await api(conn, `uuid_hold off ${caller}`), '-ERR Operation failed\n')
  const rows = JSON.parse(await api(conn, 'show channels as json'))
  t.equal(rows.row_count, 2)
  const gone = new Set<string>()
  const both = new Promise<void>(resolve => conn.on('esl::event::CHANNEL_HANGUP_COMPLETE::*', (e: Event) => { gone.add(e.getHeader('Unique-ID') ?? ''); if (gone.size === 2) resolve() }))
  const unbridge = nextEvent(conn, 'CHANNEL_UNBRIDGE')
  peer.callerHangup(caller)
  await both
  t.equal((await unbridge).getHeader('Unique-ID'), caller)
  t.same([...gone].sort(), [caller, agent].sort())
  t.same(peer.channels(), [])
  t.equal(await api(conn, 'show channels as json'), '{"row_count": 0}\n', 'the recorded empty form')
})

t.test('uuid_record emits RECORD_START and RECORD_STOP; a second stop fails as recorded', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const uuid = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  const start = nextEvent(conn, 'RECORD_START')
  t.equal(await api(conn, `uuid_record ${uuid} start /tmp/c1.wav`), '+OK Success\n')
  await start
  t.equal(peer.channels()[0].recording, '/tmp/c1.wav')
  const stop = nextEvent(conn, 'RECORD_STOP')
  t.equal(await api(conn, `uuid_record ${uuid} stop /tmp/c1.wav`), '+OK Success\n')
  await stop
  t.equal(await api(conn, `uuid_record ${uuid} stop /tmp/c1.wav`), '-ERR Cannot stop record session!\n')
  t.equal(await api(conn, 'uuid_record 00000000-0000-0000-0000-000000000000 start /tmp/x.wav'), '-ERR Cannot locate session!\n')
})

t.test('a BACKGROUND_JOB of a client that died goes to another subscribed client', async t => {
  const peer = await peerFor(t)
  peer.setEndpoint('user/1001', { answerAfterMs: 150 })
  const first = new RawEsl(peer.port)
  await first.until(f => f.length >= 1)
  first.send('auth ClueCon'); first.send('event plain BACKGROUND_JOB')
  first.send('bgapi originate user/1001 &park\nJob-UUID: 44444444-0000-4000-8000-000000000001')
  await first.until(f => f.length >= 4)
  first.close()
  const second = new RawEsl(peer.port)
  t.teardown(() => second.close())
  await second.until(f => f.length >= 1)
  second.send('auth ClueCon'); second.send('event plain BACKGROUND_JOB')
  await second.until(() => second.events('BACKGROUND_JOB').length === 1)
  t.equal(plainHeaders(second.events('BACKGROUND_JOB')[0].body)['Job-UUID'], '44444444-0000-4000-8000-000000000001')
})

t.test('registration events, failNext, stall and dropConnections', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const reg = nextEvent(conn, 'CUSTOM', e => e.getHeader('Event-Subclass') === 'sofia::register')
  peer.register('1002')
  t.equal((await reg).getHeader('username'), '1002')
  t.equal(await api(conn, 'sofia_contact 1002@127.0.0.1'), 'sofia/internal/sip:1002@127.0.0.1:5060')
  const unreg = nextEvent(conn, 'CUSTOM', e => e.getHeader('Event-Subclass') === 'sofia::unregister')
  peer.unregister('1002', 'socket-disconnection')
  t.equal((await unreg).getHeader('reason'), 'socket-disconnection')
  t.equal(await api(conn, 'sofia_contact 1002@127.0.0.1'), 'error/user_not_registered')

  peer.failNext(/^uuid_kill/, '-ERR No such channel!\n')
  t.equal(await api(conn, 'uuid_kill 12345678-0000-4000-8000-000000000000'), '-ERR No such channel!\n')
  t.equal(await api(conn, 'no_such_command foo'), '-ERR no_such_command Command not found!\n')

  peer.stall(true)
  let answered = false
  const late = api(conn, 'version').then(b => { answered = true; return b })
  await peer.waitForCommand(/^api version/)
  await new Promise(resolve => setTimeout(resolve, 100))
  t.notOk(answered, 'a stalled server answers nothing')
  peer.stall(false)
  t.equal(await late, 'FreeSWITCH Version 1.11.3-dev~64bit ( 64bit)\n')

  const closed = new Promise<void>(resolve => conn.socket?.once('close', () => resolve()))
  peer.dropConnections()
  await closed
  t.pass('the client socket is closed')
})

t.test('HEARTBEAT arrives every heartbeatMs', async t => {
  const peer = await peerFor(t, { heartbeatMs: 50 })
  const conn = await gateway(t, peer)
  const hb = await nextEvent(conn, 'HEARTBEAT')
  t.equal(hb.getHeader('Event-Info'), 'System Ready')
})

t.test('a supervisor eavesdrops on the agent leg, switches mode by DTMF and leaves with eavesdrop-command *', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  peer.setEndpoint('user/1001', { answerAfterMs: 10 })
  peer.setEndpoint('user/1002', { answerAfterMs: 10 })
  const agent = (await bgapi(conn, 'originate', '{origination_caller_id_number=12345}user/1001 &park', 'j1')).getBody().slice(4).trim()
  await api(conn, `uuid_bridge ${caller} ${agent}`)
  const sup = 'bbbbbbbb-0000-4000-8000-000000000001'
  const exec = nextEvent(conn, 'CHANNEL_EXECUTE', e => e.getHeader('Application') === 'eavesdrop')
  t.equal((await bgapi(conn, 'originate', `{origination_uuid=${sup},origination_caller_id_number=9000,origination_caller_id_name=Supervisor}user/1002 &eavesdrop(${agent})`, 'j2')).getBody(), `+OK ${sup}\n`)
  t.equal((await exec).getHeader('Application-Data'), agent)
  t.match(JSON.parse(await api(conn, 'show channels as json')).rows.find((r: { uuid: string }) => r.uuid === sup), { application: 'eavesdrop', application_data: agent })
  peer.sendDtmf(sup, '2')
  t.equal(peer.channels().find(c => c.uuid === sup)?.eavesdrop?.mode, '2', 'DTMF 2: whisper to the agent')
  const done = nextEvent(conn, 'CHANNEL_EXECUTE_COMPLETE', e => e.getHeader('Application') === 'eavesdrop')
  const gone = nextEvent(conn, 'CHANNEL_HANGUP_COMPLETE', e => e.getHeader('Unique-ID') === sup)
  const reply = await new Promise<string>(resolve => conn.sendRecv('sendevent CUSTOM', { 'Event-Subclass': 'supervisor::command', 'Unique-ID': sup, 'eavesdrop-command': '*' }, e => resolve(e.getHeader('Reply-Text') ?? '')))
  t.match(reply, /^\+OK [0-9a-f-]{36}$/)
  t.equal((await done).getHeader('Application-Response'), '_none_')
  t.equal((await gone).getHeader('Hangup-Cause'), 'NORMAL_CLEARING')
  t.same(peer.channels().map(c => c.uuid).sort(), [caller, agent].sort(), 'the bridged call is untouched')

  const unknown = nextEvent(conn, 'CHANNEL_EXECUTE_COMPLETE', e => e.getHeader('Application-Data') === '00000000-0000-0000-0000-000000000000')
  t.equal((await bgapi(conn, 'originate', 'user/1002 &eavesdrop(00000000-0000-0000-0000-000000000000)', 'j3')).getBody().slice(0, 4), '+OK ', 'the originate itself succeeds')
  t.equal((await unknown).getHeader('Application-Response'), '_none_')
})

t.test('a synchronous api originate answers before the new leg\'s events; json events carry the body under _body', async t => {
  const peer = await peerFor(t)
  peer.setEndpoint('user/1002', 'busy')
  const raw = new RawEsl(peer.port)
  t.teardown(() => raw.close())
  await raw.until(f => f.length >= 1)
  raw.send('auth ClueCon'); raw.send('event json CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB')
  raw.send('api originate {origination_caller_id_number=12345}user/1002 &park')
  await raw.until(f => f.some(x => x.body.includes('"Event-Name":"CHANNEL_HANGUP_COMPLETE"')))
  const kinds = raw.frames.slice(3).map(f => f.headers['Content-Type'] === 'api/response' ? f.body : JSON.parse(f.body)['Event-Name'])
  t.same(kinds, ['-ERR USER_BUSY\n', 'CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'], 'as in esl2-agent-leg: reply, then CREATE and HANGUP_COMPLETE')
  raw.send('bgapi status')
  await raw.until(f => f.some(x => x.body.includes('"Event-Name":"BACKGROUND_JOB"')))
  const job = raw.frames.find(x => x.body.includes('"Event-Name":"BACKGROUND_JOB"'))!
  const o = JSON.parse(job.body)
  t.same(Object.keys(o).slice(-2), ['Content-Length', '_body'])
  t.match(o._body, /^UP \d+ years?, /)
  t.equal(o['Job-Command-Arg'], undefined, 'no Job-Command-Arg without arguments, as recorded')
  t.notOk(job.body.endsWith('\n'), 'no newline after the JSON')
})

t.test('the bridge application connects a second leg; when that leg leaves, the caller stays with the disposition', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  peer.setEndpoint('sofia/external/110@127.0.0.1:5090', { answerAfterMs: 20 })
  const bridged = nextEvent(conn, 'CHANNEL_BRIDGE')
  const finished = new Promise<Event>(resolve => conn.execute('bridge', '{origination_caller_id_number=12345}sofia/external/110@127.0.0.1:5090', caller, resolve))
  const b = await bridged
  t.equal(b.getHeader('Unique-ID'), caller)
  const other = b.getHeader('Other-Leg-Unique-ID') ?? ''
  t.equal(peer.channels().find(c => c.uuid === other)?.bridgedTo, caller)
  const unbridge = nextEvent(conn, 'CHANNEL_UNBRIDGE')
  peer.callerHangup(other)
  t.equal((await unbridge).getHeader('Unique-ID'), caller)
  const done = await finished
  t.equal(done.getHeader('Application'), 'bridge')
  t.equal(done.getHeader('variable_originate_disposition'), 'SUCCESS')
  t.same(peer.channels().map(c => c.uuid), [caller], 'the caller is still up')

  peer.setEndpoint('sofia/external/110@127.0.0.1:5093', 'busy')
  const busy = await new Promise<Event>(resolve => conn.execute('bridge', 'sofia/external/110@127.0.0.1:5093', caller, resolve))
  t.equal(busy.getHeader('variable_originate_disposition'), 'USER_BUSY')
})

t.test('the record application runs until the terminator digit, with RECORD_START and RECORD_STOP', async t => {
  const peer = await peerFor(t)
  const conn = await gateway(t, peer)
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  await new Promise<Event>(resolve => conn.execute('set', 'playback_terminators=#', caller, resolve))
  const start = nextEvent(conn, 'RECORD_START')
  const stop = nextEvent(conn, 'RECORD_STOP')
  const done = new Promise<Event>(resolve => conn.execute('record', '/tmp/msg-1.wav 60 200 5', caller, resolve))
  await start
  t.equal(peer.channels()[0].recording, '/tmp/msg-1.wav')
  peer.sendDtmf(caller, '#')
  await stop
  t.equal((await done).getHeader('Application'), 'record')
  t.equal(peer.channels()[0].recording, undefined)
})
