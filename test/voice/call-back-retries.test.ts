import t from 'tap'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'

const CITIZEN = 'sofia/carrier/13900003333@127.0.0.1:5090'

/** A caller who pressed 1 while waiting: the place is kept, the call is over. Returns the appeal id. */
async function keptPlace(s: VoiceScene): Promise<string> {
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13900003333' })
  await until(() => s.peer.commands.find((c) => /callback_offer\.wav/.test(c.line)), 'call-back offered')
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === caller)?.appealId, 'queued'))!
  s.peer.sendDtmf(caller, '1')
  await until(() => !s.peer.channels().some((c) => c.uuid === caller), 'the caller was let go')
  return appealId
}

const citizenDials = (s: VoiceScene) => s.peer.commands.filter((c) => /originate .*sofia\/carrier\/13900003333@/.test(c.line)).length

t.test('a call-back the citizen does not answer is tried again at its place after retryAfterSeconds, then connects', async (t) => {
  const s = await voiceScene(t, { waiting: { callbackOfferAfterSeconds: 1 }, callback: { attempts: 3, retryAfterSeconds: 1, ringSeconds: 5 } })
  const appealId = await keptPlace(s)
  s.peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  s.peer.setEndpoint(CITIZEN, 'busy')
  await s.stack.acd.setState('1001', 'ready')

  const first = await until(async () => (await s.queue.get(appealId))?.call?.callbacks?.nextAt ? s.queue.get(appealId) : undefined, 'first try not answered')
  t.equal(citizenDials(s), 1, 'the citizen was called once')
  t.match(first, { status: 'queued', call: { mode: 'callback', callbacks: { attempts: 1, outcome: 'no-answer' } } }, 'back in the queue, the try noted')
  t.notOk((await s.stack.acd.status('1001')).appealIds.includes(appealId), 'the agent let go of it')
  t.notOk(s.peer.channels().some((c) => c.variables?.gw_leg === 'agent'), "the agent's leg ended")
  const heldBack = Date.parse(first!.call!.callbacks!.nextAt!) - Date.now()
  t.ok(heldBack > 0 && heldBack <= 1000, 'the next try is about retryAfterSeconds away')

  s.peer.setEndpoint(CITIZEN, { answerAfterMs: 20 })
  await until(() => s.peer.channels().find((c) => c.bridgedTo && c.variables?.gw_leg === 'callback'), 'the second try connects', 10_000)
  t.equal(citizenDials(s), 2, 'called a second time, not more')
  const appeal = await until(async () => ((await s.queue.get(appealId))?.call?.callbacks?.outcome === 'connected' ? s.queue.get(appealId) : undefined), 'noted')
  t.match(appeal?.call?.callbacks, { attempts: 2, outcome: 'connected' })
  t.equal((await s.stack.acd.status('1001')).appealIds[0], appealId, 'the agent holds it')
  t.ok(appeal?.call?.recording, 'the call-back is recorded')
  t.notMatch(appeal?.call?.recording ?? '', /13900003333/, 'no phone number in the file name')
})

t.test('after the last unanswered try the appeal stays with the agent as written work, the card saying so', async (t) => {
  const s = await voiceScene(t, { waiting: { callbackOfferAfterSeconds: 1 }, callback: { attempts: 1, retryAfterSeconds: 1, ringSeconds: 5 } })
  const appealId = await keptPlace(s)
  s.peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  s.peer.setEndpoint(CITIZEN, 'busy')
  await s.stack.acd.setState('1001', 'ready')
  const appeal = await until(async () => ((await s.queue.get(appealId))?.call?.mode === 'message' ? s.queue.get(appealId) : undefined), 'written work')
  t.match(appeal, { status: 'in-progress', call: { callbacks: { attempts: 1, outcome: 'no-answer' } } })
  t.notOk(appeal?.call?.callbacks?.nextAt, 'no further try planned')
  t.same((await s.stack.acd.status('1001')).appealIds, [appealId], 'the agent keeps it')
  t.equal(citizenDials(s), 1)
})

t.test("the agent's phone does not answer the call-back: 未应答, nobody is called, the place is kept", async (t) => {
  const s = await voiceScene(t, { waiting: { callbackOfferAfterSeconds: 1 }, callback: { attempts: 2, retryAfterSeconds: 1, ringSeconds: 5 } })
  const appealId = await keptPlace(s)
  s.peer.setEndpoint('user/1001', 'busy')
  await s.stack.acd.setState('1001', 'ready')
  await until(async () => ((await s.stack.acd.status('1001')).reason === '未应答' ? true : undefined), '未应答')
  t.equal(citizenDials(s), 0, 'the citizen is not called without an agent')
  t.match(await s.queue.get(appealId), { status: 'queued', call: { mode: 'callback' } })
  t.notOk((await s.queue.get(appealId))?.call?.callbacks, 'no try counted')
})
