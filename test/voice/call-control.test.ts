import t from 'tap'
import { agentSocket } from '../console/helpers/matter-scene.ts'
import { TestClient } from '../console/helpers/ws-client.ts'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'

/** Agent 1001 on a live call with a caller: the console socket, the caller's and the agent's legs. */
async function onACall(t: Parameters<typeof voiceScene>[0], s: VoiceScene) {
  const ws = await agentSocket(s, '1001', t)
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  s.peer.setEndpoint('user/1002', { answerAfterMs: 30 })
  await ws.request('state.set', { state: 'ready' })
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  const leg = await until(() => s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo, 'caller bridged to 1001')
  return { ws, caller, leg }
}

t.test('hold from the console: the agent leg is held with the hold music set for the caller; resume ends it', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, leg } = await onACall(t, s)
  const held = await ws.request('call.hold', { on: true })
  t.match(held, { type: 'ack', held: true })
  const setMusic = s.peer.commands.findIndex((c) => c.line === `api uuid_setvar ${leg} hold_music local_stream://moh`)
  const hold = s.peer.commands.findIndex((c) => c.line === `api uuid_hold ${leg}`)
  t.ok(setMusic >= 0 && setMusic < hold, 'the music FreeSWITCH plays to the caller is set before the hold')
  t.match(s.peer.channels().find((c) => c.uuid === leg), { held: true }, 'agent leg held')
  t.notOk(s.peer.commands.some((c) => c.line.startsWith(`api uuid_broadcast ${caller}`)), 'no music of our own that could outlive the resume')
  await ws.request('call.hold', { on: false })
  t.ok(s.peer.commands.some((c) => c.line === `api uuid_hold off ${leg}`), 'agent leg resumed')
  t.match(s.peer.channels().find((c) => c.uuid === leg), { held: false })
})

t.test('a refusal of FreeSWITCH reaches the console as a coded error; call control off a call is refused', async (t) => {
  const s = await voiceScene(t)
  const idle = await agentSocket(s, '1002', t)
  t.match(await idle.request('call.hold', { on: true }), { type: 'error', code: 'MEDIA_ERR_NO_CALL' })
  t.match(await idle.request('call.mute', { on: true }), { type: 'error', code: 'CONSOLE_ERR_ON_THE_PHONE' })
  const { ws } = await onACall(t, s)
  s.peer.failNext(/^uuid_hold /, '-ERR Operation failed\n')
  t.match(await ws.request('call.hold', { on: true }), { type: 'error', code: 'MEDIA_ERR_COMMAND' })
})

t.test('blind transfer to another agent: the caller waits with music and the next agent is bridged', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller, leg } = await onACall(t, s)
  const other = await agentSocket(s, '1002', t)
  await other.request('state.set', { state: 'ready' })
  const appealId = (await s.stack.acd.status('1001')).appealIds[0]
  t.match(await ws.request('call.transfer', { target: { agentId: '1002' } }), { type: 'ack' })
  await until(() => !s.peer.channels().some((c) => c.uuid === leg), "1001's leg ended")
  const newLeg = await until(() => {
    const b = s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo
    return b && b !== leg ? b : undefined
  }, 'caller bridged to 1002')
  t.ok(newLeg)
  t.same((await s.stack.acd.status('1002')).appealIds, [appealId], '1002 holds the appeal')
  t.equal((await s.stack.acd.status('1001')).appealIds.length, 0, '1001 let it go')
})

t.test('blind transfer to a number and a three-party call with a number', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller } = await onACall(t, s)
  s.peer.setEndpoint('sofia/carrier/110@127.0.0.1:5090', { answerAfterMs: 30 })
  t.match(await ws.request('call.conference', { target: { number: '110' } }), { type: 'ack' })
  t.ok(s.peer.commands.some((c) => new RegExp(`^api uuid_transfer ${caller} -both conference:gw-\\S+@default inline$`).test(c.line)), 'caller and agent moved into a conference')
  t.ok(s.peer.commands.some((c) => /originate .*sofia\/carrier\/110@127\.0\.0\.1:5090 &conference\(gw-/.test(c.line)), 'the third party is called into it')

  const s2 = await voiceScene(t)
  const two = await onACall(t, s2)
  t.match(await two.ws.request('call.transfer', { target: { number: '12333' } }), { type: 'ack' })
  t.ok(s2.peer.commands.some((c) => c.line === `api uuid_transfer ${two.caller} 'bridge:sofia/carrier/12333@127.0.0.1:5090' inline`), 'caller bridged out')
})

t.test('hang up from the console ends the call', async (t) => {
  const s = await voiceScene(t)
  const { ws, caller } = await onACall(t, s)
  await ws.request('call.hangup')
  await until(() => !s.peer.channels().some((c) => c.uuid === caller), 'caller gone')
  await until(() => s.voice!.router.activeCalls().length === 0, 'router done')
})

t.test("a supervisor listens in, whispers or barges on an agent's call: the supervisor's phone eavesdrops on the agent leg", async (t) => {
  const s = await voiceScene(t)
  const { leg } = await onACall(t, s)
  s.peer.setEndpoint('user/9001', { answerAfterMs: 30 })
  const sup = await TestClient.open(s.wsUrl, { protocols: ['gw.v1', `token.${await s.token('9001', 'supervisor')}`] })
  t.teardown(() => sup.close())
  await sup.type('welcome')
  const agent = await agentSocket(s, '1002', t)
  t.match(await agent.request('agent.listen', { agentId: '1001', mode: 'listen' }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' }, 'agents may not')
  t.match(await sup.request('agent.listen', { agentId: '1001', mode: 'listen' }), { type: 'ack', mode: 'listen' })
  const listen = s.peer.commands.find((c) => /originate .*user\/9001 &eavesdrop\(/.test(c.line))
  t.match(listen?.line, new RegExp(`&eavesdrop\\(${leg}\\)$`), 'eavesdrop on the agent leg')
  t.match(listen?.line, /eavesdrop_enable_dtmf=false/, 'keys on the supervisor phone cannot change the mode')
  await sup.request('agent.listen', { agentId: '1001', mode: 'whisper' })
  t.ok(s.peer.commands.some((c) => /eavesdrop_whisper_bleg=true.*&eavesdrop\(/.test(c.line)), 'whisper: only the agent hears the supervisor')
  await sup.request('agent.listen', { agentId: '1001', mode: 'barge' })
  t.ok(s.peer.commands.some((c) => new RegExp(`&three_way\\(${leg}\\)$`).test(c.line)), 'barge: three-way')
  t.ok(s.logs.some((l) => l.msg === 'supervisor listens in' && l.mode === 'barge' && l.agentId === '1001'), 'each is logged')
  t.match(await sup.request('agent.listen', { agentId: '1002', mode: 'listen' }), { type: 'error', code: 'MEDIA_ERR_NO_CALL' })
})
