import t from 'tap'
import { buildTestApp } from '../helpers/app.ts'
import { privateRedis } from '../helpers/private-redis.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'

const appeal = { citizen: { phone: '13900001111' }, content: '自来水停了一天了，也没有通知' }
const post = (payload: unknown) => ({
  method: 'POST' as const,
  url: '/v1/channels/web/appeals',
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(payload),
})

t.test('while Redis is down the gateway says so with 503 and stores nothing; it recovers by itself', async (t) => {
  const server = await privateRedis(t)
  const redis = connectRedis(server.url)
  redis.on('error', () => {})
  await waitReady(redis)
  t.teardown(() => redis.disconnect())
  const { app, queue } = await buildTestApp(t, { redis, prefix: 'outage' })

  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  const before = await app.inject(post(appeal))
  t.equal(before.statusCode, 202)

  await server.stop()
  await new Promise<void>((resolve) => (redis.status === 'ready' ? redis.once('close', () => resolve()) : resolve()))

  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.ok(ready.headers['retry-after'], 'readyz tells when to look again')
  const during = await app.inject(post({ ...appeal, content: '停水第二天' }))
  t.equal(during.statusCode, 503)
  t.equal(during.json().code, 'GW_ERR_REDIS_UNAVAILABLE')
  t.ok(Number(during.headers['retry-after']) > 0)
  const invalid = await app.inject(post({ citizen: {}, content: 'x' }))
  t.equal(invalid.statusCode, 400, "a caller's mistake is still a 400, not a 503")
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'alive all along')

  await server.start()
  await waitReady(redis, 10_000)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  const after = await app.inject(post({ ...appeal, content: '停水第二天' }))
  t.equal(after.statusCode, 202)
  t.equal((await queue.stats()).waiting, 1, 'the appeal refused during the outage was stored once, on the retry (this test server keeps no data across a kill)')
})
