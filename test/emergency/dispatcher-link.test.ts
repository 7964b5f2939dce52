import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emergencyApp, movableClock } from './helpers/emergency-app.ts'

const tokenOf = (link: string) => link.split('/').pop()!

t.test('the dispatcher link shows the record with the caller number in full, and never logs the number or the token', async (t) => {
  const e = await emergencyApp(t)
  const appealId = await e.webAppeal()
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '110', how: 'one-key', agentId: '1001', summary: '两伙人打架，有人拿酒瓶' })
  const token = tokenOf(record.link)
  t.match(record.link, /^http:\/\/127\.0\.0\.1:8080\/handoff\/[A-Za-z0-9_-]{32}$/, 'the link starts with emergency.publicBaseUrl')

  const res = await e.app.inject({ url: `/v1/handoffs/${token}` })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  const { handoff } = res.json()
  t.match(handoff, { id: record.id, status: 'pending', partnerName: '公安110', callerNumber: '13812345678', callerName: '张三', summary: '两伙人打架，有人拿酒瓶' })
  t.notOk('delivery' in handoff, 'no push bookkeeping for the dispatcher')

  const page = await e.app.inject({ url: `/handoff/${token}` })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.equal(page.headers['referrer-policy'], 'no-referrer', 'the token never leaves in a Referer')
  t.match(page.body, '/handoff/assets/handoff.js')
  for (const asset of ['handoff.js', 'handoff-zh.js', 'handoff.css', 'dom.js']) {
    t.equal((await e.app.inject({ url: `/handoff/assets/${asset}` })).statusCode, 200, asset)
  }
  t.equal((await e.app.inject({ url: '/handoff/assets/console.js' })).statusCode, 404, 'only the page is served under /handoff/')

  const lines = JSON.stringify(e.logs)
  t.notMatch(lines, /13812345678/, 'the number is never logged')
  t.notMatch(lines, new RegExp(token), 'nor the token (request URLs are masked)')
  t.match(lines, /\/handoffs\/\*\*\*/, 'the request line is there, token masked')
})

t.test('a bad link is 404 EMERGENCY_ERR_LINK_INVALID, an expired one 410 EMERGENCY_ERR_LINK_EXPIRED', async (t) => {
  const clock = movableClock(new Date('2026-11-27T02:00:00Z'))
  const e = await emergencyApp(t, { clock: clock.now })
  const appealId = await e.webAppeal()
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '122', how: 'record-only', agentId: '1001' })
  const token = tokenOf(record.link)

  for (const bad of ['nope', 'A'.repeat(32), `${token}x`]) {
    const res = await e.app.inject({ url: `/v1/handoffs/${bad}` })
    t.equal(res.statusCode, 404, bad)
    t.equal(res.json().code, 'EMERGENCY_ERR_LINK_INVALID')
  }
  t.equal(record.linkExpiresAt, '2026-11-30T02:00:00.000Z', 'valid for emergency.linkTtlHours (72)')
  clock.set(new Date('2026-11-30T02:00:01Z'))
  const expired = await e.app.inject({ url: `/v1/handoffs/${token}` })
  t.equal(expired.statusCode, 410)
  t.equal(expired.json().code, 'EMERGENCY_ERR_LINK_EXPIRED')
  const late = await e.app.inject({ method: 'POST', url: `/v1/handoffs/${token}/answer`, payload: { answer: 'received' } })
  t.equal(late.statusCode, 410, 'an expired link cannot answer either')
})

t.test('the dispatcher answers: 退回12345 needs a reason, lands on the record and the appeal, is published, and is final', async (t) => {
  const e = await emergencyApp(t)
  const appealId = await e.webAppeal('家里燃气泄漏，闻到很大的煤气味', '13912345678')
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '119', how: 'three-party', agentId: '1002' })
  const url = `/v1/handoffs/${tokenOf(record.link)}/answer`

  const noReason = await e.app.inject({ method: 'POST', url, payload: { answer: 'returned', reason: '  ' } })
  t.equal(noReason.statusCode, 400)
  t.match(noReason.json(), { code: 'EMERGENCY_ERR_REASON_REQUIRED', field: '/reason' })
  const wrong = await e.app.inject({ method: 'POST', url, payload: { answer: 'maybe' } })
  t.equal(wrong.statusCode, 400, 'only received or returned')

  const published = e.nextChange((r) => r.status === 'returned', 'the return published')
  const returned = await e.app.inject({ method: 'POST', url, payload: { answer: 'returned', reason: '经核实为燃气公司维修范围，非火警' } })
  t.equal(returned.statusCode, 200)
  t.match(returned.json().handoff, { status: 'returned', answer: 'returned', reason: '经核实为燃气公司维修范围，非火警', answeredBy: 'dispatcher:119' })
  t.equal((await published).id, record.id, 'the agent console is told')
  const [onAppeal] = await e.emergency.desk.records(appealId)
  t.match(onAppeal, { status: 'returned', reason: '经核实为燃气公司维修范围，非火警' }, "on the appeal's handoff history")
  t.same(onAppeal.history.map((h) => h.event), ['created', 'returned'])

  const again = await e.app.inject({ method: 'POST', url, payload: { answer: 'received' } })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'EMERGENCY_ERR_ALREADY_RETURNED')

  const second = await e.emergency.desk.handOff({ appealId, partner: '119', how: 'one-key', agentId: '1002' })
  t.ok(second.created, 'after a return the appeal can be handed to the same partner again')
})

