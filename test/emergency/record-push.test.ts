import t from 'tap'
import { loadConfig } from '../../config/load.ts'
import { pushSpanMs } from '../../config/emergency-schema.ts'
import { assertSignature, readSignedHeaders } from '../../channels/signed/signature.ts'
import { closedPort, emergencyApp, PartnerPlatform, SECRETS } from './helpers/emergency-app.ts'

t.test('a partner platform that fails twice, then acknowledges: the record is delivered, then acknowledged, signed as our webhooks are', async (t) => {
  const platform = await new PartnerPlatform([{ status: 503 }, { status: 500 }, { status: 200, body: { status: 'acknowledged' } }]).listen()
  t.teardown(() => platform.close())
  const e = await emergencyApp(t, { endpoints: { '110': platform.url } })
  const appealId = await e.webAppeal()
  const appeal = (await e.queue.get(appealId))!

  const acknowledged = e.nextChange((r) => r.status === 'acknowledged', 'the acknowledgement')
  const { record, created } = await e.emergency.desk.handOff({ appealId, partner: '110', how: 'one-key', agentId: '1001', summary: '两伙人在楼下打架，有人拿着酒瓶' })
  t.ok(created)
  t.equal(record.status, 'pending', 'pending until the platform takes it')
  t.equal(record.delivery.state, 'pushing')
  const done = await acknowledged

  t.equal(platform.requests.length, 3, 'two failures, then the answer')
  t.equal(done.delivery.attempts, 3)
  t.same(done.history.map((h) => h.event), ['created', 'delivered', 'acknowledged'], 'delivered, then acknowledged, on the record')
  t.equal(done.answeredBy, 'platform:110')
  t.same((await e.emergency.desk.records(appealId)).map((r) => r.status), ['acknowledged'], "on the appeal's history")

  const last = platform.requests[2]
  const headers = readSignedHeaders(last.headers)
  t.doesNotThrow(() => assertSignature(SECRETS['110'], headers, last.body), "the signature verifies with the partner's secret")
  t.throws(() => assertSignature('another-secret-0000', headers, last.body), { code: 'CH_ERR_BAD_SIGNATURE' })
  t.equal(last.headers['idempotency-key'], record.id, 'the handoff id makes a repeated push recognisable')
  const pushed = JSON.parse(last.body.toString('utf8')).handoff
  t.match(pushed, {
    id: record.id,
    reference: appeal.appealNumber,
    partner: '110',
    how: 'one-key',
    callerNumber: '13812345678',
    location: { address: '幸福路12号' },
    summary: '两伙人在楼下打架，有人拿着酒瓶',
    category: '求助',
    agent: { id: '1001', name: String },
    link: /\/handoff\/[A-Za-z0-9_-]{32}$/,
  })
  t.notOk('delivery' in pushed || 'history' in pushed, 'our bookkeeping stays here')
  const lines = JSON.stringify(e.logs)
  t.notMatch(lines, /13812345678/, 'the caller number is in no log line')
  t.notMatch(lines, new RegExp(record.link.split('/').pop()!), 'nor the link token')
})

t.test('the partner platform refuses connections for a while: the record waits pending, and is delivered when the platform is back', async (t) => {
  const port = await closedPort()
  const platform = new PartnerPlatform([{ status: 200, body: { received: true } }])
  t.teardown(() => platform.close())
  const e = await emergencyApp(t, { endpoints: { '119': `http://127.0.0.1:${port}/handoffs` } })
  const appealId = await e.webAppeal('厨房燃气泄漏，闻到很大的煤气味', '13912340000')

  const thirdTry = e.nextChange((r) => r.delivery.attempts >= 3, 'three failed tries')
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '119', how: 'record-only', agentId: '1002' })
  const meanwhile = await thirdTry
  t.equal(meanwhile.status, 'pending', 'pending while the platform is down: the console shows it')
  t.equal(meanwhile.delivery.state, 'pushing', 'still trying')
  t.equal(meanwhile.delivery.lastError, 'unreachable')

  const delivered = e.nextChange((r) => r.status === 'delivered', 'the delivery')
  await platform.listen(port)
  const got = await delivered
  t.equal(got.id, record.id)
  t.equal(got.delivery.state, 'delivered')
  t.ok(got.delivery.attempts > 3, `delivered on try ${got.delivery.attempts}`)
  t.equal(platform.requests.length, 1, 'one request reached the platform once it was back')
  t.equal(got.status, 'delivered', 'a 2xx without an acknowledgement is delivered, not acknowledged')
})

t.test('a record the dispatcher answered through the link is not pushed again', async (t) => {
  const port = await closedPort()
  const e = await emergencyApp(t, { endpoints: { '120': `http://127.0.0.1:${port}/handoffs` } })
  const appealId = await e.webAppeal('老人在小区花园突然晕倒了，叫不醒', '13712340000')
  const firstFailure = e.nextChange((r) => r.delivery.attempts >= 1, 'a failed try')
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '120', how: 'one-key', agentId: '1001' })
  const finished = new Promise<void>((resolve) => {
    e.emergency.worker!.on('completed', (j) => {
      if (j.id === record.id) resolve()
    })
  })
  await firstFailure
  const token = record.link.split('/').pop()!
  const answered = await e.emergency.desk.answer(token, 'received')
  t.equal(answered.status, 'acknowledged')
  await finished
  t.equal((await e.emergency.desk.get(record.id))!.delivery.state, 'pushing', 'the job ended without a push')
  t.equal((await e.emergency.desk.get(record.id))!.status, 'acknowledged')
})

t.test('the production retry settings keep pushing for well over ten minutes', async (t) => {
  const push = loadConfig({ env: {} }).emergency.push
  const span = pushSpanMs(push)
  t.ok(span >= 10 * 60_000, `${Math.round(span / 60_000)} minutes of retries`)
  t.ok(span >= 50 * 60_000, 'about 55 minutes with the defaults (README)')
  t.ok(span < 2 * 3600_000)
})
