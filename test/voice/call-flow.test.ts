import t from 'tap'
import { voiceScene, until, type VoiceScene } from './helpers/voice-scene.ts'

const played = (s: VoiceScene, re: RegExp) =>
  s.peer.commands.filter((c) => c.headers['execute-app-name'] === 'playback' && re.test(c.headers['execute-app-arg'] ?? ''))

async function agentWith(s: VoiceScene, agentId: string, state: string) {
  return until(async () => {
    const st = await s.stack.acd.status(agentId)
    return st.state === state ? st : undefined
  }, `agent ${agentId} ${state}`)
}

t.test('a call to 12345 hears the greeting and reaches a ready agent whose phone answers: bridged and recorded', async (t) => {
  const s = await voiceScene(t)
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  await s.stack.acd.setState('1001', 'ready')
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '+8613800138000' })

  const st = await until(async () => {
    const x = await s.stack.acd.status('1001')
    return x.state === 'busy' && x.appealIds.length === 1 ? x : undefined
  }, 'agent 1001 on the call')
  t.equal(played(s, /\/welcome\.wav$/).length, 1, 'the short greeting was played')
  t.equal(played(s, /notice-/).length, 0, 'no merge notice on 12345 itself')
  t.ok(s.peer.commands.some((c) => c.line === `api uuid_setvar ${caller} language zh`), 'phrases will be spoken in Chinese')
  const agentLeg = await until(() => s.peer.channels().find((c) => c.uuid === caller)?.bridgedTo, 'caller bridged')
  const originate = s.peer.commands.find((c) => /originate .*user\/1001/.test(c.line))
  t.match(originate?.line, /gw_leg=agent/, 'the agent leg is marked as ours')
  t.match(originate?.line, /originate_timeout=2\b/, 'rings for the offer time')

  const appeal = await s.queue.get(st.appealIds[0])
  t.match(appeal, { channel: 'voice', origin: '12345', status: 'in-progress', citizen: { phone: '13800138000' }, call: { callId: caller, serverId: 'fs1' } })
  const record = await until(() => s.peer.commands.find((c) => /^api uuid_record \S+ start /.test(c.line)), 'recording started')
  t.notMatch(record.line, /13800138000/, 'no phone number in the recording path')
  const withRecording = await until(async () => (await s.queue.get(appeal!.id))?.call?.recording, 'recording on the appeal')
  t.match(withRecording, new RegExp(`${appeal!.id}\\.wav$`))
  const stats = await s.stack.acd.stats()
  t.equal(stats.today.answered, 1, 'counted as answered')
  t.equal(stats.today.answeredWithin15sRate, 1, 'within 15 s')

  s.peer.callerHangup(caller)
  await until(() => !s.peer.channels().some((c) => c.uuid === agentLeg), 'the agent leg ends with the caller')
  await until(() => s.voice!.router.activeCalls().length === 0, 'the call is over for the router')
  t.equal((await s.stack.acd.status('1001')).appealIds.length, 1, 'the agent still holds the appeal to complete it')
})

t.test('a call to a cancelled number plays its notice first and keeps its origin; a withheld number is still an appeal', async (t) => {
  // Nobody has the 12319 skill (urban): this queue takes any agent at once.
  const s = await voiceScene(t, {}, { queues: { urban: { relaxation: [{ afterSeconds: 0, keep: [] }] } } })
  await s.stack.acd.setState('1001', 'ready')
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  await s.peer.placeCall({ destination: '12319', callerNumber: 'anonymous' })
  const st = await until(async () => {
    const x = await s.stack.acd.status('1001')
    return x.appealIds.length === 1 ? x : undefined
  }, 'agent 1001 on the call')
  const notice = played(s, /\/notice-12319\.wav$/)
  const welcome = played(s, /\/welcome\.wav$/)
  t.equal(notice.length, 1, 'the merge notice was played')
  t.ok(s.peer.commands.indexOf(notice[0]) < s.peer.commands.indexOf(welcome[0]), 'before the greeting')
  const appeal = await s.queue.get(st.appealIds[0])
  t.match(appeal, { channel: 'voice', origin: '12319' })
  t.same(appeal?.citizen, {}, 'no number, still an appeal')
})