t.test('a second handoff of the same appeal to the same partner while one is open is the same handoff', async (t) => {
  const e = await emergencyApp(t)
  const appealId = await e.webAppeal()
  const first = await e.emergency.desk.escalate(appealId, '110', '1001')
  const again = await e.emergency.desk.handOff({ appealId, partner: '110', how: 'record-only', agentId: '1001' })
  t.notOk(again.created)
  t.equal(again.record.id, first.id)
  const other = await e.emergency.desk.escalate(appealId, '120', '1001')
  t.not(other.id, first.id, 'another partner is another handoff')
  t.same((await e.emergency.desk.records(appealId)).map((r) => r.partner), ['110', '120'], 'the appeal lists both, oldest first')
  t.same(await e.emergency.desk.handoffsToday(), { '110': 1, '119': 0, '120': 1, '122': 0 }, 'counted once each')
})

t.test("today's handoffs per partner follow the centre's calendar day, not UTC's", async (t) => {
  const clock = movableClock(new Date('2026-11-26T15:30:00Z')) // 23:30 in Shanghai
  const e = await emergencyApp(t, { clock: clock.now })
  const a = await e.webAppeal()
  await e.emergency.desk.escalate(a, '122', '1001')
  clock.set(new Date('2026-11-26T16:30:00Z')) // 00:30 on the 27th in Shanghai, still the 26th in UTC
  t.same(await e.emergency.desk.handoffsToday(), { '110': 0, '119': 0, '120': 0, '122': 0 }, 'a new day at local midnight')
  const b = await e.webAppeal('路口两车追尾，堵住了路', '13600001111')
  await e.emergency.desk.escalate(b, '122', '1001')
  await e.emergency.desk.escalate(b, '110', '1001')
  t.same(await e.emergency.desk.handoffsToday(), { '110': 1, '119': 0, '120': 0, '122': 1 })
})

t.test('首接负责: the first receiver of an undecided three-party call is recorded on the handoff and published', async (t) => {
  const e = await emergencyApp(t)
  const appealId = await e.webAppeal()
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '110', how: 'three-party', agentId: '1001' })
  const published = e.nextChange((r) => Boolean(r.firstReceiver), 'the decision published')
  const decided = await e.emergency.desk.recordFirstReceiver(record.id, '12345', '1001')
  t.match(decided.firstReceiver, { platform: '12345', by: '1001' })
  t.equal(decided.history.at(-1)!.event, 'first-receiver')
  t.equal((await published).id, record.id)
  await t.rejects(e.emergency.desk.recordFirstReceiver('ho_nope', '110', '1001'), { code: 'EMERGENCY_ERR_HANDOFF_NOT_FOUND' })
  await t.rejects(e.emergency.desk.handOff({ appealId: 'ap_000000000000000000000000', partner: '110', how: 'one-key', agentId: '1001' }), { code: 'EMERGENCY_ERR_APPEAL_NOT_FOUND' })
})

t.test('a call with a recording: the dispatcher plays it through the same token; 404 while the file is not there', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-rec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const e = await emergencyApp(t, { config: { voice: { recordingsDir: dir } } })
  const { appeal } = await e.queue.submit({
    channel: 'voice',
    externalId: 'call-emergency-1',
    origin: '12345',
    draft: { citizen: { phone: '13812345678' }, content: '市民来电（拨打12345），请在通话中记录诉求内容。', call: { callId: 'call-emergency-1', serverId: 'fs1', mode: 'live', recording: '/recordings/call-emergency-1.wav' } },
  })
  const { record } = await e.emergency.desk.handOff({ appealId: appeal.id, partner: '120', how: 'one-key', agentId: '1001', summary: '老人在家晕倒，叫不醒' })
  t.match(record.recordingUrl, /\/v1\/handoffs\/[A-Za-z0-9_-]{32}\/recording$/)
  t.equal(record.summary, '老人在家晕倒，叫不醒', "the agent's summary, not the call's placeholder")
  const path = new URL(record.recordingUrl!).pathname
  const missing = await e.app.inject({ url: path })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'GW_ERR_NOT_FOUND')
  writeFileSync(join(dir, 'call-emergency-1.wav'), Buffer.alloc(2048, 1))
  const full = await e.app.inject({ url: path })
  t.equal(full.statusCode, 200)
  t.equal(full.headers['content-type'], 'audio/wav')
  const part = await e.app.inject({ url: path, headers: { range: 'bytes=0-99' } })
  t.equal(part.statusCode, 206, 'range requests (seeking in the player)')
  t.equal(part.rawPayload.length, 100)
  const noRecording = await e.emergency.desk.escalate(await e.webAppeal(), '110', '1001')
  t.notOk(noRecording.recordingUrl, 'a written appeal has no recording link')
})
