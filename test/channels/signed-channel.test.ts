import t from 'tap'
import { staffHeaders } from '../helpers/app.ts'
import { testRedis } from '../helpers/redis.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { boardPost, NOW_S, SECRETS, sendSigned, signedTestApp, URLS } from './helpers/signed.ts'

const board = { secret: SECRETS.board }

t.test('a signed board post is accepted with 202, queued, and in the citizen history', async (t) => {
  const ta = await signedTestApp(t)
  const { res, body } = await sendSigned(ta, URLS.board, boardPost(1), board)
  t.equal(res.statusCode, 202)
  t.equal(body.rejected.length, 0)
  const [a] = body.accepted
  t.match(a, { index: 0, externalId: 'LY-2026-100001', status: 'queued', created: true })
  t.match(a.appealNumber, /^\d{8}-\d{6}$/)

  const appeal = await ta.queue.get(a.id)
  t.match(appeal, { channel: 'message-board', content: boardPost(1).content, external: { id: 'LY-2026-100001' } })
  t.equal(appeal!.receivedAt, '2026-11-26T13:15:00.000Z', 'the time the citizen posted it is kept')
  const job = await ta.queue.queue.getJob(a.id)
  t.ok(job, 'the appeal is in the one queue')

  const history = await ta.app.inject({ url: '/v1/citizens/13912340001/appeals', headers: staffHeaders })
  t.same(history.json().appeals.map((x: { id: string }) => x.id), [a.id])
})

t.test('a batch answers 207 with each good and bad message listed by externalId, code and field', async (t) => {
  const ta = await signedTestApp(t)
  const messages = [
    boardPost(1),
    boardPost(2, { citizen: { name: '李先生', phone: '12345' } }),
    boardPost(3),
    boardPost(4, { content: '   ' }),
    boardPost(5, { category: '催办' }),
    { ...boardPost(6), externalId: undefined },
  ]
  const { res, body } = await sendSigned(ta, URLS.board, { messages }, board)
  t.equal(res.statusCode, 207)
  t.same(
    body.accepted.map((a: { externalId: string }) => a.externalId),
    ['LY-2026-100001', 'LY-2026-100003'],
  )
  t.same(
    body.rejected.map((r: Record<string, unknown>) => [r.index, r.externalId, r.code, r.field]),
    [
      [1, 'LY-2026-100002', 'CH_ERR_INVALID_PHONE', '/messages/1/citizen/phone'],
      [3, 'LY-2026-100004', 'CH_ERR_EMPTY_CONTENT', '/messages/3/content'],
      [4, 'LY-2026-100005', 'CH_ERR_VALIDATION', '/messages/4/category'],
      [5, undefined, 'CH_ERR_VALIDATION', '/messages/5/externalId'],
    ],
  )
  t.equal((await ta.queue.stats()).waiting, 2, 'only the good messages were queued')
})

t.test('a batch where every message is rejected answers 400 with the first reason and the list', async (t) => {
  const ta = await signedTestApp(t)
  const messages = [boardPost(1, { citizen: {} }), boardPost(2, { content: '' })]
  const { res, body } = await sendSigned(ta, URLS.board, { messages }, board)
  t.equal(res.statusCode, 400)
  t.match(body, { code: 'CH_ERR_MISSING_CONTACT', field: '/messages/0/citizen', accepted: [] })
  t.equal(body.rejected.length, 2)
  t.equal((await ta.queue.stats()).waiting, 0)
})

t.test('a lone bad message answers like the web channel: its code and field at the root', async (t) => {
  const ta = await signedTestApp(t)
  const { res, body } = await sendSigned(ta, URLS.board, boardPost(1, { unexpected: 1 }), board)
  t.equal(res.statusCode, 400)
  t.match(body, { code: 'CH_ERR_VALIDATION', field: '/unexpected' })
})

t.test('a batch of 500 full-length posts fits the body limit and is accepted', async (t) => {
  const ta = await signedTestApp(t)
  const long = '路'.repeat(5000)
  const messages = Array.from({ length: 500 }, (_, i) => boardPost(i, { content: long }))
  const { res, body, payload } = await sendSigned(ta, URLS.board, { messages }, board)
  const bytes = Buffer.byteLength(payload)
  t.ok(bytes > 7_000_000 && bytes < ta.config.channels.signedBodyLimitBytes, `the batch is ${bytes} bytes`)
  t.equal(res.statusCode, 202)
  t.equal(body.accepted.length, 500)
  t.equal(new Set(body.accepted.map((a: { appealNumber: string }) => a.appealNumber)).size, 500)
  t.equal((await ta.queue.stats()).waiting, 500)
})

