import t from 'tap'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'

const executed = (s: VoiceScene, app: string, re: RegExp) =>
  s.peer.commands.filter((c) => c.headers['execute-app-name'] === app && re.test(c.headers['execute-app-arg'] ?? ''))

t.test('past the longest wait the caller leaves a message; it waits at its place as written work', async (t) => {
  const s = await voiceScene(t, { waiting: { maxWaitSeconds: 1 } })
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13900004444' })
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === caller)?.appealId, 'queued'))!
  await until(() => executed(s, 'playback', /overflow_message\.wav$/)[0], 'the overflow prompt', 5000)
  await until(() => executed(s, 'record', /message-.*\.wav/)[0], 'the message is recorded')
  s.peer.sendDtmf(caller, '#')
  await until(() => !s.peer.channels().some((c) => c.uuid === caller), 'the call ends after the message')
  t.ok(executed(s, 'playback', /message_saved\.wav$/).length === 1, 'told the message is kept')

  const appeal = await s.queue.get(appealId)
  t.match(appeal, { status: 'queued', call: { mode: 'message', recording: /message-.*\.wav$/ } }, 'still queued, with the message')
  t.notMatch(appeal?.call?.recording ?? '', /13900004444/, 'no phone number in the file name')
  t.equal((await s.stack.acd.stats()).today.abandoned, 0, 'not an abandoned call')

  const originatesBefore = s.peer.commands.filter((c) => /originate/.test(c.line)).length
  await s.stack.acd.setState('1001', 'ready')
  const offer = await until(async () => (await s.stack.acd.status('1001')).offer, 'offered')
  t.match(offer, { appealId, kind: 'written' }, 'offered as written work')
  await new Promise((r) => setTimeout(r, 200))
  t.equal(s.peer.commands.filter((c) => /originate/.test(c.line)).length, originatesBefore, "no agent's phone rings for a message")
})

t.test('a caller who hangs up during the overflow notice, before any message, is abandoned (漏接回拨)', async (t) => {
  const s = await voiceScene(t, { waiting: { maxWaitSeconds: 1 } }, {}, 400)
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13900005555' })
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === caller)?.appealId, 'queued', 8000))!
  await until(() => executed(s, 'playback', /overflow_message\.wav$/)[0], 'the overflow prompt', 5000)
  s.peer.callerHangup(caller)
  const missed = await until(async () => s.voice!.missed.get(appealId), '漏接回拨 entry')
  t.match(missed, { phone: '13900005555', hotline: '12345' })
  t.match(await s.queue.get(appealId), { status: 'cancelled' })
  t.equal((await s.stack.acd.stats()).today.abandoned, 1, 'counted as abandoned')
})

t.test('an agent ringing for the call when the longest wait passes keeps it: no overflow', async (t) => {
  const s = await voiceScene(t, { waiting: { maxWaitSeconds: 1 } }, { offerTimeoutSeconds: 5 })
  s.peer.setEndpoint('user/1001', { answerAfterMs: 1500 })
  await s.stack.acd.setState('1001', 'ready')
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13900006666' })
  await until(() => s.peer.channels().find((c) => c.bridgedTo === caller || s.peer.channels().some((x) => x.uuid === caller && x.bridgedTo)), 'bridged', 8000)
  t.equal(executed(s, 'playback', /overflow_message\.wav$/).length, 0, 'no overflow notice')
})