t.test('no agent ready: hold music, position spoken, and 1 keeps the place; the call-back connects caller and agent', async (t) => {
  const s = await voiceScene(t, { waiting: { announceEverySeconds: 1, callbackOfferAfterSeconds: 1 } })
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13900001111' })
  await until(() => played(s, /^local_stream:\/\/moh$/)[0], 'hold music')
  await until(() => s.peer.commands.find((c) => /^api uuid_broadcast \S+ phrase:queue_position:1 aleg$/.test(c.line)), 'position spoken')
  await until(() => s.peer.commands.find((c) => /^api uuid_broadcast \S+ phrase:wait_minutes:\d+ aleg$/.test(c.line)), 'wait spoken')
  await until(() => s.peer.commands.find((c) => /^api uuid_broadcast \S+ \S*callback_offer\.wav aleg$/.test(c.line)), 'call-back offered')
  s.peer.sendDtmf(caller, '1')
  await until(() => !s.peer.channels().some((c) => c.uuid === caller), 'the caller was let go')
  t.ok(played(s, /callback_registered\.wav$/).length === 1, 'told the place is kept')
  const [appealId] = (await s.queue.stats()).waiting > 0 ? await waitingIds(s) : []
  t.ok(appealId, 'the appeal still waits in the queue')
  t.match(await s.queue.get(appealId), { call: { mode: 'callback' }, status: 'queued' })
  t.equal((await s.stack.acd.stats()).today.abandoned, 0, 'keeping the place is not an abandon')

  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  s.peer.setEndpoint('sofia/carrier/13900001111@127.0.0.1:5090', { answerAfterMs: 30 })
  await s.stack.acd.setState('1001', 'ready')
  await until(() => s.peer.commands.find((c) => /originate .*sofia\/carrier\/13900001111@/.test(c.line)), 'the citizen is called back')
  const agentOriginate = s.peer.commands.findIndex((c) => /originate .*user\/1001/.test(c.line))
  const citizenOriginate = s.peer.commands.findIndex((c) => /originate .*sofia\/carrier\/13900001111@/.test(c.line))
  t.ok(agentOriginate >= 0 && agentOriginate < citizenOriginate, "the agent's phone rings first")
  await until(() => s.peer.channels().find((c) => c.bridgedTo && c.variables?.gw_leg === 'callback'), 'citizen and agent bridged')
  t.equal((await s.stack.acd.status('1001')).appealIds[0], appealId, 'the agent holds the appeal')
})

async function waitingIds(s: VoiceScene): Promise<string[]> {
  const jobs = await s.queue.queue.getJobs(['waiting', 'prioritized', 'delayed'])
  return jobs.map((j) => j.id!).filter(Boolean)
}

t.test('a caller who hangs up while waiting is abandoned at once and becomes a 漏接回拨 entry', async (t) => {
  const s = await voiceScene(t)
  const caller = await s.peer.placeCall({ destination: '12333', callerNumber: '13700002222' })
  await until(() => played(s, /^local_stream:\/\/moh$/)[0], 'waiting with music')
  const [appealId] = await until(async () => ((await waitingIds(s)).length ? waitingIds(s) : undefined), 'queued')
  s.peer.callerHangup(caller)
  const missed = await until(async () => (await s.voice!.missed.list())[0], 'missed-call entry')
  t.match(missed, { appealId, hotline: '12333', maskedPhone: '137****2222', canCallBack: true })
  t.notOk(JSON.stringify(missed).includes('13700002222'), 'the list shows the number masked')
  t.equal((await s.voice!.missed.get(appealId))?.phone, '13700002222', 'the full number is kept for the call-back')
  t.match(await s.queue.get(appealId), { status: 'cancelled' })
  t.equal((await s.stack.acd.stats()).today.abandoned, 1, 'counted as abandoned')
  await s.stack.acd.setState('1001', 'ready')
  t.notOk((await s.stack.acd.status('1001')).offer, 'nothing is offered for a caller who left')
})