t.test('501 messages are refused with 400 naming /messages, and nothing is stored', async (t) => {
  const ta = await signedTestApp(t)
  const messages = Array.from({ length: 501 }, (_, i) => boardPost(i))
  const { res, body } = await sendSigned(ta, URLS.board, { messages }, board)
  t.equal(res.statusCode, 400)
  t.match(body, { code: 'CH_ERR_TOO_MANY_MESSAGES', field: '/messages' })
  t.equal((await ta.queue.stats()).waiting, 0)
})

t.test('a body above the signed channels\' limit is refused with 413', async (t) => {
  const ta = await signedTestApp(t)
  const limit = ta.config.channels.signedBodyLimitBytes
  const payload = JSON.stringify({ messages: [boardPost(1, { content: 'x'.repeat(limit) })] })
  const { res, body } = await sendSigned(ta, URLS.board, payload, board)
  t.equal(res.statusCode, 413)
  t.equal(body.code, 'CH_ERR_BODY_TOO_LARGE')
  t.match(body.message, String(limit))
})

t.test('a wrong signature is refused with 401 and stores nothing', async (t) => {
  const ta = await signedTestApp(t)
  const { res, body } = await sendSigned(ta, URLS.board, boardPost(1), { secret: 'not-the-board-secret' })
  t.equal(res.statusCode, 401)
  t.match(body, { code: 'CH_ERR_BAD_SIGNATURE', field: '/headers/x-signature' })
  t.equal((await ta.queue.stats()).waiting, 0)
})

t.test('the signature is checked before the body: bad JSON with a bad signature is a 401', async (t) => {
  const ta = await signedTestApp(t)
  const bad = await sendSigned(ta, URLS.board, '{"content": ', { secret: 'wrong' })
  t.equal(bad.body.code, 'CH_ERR_BAD_SIGNATURE')
  const signed = await sendSigned(ta, URLS.board, '{"content": ', board)
  t.equal(signed.res.statusCode, 400)
  t.equal(signed.body.code, 'CH_ERR_MALFORMED_JSON')
  const latin1 = await sendSigned(ta, URLS.board, Buffer.from([0x7b, 0xff, 0x7d]), board)
  t.equal(latin1.body.code, 'CH_ERR_INVALID_UTF8')
})

t.test('a timestamp outside the window is refused as stale, in both directions', async (t) => {
  const ta = await signedTestApp(t)
  const window = ta.config.channels.signatureWindowSeconds
  for (const ts of [NOW_S - window - 1, NOW_S + window + 1]) {
    const { res, body } = await sendSigned(ta, URLS.board, boardPost(1), { ...board, timestamp: ts })
    t.equal(res.statusCode, 401)
    t.match(body, { code: 'CH_ERR_STALE_TIMESTAMP', field: '/headers/x-timestamp' })
  }
  const edge = await sendSigned(ta, URLS.board, boardPost(1), { ...board, timestamp: NOW_S - window })
  t.equal(edge.res.statusCode, 202, 'the edge of the window is still inside')
})

t.test('missing or malformed signature headers are refused with the header named', async (t) => {
  const ta = await signedTestApp(t)
  const payload = JSON.stringify(boardPost(1))
  const none = await ta.app.inject({ method: 'POST', url: URLS.board, payload, headers: { 'content-type': 'application/json' } })
  t.equal(none.statusCode, 401)
  t.match(none.json(), { code: 'CH_ERR_SIGNATURE_HEADER', field: '/headers/x-timestamp' })
  const noSig = await ta.app.inject({
    method: 'POST',
    url: URLS.board,
    payload,
    headers: { 'content-type': 'application/json', 'x-timestamp': String(NOW_S) },
  })
  t.match(noSig.json(), { code: 'CH_ERR_SIGNATURE_HEADER', field: '/headers/x-signature' })
  const iso = await sendSigned(ta, URLS.board, boardPost(1), { ...board, timestamp: '2026-11-27T02:00:00Z' })
  t.match(iso.body, { code: 'CH_ERR_SIGNATURE_HEADER', field: '/headers/x-timestamp' })
})

