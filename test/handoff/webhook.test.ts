import t from 'tap'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { QueueEvents } from 'bullmq'
import { acdHarness, agent, GENERAL, isOffer, type AcdHarness } from '../acd/helpers/acd.ts'
import { signWebhook } from '../../gateway/handoff/webhook-worker.ts'

const SECRET = 'test-webhook-secret-0123456789'

interface Hit {
  body: string
  headers: IncomingMessage['headers']
}

async function server(t: { teardown(fn: () => unknown): void }, failFirst: number) {
  const hits: Hit[] = []
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      hits.push({ body, headers: req.headers })
      res.statusCode = hits.length <= failFirst ? 503 : 200
      res.end()
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise((r) => srv.close(r)))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/workorders`, hits }
}

async function completeOne(h: AcdHarness): Promise<string> {
  await h.acd.setState('1001', 'ready')
  const id = await h.submit()
  const ev = await h.waitFor(isOffer('1001', id))
  await h.acd.accept('1001', ev.offer.offerId)
  await h.acd.complete('1001', id, { disposition: 'work-order', summary: '派单至街道' })
  return id
}

/** Resolves when `jobId` reaches `event` on `queue`; listening starts before the work does. */
async function jobEvent(t: { teardown(fn: () => unknown): void }, h: AcdHarness, queue: string, event: 'completed' | 'waiting' | 'failed') {
  const connection = h.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })
  const ev = new QueueEvents(queue, { connection, prefix: `${h.prefix}:bull` })
  t.teardown(async () => {
    await ev.close()
    connection.disconnect()
  })
  await ev.waitUntilReady()
  const seen = new Set<string>()
  const waiters = new Map<string, () => void>()
  ev.on(event as 'completed', ({ jobId }: { jobId: string }) => {
    seen.add(jobId)
    waiters.get(jobId)?.()
  })
  return (jobId: string, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      if (seen.has(jobId)) return resolve()
      const timer = setTimeout(() => reject(new Error(`job ${jobId} not ${event} on ${queue} in time`)), timeoutMs)
      waiters.set(jobId, () => {
        clearTimeout(timer)
        resolve()
      })
    })
}

t.test('a work order is delivered signed, after the webhook failed twice', async (t) => {
  const s = await server(t, 2)
  const h = await acdHarness(t, {
    agents: [agent('1001', GENERAL)],
    config: { handoff: { webhookUrl: s.url, webhookSecret: SECRET, attempts: 5, backoffMs: 20 } },
  })
  const delivered = await jobEvent(t, h, h.config.handoff.queueName, 'completed')
  const id = await completeOne(h)
  await delivered(id)
  t.equal(s.hits.length, 3, 'two failures, then success')
  const last = s.hits[2]
  const body = JSON.parse(last.body)
  t.equal(body.appeal.id, id)
  t.equal(body.appeal.intake.summary, '派单至街道')
  t.equal(last.headers['idempotency-key'], id)
  t.equal(last.headers['x-signature'], signWebhook(SECRET, Number(last.headers['x-timestamp']), last.body), 'HMAC over "<timestamp>.<body>"')
  t.equal(await h.handoff.dead.getJob(id), undefined, 'nothing dead-lettered')
})

t.test('a webhook that always fails leaves the work order in the dead-letter queue', async (t) => {
  const s = await server(t, Infinity)
  const h = await acdHarness(t, {
    agents: [agent('1001', GENERAL)],
    config: { handoff: { webhookUrl: s.url, webhookSecret: SECRET, attempts: 3, backoffMs: 20 } },
  })
  const deadLettered = await jobEvent(t, h, h.config.handoff.deadLetterQueueName, 'waiting')
  const failed = await jobEvent(t, h, h.config.handoff.queueName, 'failed')
  const id = await completeOne(h)
  await deadLettered(id)
  await failed(id)
  const dead = await h.handoff.dead.getJob(id)
  t.equal(dead?.data.appeal.id, id, 'the record is kept in workorders-dead')
  t.equal(dead?.data.attempts, 3)
  t.equal(s.hits.length, 3)
  t.equal(await (await h.handoff.queue.getJob(id))?.getState(), 'failed', 'and in the failed set of workorders')
})

t.test('completing twice makes one work order', async (t) => {
  const h = await acdHarness(t, { agents: [agent('1001', GENERAL)] })
  const id = await completeOne(h)
  await h.handoff.deliver((await h.queue.get(id))!)
  t.equal(await h.handoff.queue.count(), 1)
})
