import t from 'tap'
import { buildTestApp, staffHeaders } from '../helpers/app.ts'
import { countKeys } from '../helpers/redis.ts'

const good = { citizen: { phone: '13800138000', name: '李先生' }, content: '幸福路和建设路交叉口的红绿灯坏了，早高峰很危险' }
const post = (payload: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/v1/channels/web/appeals',
  headers: { 'content-type': 'application/json', ...headers },
  payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
})

t.test('a web appeal is answered 202 only once it is in the queue and in the citizen history', async (t) => {
  const { app, queue } = await buildTestApp(t)
  const res = await app.inject(post({ ...good, category: '投诉', location: { address: '幸福路与建设路交叉口', lat: 36.06, lng: 103.83 } }))
  t.equal(res.statusCode, 202)
  const body = res.json()
  t.match(body, { id: /^ap_/, appealNumber: /^\d{8}-\d{6}$/, status: 'queued' })
  t.ok(await queue.queue.getJob(body.id), 'the queue holds it')
  const history = await app.inject({ method: 'GET', url: '/v1/citizens/13800138000/appeals', headers: staffHeaders })
  t.equal(history.json().appeals[0].appealNumber, body.appealNumber)
  t.equal(history.json().appeals[0].category, '投诉')
})

t.test('the same Idempotency-Key answers the same appeal; another body under it is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const key = { 'idempotency-key': 'form-submit-4f1c2a' }
  const a = await app.inject(post(good, key))
  const b = await app.inject(post(good, key))
  t.equal(b.statusCode, 202)
  t.equal(b.json().appealNumber, a.json().appealNumber)
  t.equal(b.headers['idempotent-replayed'], 'true')
  const c = await app.inject(post({ ...good, content: '别的事' }, key))
  t.equal(c.statusCode, 422)
  t.equal(c.json().code, 'GW_ERR_IDEMPOTENCY_MISMATCH')
})

t.test('1,000 identical deliveries make exactly one appeal', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: { channels: { web: { rateLimit: { max: 5000 } } } } })
  const key = { 'idempotency-key': 'retry-storm-0001' }
  const answers = await Promise.all(Array.from({ length: 1000 }, () => app.inject(post(good, key))))
  t.same([...new Set(answers.map((r) => r.statusCode))], [202])
  t.equal(new Set(answers.map((r) => r.json().appealNumber)).size, 1)
  t.equal((await queue.stats()).waiting, 1)
})

t.test('markup in the text is stored as the citizen typed it, as text', async (t) => {
  const { app, queue } = await buildTestApp(t)
  const content = '<script>alert("x")</script><img src=x onerror=alert(1)> 路灯不亮'
  const res = await app.inject(post({ ...good, content }))
  t.equal(res.statusCode, 202)
  const stored = await queue.get(res.json().id)
  t.equal(stored?.content, content)
  const read = await app.inject({ method: 'GET', url: `/v1/appeals/${res.json().id}`, headers: staffHeaders })
  t.match(read.headers['content-type'], /application\/json/, 'served as JSON, never as HTML')
})

t.test('bad input gets a coded 4xx naming the field, and leaves nothing in Redis', async (t) => {
  const { app, redis, prefix } = await buildTestApp(t)
  const before = await countKeys(redis, prefix)
  const cases: [string, ReturnType<typeof post>, number, string, string?][] = [
    ['malformed JSON', post('{"citizen": {"phone": "138'), 400, 'CH_ERR_MALFORMED_JSON'],
    ['empty body', post(''), 400, 'CH_ERR_MALFORMED_JSON'],
    ['wrong content type', { ...post('citizen=1'), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'CH_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['JSON text sent as text/plain', { ...post(JSON.stringify(good)), headers: { 'content-type': 'text/plain' } }, 415, 'CH_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['missing contact', post({ citizen: { name: '张三' }, content: '噪音扰民' }), 400, 'CH_ERR_MISSING_CONTACT', '/citizen'],
    ['missing citizen', post({ content: '噪音扰民' }), 400, 'CH_ERR_VALIDATION', '/citizen'],
    ['unknown field', post({ ...good, priority: 1 }), 400, 'CH_ERR_VALIDATION', '/priority'],
    ['unknown nested field', post({ ...good, citizen: { ...good.citizen, idCard: '1' } }), 400, 'CH_ERR_VALIDATION', '/citizen/idCard'],
    ['invalid phone', post({ ...good, citizen: { phone: '12345' } }), 400, 'CH_ERR_INVALID_PHONE', '/citizen/phone'],
    ['blank content', post({ ...good, content: '   \n ' }), 400, 'CH_ERR_EMPTY_CONTENT', '/content'],
    ['unknown category', post({ ...good, category: '其他' }), 400, 'CH_ERR_VALIDATION', '/category'],
    ['latitude out of range', post({ ...good, location: { lat: 123, lng: 103 } }), 400, 'CH_ERR_VALIDATION', '/location/lat'],
    ['attachment without http url', post({ ...good, attachments: [{ type: 'image/jpeg', url: 'file:///etc/passwd', size: 10 }] }), 400, 'CH_ERR_VALIDATION', '/attachments/0/url'],
    ['prototype pollution', post('{"citizen":{"phone":"13800138000"},"content":"x","__proto__":{"admin":true}}'), 400, 'CH_ERR_MALFORMED_JSON'],
    ['invalid UTF-8', post(Buffer.concat([Buffer.from('{"citizen":{"phone":"13800138000"},"content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), 400, 'CH_ERR_INVALID_UTF8'],
  ]
  for (const [name, req, status, code, field] of cases) {
    const res = await app.inject(req)
    t.equal(res.statusCode, status, `${name}: status`)
    const body = res.json()
    t.equal(body.code, code, `${name}: code`)
    t.equal(body.statusCode, status, `${name}: statusCode in body`)
    if (field) t.equal(body.field, field, `${name}: field`)
  }
  t.equal(await countKeys(redis, prefix), before, 'no key was written for any rejected request')
})

t.test('an oversize body is refused with 413', async (t) => {
  const { app } = await buildTestApp(t, { config: { server: { bodyLimitBytes: 4096 } } })
  const res = await app.inject(post({ ...good, content: '很长'.repeat(3000) }))
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'CH_ERR_BODY_TOO_LARGE')
})

t.test('a flood from one source is slowed with 429 and Retry-After', async (t) => {
  const { app } = await buildTestApp(t, { config: { channels: { web: { rateLimit: { max: 5, timeWindowMs: 60_000 } } } } })
  const codes: number[] = []
  for (let i = 0; i < 8; i++) codes.push((await app.inject(post({ ...good, content: `第${i}次` }))).statusCode)
  t.same(codes.slice(0, 5), [202, 202, 202, 202, 202])
  const res = await app.inject(post(good))
  t.equal(res.statusCode, 429)
  t.equal(res.json().code, 'GW_ERR_RATE_LIMITED')
  t.ok(Number(res.headers['retry-after']) > 0)
})

t.test('rejections are counted per reason on /metrics', async (t) => {
  const { app } = await buildTestApp(t)
  await app.inject(post({ citizen: {}, content: 'x' }))
  await app.inject(post(good))
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(text, /gw_appeals_rejected_total\{channel="web",reason="CH_ERR_MISSING_CONTACT"\} 1/)
  t.match(text, /gw_appeals_received_total\{channel="web"\} 1/)
  t.match(text, /gw_queue_depth 1/)
  t.match(text, /gw_enqueue_duration_seconds_count\{channel="web"\} 1/)
})