t.test('the same signed request sent twice is refused as a replay, and the appeal stays single', async (t) => {
  const ta = await signedTestApp(t)
  const first = await sendSigned(ta, URLS.board, boardPost(1), board)
  t.equal(first.res.statusCode, 202)
  const again = await ta.app.inject({
    method: 'POST',
    url: URLS.board,
    payload: first.payload,
    headers: { 'content-type': 'application/json', 'x-timestamp': first.timestamp, 'x-signature': first.signature },
  })
  t.equal(again.statusCode, 401)
  t.match(again.json(), { code: 'CH_ERR_REPLAYED' })
  t.equal((await ta.queue.stats()).waiting, 1)
})

t.test('a replay is caught by another gateway process sharing the Redis', async (t) => {
  const a = await signedTestApp(t)
  const { buildTestApp } = await import('../helpers/app.ts')
  const b = await buildTestApp(t, {
    redis: a.redis,
    prefix: a.prefix,
    config: { channels: { messageBoard: { secret: SECRETS.board } } },
    deps: { clock: () => new Date(NOW_S * 1000) },
  })
  const first = await sendSigned(a, URLS.board, boardPost(1), board)
  t.equal(first.res.statusCode, 202)
  const again = await sendSigned(b, URLS.board, first.payload, { ...board, timestamp: first.timestamp })
  t.equal(again.body.code, 'CH_ERR_REPLAYED')
})

t.test('a signature over other bytes (the same JSON re-serialized) does not match', async (t) => {
  const ta = await signedTestApp(t)
  const compact = JSON.stringify(boardPost(1))
  const pretty = JSON.stringify(boardPost(1), null, 2)
  const timestamp = String(NOW_S)
  const { sign } = await import('../../channels/signed/signature.ts')
  const { res, body } = await sendSigned(ta, URLS.board, pretty, {
    ...board,
    timestamp,
    signature: sign(SECRETS.board, timestamp, compact),
  })
  t.equal(res.statusCode, 401)
  t.equal(body.code, 'CH_ERR_BAD_SIGNATURE')
})

t.test('the mayor\'s mailbox has its own secret and channel', async (t) => {
  const ta = await signedTestApp(t)
  const letter = boardPost(1, { externalId: 'SZXX-20261126-0042', category: '建议' })
  const wrong = await sendSigned(ta, URLS.mailbox, letter, board)
  t.equal(wrong.body.code, 'CH_ERR_BAD_SIGNATURE', "the board's secret does not open the mailbox")
  const { res, body } = await sendSigned(ta, URLS.mailbox, letter, { secret: SECRETS.mailbox })
  t.equal(res.statusCode, 202)
  t.match(await ta.queue.get(body.accepted[0].id), { channel: 'mailbox', category: '建议' })
})

t.test('an app from config is served on the generic route with its name as origin; an unknown app is 404', async (t) => {
  const ta = await signedTestApp(t)
  const { res, body } = await sendSigned(ta, URLS.app('gov-app'), boardPost(1), { secret: SECRETS.govApp })
  t.equal(res.statusCode, 202)
  t.match(await ta.queue.get(body.accepted[0].id), { channel: 'app', origin: 'gov-app' })

  const unknown = await sendSigned(ta, URLS.app('other-app'), boardPost(1), { secret: SECRETS.govApp })
  t.equal(unknown.res.statusCode, 404)
  t.match(unknown.body, { code: 'CH_ERR_UNKNOWN_APP', field: '/params/app' })
})

t.test('a channel without a configured secret answers 503 disabled', async (t) => {
  const ta = await signedTestApp(t, { config: { channels: { mailbox: { secret: '' } } }, env: {} })
  const mailbox = await sendSigned(ta, URLS.mailbox, boardPost(1), { secret: '' })
  t.equal(mailbox.res.statusCode, 503)
  t.equal(mailbox.body.code, 'CH_ERR_CHANNEL_DISABLED')
  const app = await sendSigned(ta, URLS.app('gov-app'), boardPost(1), { secret: SECRETS.govApp })
  t.equal(app.body.code, 'CH_ERR_CHANNEL_DISABLED', 'an app whose secretEnv is unset is disabled too')
})

