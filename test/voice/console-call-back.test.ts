import t from 'tap'
import { agentSocket } from '../console/helpers/matter-scene.ts'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'

/** A caller to 12333 who hung up while waiting: a 漏接回拨 entry. Returns its appeal id. */
async function missedCaller(s: VoiceScene, number: string): Promise<string> {
  const caller = await s.peer.placeCall({ destination: '12333', callerNumber: number })
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === caller)?.appealId, 'queued'))!
  s.peer.callerHangup(caller)
  await until(() => s.voice!.missed.get(appealId), '漏接回拨 entry')
  return appealId
}

t.test('回拨 on a 漏接回拨 entry: the agent takes it, their phone answers by itself, the citizen is called and bridged', async (t) => {
  const s = await voiceScene(t)
  const appealId = await missedCaller(s, '13700007777')
  s.peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  s.peer.setEndpoint('sofia/carrier/13700007777@127.0.0.1:5090', { answerAfterMs: 20 })
  const ws = await agentSocket(s, '1001', t)
  await ws.request('state.set', { state: 'ready' })

  const ack = await ws.request('call.back', { appealId })
  t.match(ack, { type: 'ack', outcome: 'connected' })
  const agentLeg = s.peer.commands.find((c) => /originate .*user\/1001/.test(c.line))
  t.match(agentLeg?.line, /sip_auto_answer=true/, "the agent's phone answers by itself")
  const citizen = s.peer.channels().find((c) => c.variables?.gw_leg === 'callback')
  t.ok(citizen?.bridgedTo, 'citizen and agent bridged')
  t.same((await s.stack.acd.status('1001')).appealIds, [appealId], 'the agent holds the appeal')
  t.match(await s.queue.get(appealId), { status: 'in-progress', call: { mode: 'live', callbacks: { attempts: 1, outcome: 'connected' } } })
  t.notOk(await s.voice!.missed.get(appealId), 'off the 漏接回拨 list')
  // The agent's call controls work on the call-back: hold, then hang up.
  t.match(await ws.request('call.hold', { on: true }), { type: 'ack', held: true })
  await ws.request('call.hold', { on: false })
  t.match(await ws.request('call.hangup', {}), { type: 'ack' })
  await until(() => !s.peer.channels().some((c) => c.uuid === citizen!.uuid), 'the call ended')
  await until(async () => ((await ws.request('call.hold', { on: true })).code === 'MEDIA_ERR_NO_CALL' ? true : undefined), 'no call left on the agent')
})

t.test('回拨: a busy citizen is noted and can be called again; refused for another agent and while on a call', async (t) => {
  const s = await voiceScene(t)
  const appealId = await missedCaller(s, '13700008888')
  s.peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  s.peer.setEndpoint('user/1002', { answerAfterMs: 20 })
  s.peer.setEndpoint('sofia/carrier/13700008888@127.0.0.1:5090', 'busy')
  const a = await agentSocket(s, '1001', t)
  const b = await agentSocket(s, '1002', t)
  await a.request('state.set', { state: 'ready' })
  await b.request('state.set', { state: 'ready' })
  t.match(await a.request('call.back', { appealId }), { type: 'ack', outcome: 'no-answer' }, 'the citizen was busy')
  t.match((await s.queue.get(appealId))?.call?.callbacks, { attempts: 1, outcome: 'no-answer' }, 'the try is noted on the card')
  t.match(await b.request('call.back', { appealId }), { type: 'error', code: 'ACD_ERR_NOT_HOLDING' }, "another agent's appeal")
  const other = await missedCaller(s, '13700009999')
  s.peer.setEndpoint('sofia/carrier/13700008888@127.0.0.1:5090', { answerAfterMs: 20 })
  t.match(await a.request('call.back', { appealId }), { type: 'ack', outcome: 'connected' }, 'called again: connected')
  t.match(await a.request('call.back', { appealId: other }), { type: 'error', code: 'MEDIA_ERR_ON_A_CALL' })
  t.ok(await s.voice!.missed.get(other), 'the other entry stays on the list')
})