t.test("an agent whose phone does not answer is 未应答 and the call goes to the next agent at its place", async (t) => {
  const s = await voiceScene(t)
  s.peer.setEndpoint('user/1001', 'no-answer')
  s.peer.setEndpoint('user/1002', { answerAfterMs: 30 })
  await s.stack.acd.setState('1001', 'ready')
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13600003333' })
  await until(() => s.peer.commands.find((c) => /originate .*user\/1001/.test(c.line)), 'agent 1001 rung')
  const st = await agentWith(s, '1001', 'not-ready')
  t.equal(st.reason, '未应答')
  await s.stack.acd.setState('1002', 'ready')
  await until(() => s.peer.channels().find((c) => c.uuid === caller && c.bridgedTo), 'bridged to 1002')
  t.equal((await s.stack.acd.status('1002')).appealIds.length, 1)
})

t.test('the event socket cut mid-call and restored: no lost call and no ghost', async (t) => {
  const s = await voiceScene(t)
  const waiting = await s.peer.placeCall({ destination: '12345', callerNumber: '13500004444' })
  await until(() => played(s, /^local_stream:\/\/moh$/)[0], 'waiting')
  const [appealId] = await until(async () => ((await waitingIds(s)).length ? waitingIds(s) : undefined), 'queued')
  s.peer.dropConnections()
  s.peer.callerHangup(waiting) // while nobody listens
  const newcomer = await s.peer.placeCall({ destination: '12345', callerNumber: '13500005555' }) // parked while nobody listens
  await until(async () => (await s.queue.get(appealId))?.status === 'cancelled', 'the call that ended meanwhile is abandoned')
  t.equal((await s.voice!.missed.list()).length, 1, 'and listed for a call-back')
  await until(() => s.voice!.router.activeCalls().find((c) => c.callId === newcomer && c.appealId), 'the call that came meanwhile is taken up')
  t.notOk(s.voice!.router.activeCalls().some((c) => c.callId === waiting), 'no ghost')
})

t.test('FreeSWITCH gone with calls up: its waiting calls end in the ACD within 5 s and nothing is offered later', async (t) => {
  const s = await voiceScene(t)
  await s.peer.placeCall({ destination: '12345', callerNumber: '13400006666' })
  const [appealId] = await until(async () => ((await waitingIds(s)).length ? waitingIds(s) : undefined), 'queued')
  const killedAt = Date.now()
  await s.peer.close()
  await until(async () => (await s.queue.get(appealId))?.status === 'cancelled', 'ended in the ACD', 5000)
  t.ok(Date.now() - killedAt < 5000, `within 5 s (${Date.now() - killedAt} ms)`)
  await s.stack.acd.setState('1001', 'ready')
  t.notOk((await s.stack.acd.status('1001')).offer, 'nothing offered')
  t.equal(s.voice!.media.upServers().length, 0)
})

t.test('after the event socket comes back, a caller still waiting hears the music again (never left in silence)', async (t) => {
  const s = await voiceScene(t)
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13300007777' })
  await until(() => played(s, /^local_stream:\/\/moh$/)[0], 'waiting with music')
  const before = played(s, /^local_stream:\/\/moh$/).length
  s.peer.dropConnections()
  await until(() => played(s, /^local_stream:\/\/moh$/).length > before, 'music started again after the reconnect')
  t.ok(s.peer.commands.some((c) => c.line === `api uuid_break ${caller} all`), 'what was left of it stopped first')
  t.ok(s.voice!.router.activeCalls().some((c) => c.callId === caller), 'the call still waits')
})