t.test('a flood from one source is cut off with 429', async (t) => {
  const ta = await signedTestApp(t, {
    config: { channels: { messageBoard: { secret: SECRETS.board, rateLimit: { max: 3, timeWindowMs: 60_000 } } } },
  })
  const codes: number[] = []
  for (let i = 0; i < 5; i++) codes.push((await sendSigned(ta, URLS.board, boardPost(i), board)).res.statusCode)
  t.same(codes, [202, 202, 202, 429, 429])
  const mailbox = await sendSigned(ta, URLS.mailbox, boardPost(9), { secret: SECRETS.mailbox })
  t.equal(mailbox.res.statusCode, 202, 'another source is not affected')
})

t.test('the same externalId in two freshly signed requests makes one appeal', async (t) => {
  const ta = await signedTestApp(t)
  const first = await sendSigned(ta, URLS.board, boardPost(1), board)
  const second = await sendSigned(ta, URLS.board, boardPost(1), { ...board, timestamp: NOW_S + 1 })
  t.equal(second.res.statusCode, 202)
  t.equal(second.body.accepted[0].id, first.body.accepted[0].id)
  t.equal(second.body.accepted[0].appealNumber, first.body.accepted[0].appealNumber)
  t.equal(second.body.accepted[0].created, false)
  t.equal((await ta.queue.stats()).waiting, 1)

  const edited = await sendSigned(ta, URLS.board, boardPost(1, { content: '内容被修改过' }), { ...board, timestamp: NOW_S + 2 })
  t.equal(edited.res.statusCode, 422, 'the same externalId with another text is refused')
  t.match(edited.body, { code: 'GW_ERR_IDEMPOTENCY_MISMATCH', field: '/externalId' })
})

t.test('a board post without a phone is reached through the board user id', async (t) => {
  const ta = await signedTestApp(t)
  const post = boardPost(1, { citizen: { name: '网友' }, userId: 'u8812345' })
  const { res, body } = await sendSigned(ta, URLS.board, post, board)
  t.equal(res.statusCode, 202)
  t.match(await ta.queue.get(body.accepted[0].id), { citizen: { openid: 'board_u8812345' } })
  const history = await ta.app.inject({ url: '/v1/citizens/board_u8812345/appeals', headers: staffHeaders })
  t.equal(history.json().appeals.length, 1)

  const both = await sendSigned(ta, URLS.board, boardPost(2, { citizen: { openid: 'oWx123456' }, userId: 'u1' }), {
    ...board,
    timestamp: NOW_S + 1,
  })
  t.match(both.body, { code: 'CH_ERR_VALIDATION', field: '/userId' })
})

t.test('a request that failed on our side can be retried verbatim', async (t) => {
  const { redis, prefix } = await testRedis(t)
  const real = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: 'appeals', timezone: 'Asia/Shanghai', retentionDays: 180 })
  t.teardown(() => real.close())
  let fail = true
  const flaky: AppealQueue = {
    submit: async (sub) => {
      if (fail) throw new Error('store hiccup')
      return real.submit(sub)
    },
    get: (id) => real.get(id),
    getByNumber: (n) => real.getByNumber(n),
    citizenAppeals: (k, l) => real.citizenAppeals(k, l),
    stats: () => real.stats(),
    onQueued: (hook) => real.onQueued(hook),
  }
  const ta = await signedTestApp(t, { redis, prefix, deps: { queue: flaky } })
  const first = await sendSigned(ta, URLS.board, boardPost(1), board)
  t.equal(first.res.statusCode, 500)
  fail = false
  const retry = await sendSigned(ta, URLS.board, first.payload, { ...board, timestamp: first.timestamp })
  t.equal(retry.res.statusCode, 202, 'not called a replay')
  t.equal((await real.stats()).waiting, 1)
})

t.test('the three signed routes are described in the OpenAPI document', async (t) => {
  const ta = await signedTestApp(t)
  const res = await ta.app.inject({ url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const paths = res.json().paths as Record<string, { post?: { requestBody?: unknown } }>
  for (const p of ['/v1/channels/mailbox/messages', '/v1/channels/message-board/messages', '/v1/channels/apps/{app}/messages']) {
    t.ok(paths[p]?.post?.requestBody, `${p} documents its body`)
  }
})
