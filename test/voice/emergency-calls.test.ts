import t from 'tap'
import { agentSocket } from '../console/helpers/matter-scene.ts'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'
import { pushedBy110 } from '../helpers/partners.ts'

const DISPATCH_110 = 'sofia/carrier/110@127.0.0.1:5090'

/** Agent 1001 on a live call with a caller: the console socket, the caller's and the agent's legs. */
async function onACall(t: Parameters<typeof voiceScene>[0], s: VoiceScene, callerNumber = '13800138000') {
  const ws = await agentSocket(s, '1001', t)
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  await ws.request('state.set', { state: 'ready' })
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber })
  const leg = await until(() => s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo, 'caller bridged to 1001')
  const appealId = (await s.stack.acd.status('1001')).appealIds[0]
  return { ws, caller, leg, appealId }
}

const originateTo = (s: VoiceScene, dial: string) => s.peer.commands.find((c) => c.line.includes('originate') && c.line.includes(dial))

t.test('one-key transfer to 110: the dispatcher is called with the appeal in User-to-User and the record link in Call-Info, then the caller is bridged to it', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, leg, appealId } = await onACall(t, s)
  s.peer.setEndpoint(DISPATCH_110, { answerAfterMs: 30 })
  const ack = await ws.request('emergency.transfer', { partner: '110', summary: '小区门口有人持刀打架' }, 10_000)
  t.match(ack, { type: 'ack', outcome: 'transferred', record: { partner: '110', how: 'one-key', appealId, summary: '小区门口有人持刀打架' } })
  const appeal = await s.queue.get(appealId)
  const cmd = originateTo(s, '110@')?.line ?? ''
  t.match(cmd, `sip_h_User-to-User=${Buffer.from(appeal!.appealNumber).toString('hex')};encoding=hex`, 'User-to-User: the appeal number in hex (RFC 7433)')
  t.match(cmd, /sip_h_Call-Info=<http[^>]+\/handoff\/[A-Za-z0-9_-]{32}>;purpose=emergency-CallData/, 'Call-Info: the dispatcher link (RFC 7852)')
  t.match(cmd, `sip_h_X-Case-Id=${appeal!.appealNumber}`)
  const partnerLeg = await until(() => s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo, 'bridged')
  t.not(partnerLeg, leg, 'the caller now talks to the dispatcher')
  await until(() => !s.peer.channels().some((c) => c.uuid === leg), "the agent's leg ended")
  t.match(await ws.request('call.hold', { on: true }), { type: 'error', code: 'MEDIA_ERR_NO_CALL' }, 'the agent is off the call')
  t.same((await s.stack.acd.status('1001')).appealIds, [appealId], 'the agent keeps the appeal to complete it')
  const records = (await ws.request('emergency.records', { appealId })).records as { how: string; status: string }[]
  t.match(records, [{ how: 'one-key', status: 'pending' }], "on the appeal's history")
})

t.test('one-key transfer the dispatcher does not answer: the caller stays with the agent and the console is told', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, leg } = await onACall(t, s)
  s.peer.setEndpoint(DISPATCH_110, 'busy')
  t.match(await ws.request('emergency.transfer', { partner: '110' }, 10_000), { type: 'ack', outcome: 'not-answered', record: { how: 'one-key' } })
  t.equal(s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo, leg, 'still bridged to the agent')
})

t.test('three-party call with 119: caller and agent move into a conference; the dispatcher busy -> caller and agent go on; 首接负责 recorded', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, appealId } = await onACall(t, s)
  s.peer.setEndpoint('sofia/carrier/119@127.0.0.1:5090', 'busy')
  const ack = await ws.request('emergency.conference', { partner: '119' }, 10_000)
  t.match(ack, { type: 'ack', outcome: 'not-answered', record: { partner: '119', how: 'three-party' } })
  t.ok(s.peer.commands.some((c) => c.line === `api uuid_transfer ${caller} -both conference:gw-${appealId}@default inline`), 'caller and agent moved into the conference')
  t.ok(s.peer.channels().some((c) => c.uuid === caller), 'the caller is still on the line (with the agent)')
  const handoffId = (ack.record as { id: string }).id
  const decided = await ws.request('emergency.first-receiver', { handoffId, platform: '12345' })
  t.match(decided, { type: 'ack', record: { firstReceiver: { platform: '12345', by: '1001' } } }, 'the first receiver (12345) handles it')
  t.match(await ws.request('emergency.consult', { on: true }), { type: 'error', code: 'MEDIA_ERR_COMMAND' }, 'no dispatcher to consult with')
})

