import t from 'tap'
import { buildTestApp, staffHeaders } from '../helpers/app.ts'

async function submit(app: Awaited<ReturnType<typeof buildTestApp>>['app'], phone: string, content: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/channels/web/appeals',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ citizen: { phone }, content }),
  })
  return res.json() as { id: string; appealNumber: string }
}

t.test('staff routes need a known bearer token', async (t) => {
  const { app } = await buildTestApp(t)
  const { id } = await submit(app, '13800138000', '楼道灯坏了')
  for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', 'Basic abc']) {
    const res = await app.inject({ method: 'GET', url: `/v1/appeals/${id}`, headers: authorization ? { authorization } : {} })
    t.equal(res.statusCode, 401, `refused with ${authorization ?? 'no header'}`)
    t.equal(res.json().code, 'GW_ERR_UNAUTHORIZED')
  }
  const ok = await app.inject({ method: 'GET', url: `/v1/appeals/${id}`, headers: staffHeaders })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().content, '楼道灯坏了')
  const missing = await app.inject({ method: 'GET', url: '/v1/appeals/ap_AAAAAAAAAAAAAAAAAAAAAAAA', headers: staffHeaders })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'GW_ERR_NOT_FOUND')
})

t.test('a citizen learns the status with the number and the last four digits, and nothing else', async (t) => {
  const { app } = await buildTestApp(t)
  const { appealNumber } = await submit(app, '13800138000', '我家楼下烧烤店油烟太大')
  const res = await app.inject({ method: 'GET', url: `/v1/appeal-status?number=${appealNumber}&phoneLast4=8000` })
  t.equal(res.statusCode, 200)
  t.same(Object.keys(res.json()).sort(), ['appealNumber', 'receivedAt', 'status', 'statusText', 'updatedAt'])
  t.equal(res.json().statusText, '已受理，等待坐席处理')
  t.notMatch(res.body, /烧烤/, 'no content in the answer')
  const wrong = await app.inject({ method: 'GET', url: `/v1/appeal-status?number=${appealNumber}&phoneLast4=1234` })
  const unknown = await app.inject({ method: 'GET', url: '/v1/appeal-status?number=20200101-000001&phoneLast4=8000' })
  t.equal(wrong.statusCode, 404)
  t.same(wrong.json(), unknown.json(), 'wrong digits and unknown number read the same')
  const bad = await app.inject({ method: 'GET', url: '/v1/appeal-status?number=abc&phoneLast4=8000' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().field, '/number')
})

t.test('guessing the last four digits locks the number for an hour', async (t) => {
  const { app } = await buildTestApp(t, { config: { statusQuery: { maxFailuresPerNumber: 3 } } })
  const { appealNumber } = await submit(app, '13800138000', '井盖丢了')
  for (const guess of ['0000', '1111', '2222']) {
    await app.inject({ method: 'GET', url: `/v1/appeal-status?number=${appealNumber}&phoneLast4=${guess}` })
  }
  const right = await app.inject({ method: 'GET', url: `/v1/appeal-status?number=${appealNumber}&phoneLast4=8000` })
  t.equal(right.statusCode, 429, 'even the right digits are refused once locked')
  t.equal(right.json().code, 'GW_ERR_RATE_LIMITED')
})

t.test('the status query is rate-limited per source', async (t) => {
  const { app } = await buildTestApp(t, { config: { statusQuery: { rateLimit: { max: 3 } } } })
  const codes = []
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'GET', url: '/v1/appeal-status?number=20261127-000001&phoneLast4=0000' })).statusCode)
  t.same(codes, [404, 404, 404, 429])
})

t.test('the OpenAPI document lists the routes', async (t) => {
  const { app } = await buildTestApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  t.ok(doc.paths['/v1/channels/web/appeals'].post)
  t.ok(doc.paths['/v1/appeal-status'].get)
  t.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true, 'the UI is served')
})

t.test('unknown routes answer a coded 404', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'GW_ERR_ROUTE_NOT_FOUND')
})