t.test('a call 110 transfers in: no greeting, ahead of the queue, the partner record matched by its case number on the card', async (t) => {
  const s = await voiceScene(t)
  await pushedBy110(s.emergency.desk, { reference: 'R20261203-7', callerNumber: '13811112222', summary: '楼上住户深夜装修噪音，非治安案件，转12345处理', category: '投诉', address: '朝阳区幸福里小区3号楼' })
  const waiting = await s.peer.placeCall({ destination: '12345', callerNumber: '13900000001' })
  await until(() => s.voice!.router.activeCalls().find((c) => c.callId === waiting)?.appealId, 'an ordinary caller waits')
  const partnerCall = await s.peer.placeCall({
    destination: '12345',
    callerNumber: '13811112222',
    headers: { 'X-Partner': '110', 'X-Partner-Case': 'R20261203-7', 'X-Trunk': 'partner-110', 'X-Hotline': '12345' },
  })
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === partnerCall)?.appealId, 'queued'))!
  const appeal = await s.queue.get(appealId)
  t.match(appeal, { origin: '110', priority: 0, location: { address: '朝阳区幸福里小区3号楼' }, category: '投诉' })
  t.match(appeal?.content, /公安110转来的来电（对方案件编号 R20261203-7）：楼上住户深夜装修噪音/, "the partner's record prefilled")
  const played = s.peer.commands.filter((c) => c.headers['execute-app-arg']?.endsWith('welcome.wav') && c.line.includes(partnerCall))
  t.equal(played.length, 0, 'no greeting for a transferred call')
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  await s.stack.acd.setState('1001', 'ready')
  const offered = await until(async () => (await s.stack.acd.status('1001')).appealIds[0] ?? (await s.stack.acd.status('1001')).offer?.appealId, 'offered')
  t.equal(offered, appealId, 'offered before the caller who was waiting already')
})

t.test('three-party call with 110 answered: private consult mutes and deafens the caller with music, then back; the dispatcher dropped, caller and agent stay', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, leg, appealId } = await onACall(t, s)
  s.peer.setEndpoint(DISPATCH_110, { answerAfterMs: 30 })
  t.match(await ws.request('emergency.conference', { partner: '110' }, 10_000), { type: 'ack', outcome: 'joined' })
  const room = `gw-${appealId}`
  const members = () => s.peer.conferences().find((c) => c.name === room)?.members ?? []
  await until(() => members().length === 3, 'caller, agent and dispatcher in the conference')
  t.match(s.peer.commands.find((c) => c.line.includes('originate') && c.line.includes('110@'))?.line, /sip_h_User-to-User=/, 'the dispatcher got the appeal in User-to-User')
  t.match(await ws.request('emergency.consult', { on: true }), { type: 'ack', consulting: true })
  const callerMember = () => members().find((m) => m.uuid === caller)
  t.match(callerMember(), { muted: true, deaf: true }, 'the caller neither hears nor is heard')
  t.ok(s.peer.commands.some((c) => new RegExp(`^api conference ${room} play local_stream://moh \\d+$`).test(c.line)), 'music to the caller')
  t.match(await ws.request('emergency.consult', { on: false }), { type: 'ack', consulting: false })
  t.match(callerMember(), { muted: false, deaf: false }, 'the caller is back')
  t.match(await ws.request('emergency.drop', {}), { type: 'ack' })
  await until(() => members().length === 2, 'the dispatcher left')
  t.same(members().map((m) => m.uuid).sort(), [caller, leg].sort(), 'caller and agent stay')
})
