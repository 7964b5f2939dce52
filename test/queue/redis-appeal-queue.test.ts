import t from 'tap'
import { Queue } from 'bullmq'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { appealIdFor } from '../../gateway/queue/appeal-id.ts'
import { appealKeys } from '../../gateway/queue/keys.ts'
import type { AppealDraft } from '../../gateway/domain/appeal.ts'
import { testRedis } from '../helpers/redis.ts'

const draft: AppealDraft = { citizen: { phone: '13800138000', name: '王女士' }, content: '小区东门路灯坏了一个星期了' }

async function setup(t: { teardown(fn: () => unknown): void }, extra: Partial<ConstructorParameters<typeof RedisAppealQueue>[0]> = {}) {
  const { redis, prefix } = await testRedis(t)
  const q = new RedisAppealQueue({
    redis,
    keyPrefix: prefix,
    queueName: 'appeals',
    timezone: 'Asia/Shanghai',
    retentionDays: 30,
    ...extra,
  })
  t.teardown(() => q.close())
  return { q, redis, prefix }
}

t.test('a submitted appeal is in Redis with its queue entry and a number the citizen can quote', async (t) => {
  const { q } = await setup(t, { clock: () => new Date('2026-11-27T01:00:00Z') })
  const { appeal, created } = await q.submit({ channel: 'web', externalId: 'k-1', draft })
  t.equal(created, true)
  t.match(appeal.appealNumber, /^20261127-000001$/)
  t.equal(appeal.status, 'queued')
  t.same(appeal.history.map((h) => h.status), ['received', 'queued'])
  const job = await q.queue.getJob(appeal.id)
  t.equal(job?.data.appealId, appeal.id, 'the queue entry points at the appeal')
  const second = await q.submit({ channel: 'web', externalId: 'k-2', draft })
  t.equal(second.appeal.appealNumber, '20261127-000002', 'numbers follow a per-day sequence')
})

t.test('the appeal number follows the centre’s calendar day, not UTC', async (t) => {
  const { q } = await setup(t, { clock: () => new Date('2026-11-27T17:30:00Z') })
  const { appeal } = await q.submit({ channel: 'web', externalId: 'late', draft })
  t.match(appeal.appealNumber, /^20261128-/, '01:30 in Shanghai is already the 28th')
})

t.test('a re-delivered message makes no second appeal and no second queue entry', async (t) => {
  const { q } = await setup(t)
  const first = await q.submit({ channel: 'wechat-official', externalId: '24681357', draft })
  const again = await q.submit({ channel: 'wechat-official', externalId: '24681357', draft })
  t.equal(again.created, false)
  t.equal(again.appeal.id, first.appeal.id)
  t.equal(again.appeal.appealNumber, first.appeal.appealNumber)
  t.equal((await q.stats()).waiting, 1)
})

t.test('1,000 identical deliveries at once make exactly one appeal', async (t) => {
  const { q } = await setup(t)
  const results = await Promise.all(
    Array.from({ length: 1000 }, () => q.submit({ channel: 'mailbox', externalId: 'letter-77', draft })),
  )
  t.equal(results.filter((r) => r.created).length, 1)
  t.equal(new Set(results.map((r) => r.appeal.appealNumber)).size, 1)
  t.equal((await q.stats()).waiting, 1)
  t.equal((await q.citizenAppeals({ kind: 'phone', value: '13800138000' })).length, 1)
})

t.test('the same delivery id with a different body is refused, the first appeal kept', async (t) => {
  const { q } = await setup(t)
  const first = await q.submit({ channel: 'web', externalId: 'idem-1', draft })
  await t.rejects(
    q.submit({ channel: 'web', externalId: 'idem-1', draft: { ...draft, content: '另一件事' } }),
    { code: 'GW_ERR_IDEMPOTENCY_MISMATCH', statusCode: 422 },
  )
  t.equal((await q.get(first.appeal.id))?.content, draft.content)
})

t.test('a crash between the record and the queue add is completed by the retry', async (t) => {
  let crash = true
  const { q } = await setup(t, {
    afterRecordWritten: async () => {
      if (crash) throw new Error('process died here')
    },
  })
  await t.rejects(q.submit({ channel: 'web', externalId: 'crash-1', draft }))
  const id = appealIdFor('web', 'crash-1')
  t.equal((await q.get(id))?.status, 'received', 'record written, not yet queued')
  t.equal(await q.queue.getJob(id), undefined, 'no queue entry yet')
  crash = false
  const retry = await q.submit({ channel: 'web', externalId: 'crash-1', draft })
  t.equal(retry.appeal.status, 'queued')
  t.ok(await q.queue.getJob(id), 'the retry added the queue entry')
  t.equal((await q.stats()).waiting, 1)
})

t.test('an orphan nobody retries is completed by the sweeper, exactly once', async (t) => {
  let now = new Date('2026-11-27T02:00:00Z')
  const { q, redis, prefix } = await setup(t, {
    clock: () => now,
    afterRecordWritten: async () => {
      throw new Error('process died here')
    },
  })
  await t.rejects(q.submit({ channel: 'web', externalId: 'orphan-1', draft }))
  t.equal(await q.completeOrphans(30), 0, 'too young to be an orphan')
  now = new Date(now.getTime() + 60_000)
  t.equal(await q.completeOrphans(30), 1)
  t.equal(await q.completeOrphans(30), 0, 'a second sweep finds nothing')
  const id = appealIdFor('web', 'orphan-1')
  t.equal((await q.get(id))?.status, 'queued')
  t.equal(await redis.zcard(appealKeys(prefix).pending), 0)
})

t.test("a citizen's appeals from every channel are listed newest first", async (t) => {
  let now = new Date('2026-11-20T02:00:00Z')
  const { q } = await setup(t, { clock: () => now })
  await q.submit({ channel: 'web', externalId: 'a', draft })
  now = new Date('2026-11-21T02:00:00Z')
  await q.submit({ channel: 'mailbox', externalId: 'b', draft: { ...draft, content: '第二封信' } })
  now = new Date('2026-11-22T02:00:00Z')
  await q.submit({ channel: 'wechat-mini', externalId: 'c', draft: { citizen: { openid: 'oMini123456' }, content: '小程序' } })
  const byPhone = await q.citizenAppeals({ kind: 'phone', value: '13800138000' })
  t.same(byPhone.map((a) => a.channel), ['mailbox', 'web'])
  const byOpenid = await q.citizenAppeals({ kind: 'openid', value: 'oMini123456' })
  t.same(byOpenid.map((a) => a.channel), ['wechat-mini'])
})

t.test('calls are served before written appeals', async (t) => {
  const { q, prefix, redis } = await setup(t)
  await q.submit({ channel: 'web', externalId: 'w1', draft })
  await q.submit({ channel: 'voice', externalId: 'call-1', origin: '12315', draft })
  const peek = new Queue('appeals', { connection: redis, prefix: appealKeys(prefix).bullPrefix })
  const [next] = await peek.getJobs(['prioritized'], 0, 0, true)
  t.equal(next?.data.channel, 'voice')
})

t.test('the post-intake step runs once the appeal is queued; until it succeeds the appeal stays pending', async (t) => {
  let now = new Date('2026-11-27T02:00:00Z')
  const { q, redis, prefix } = await setup(t, { clock: () => now })
  const seen: string[] = []
  let failing = true
  q.onQueued(async (appeal) => {
    seen.push(`${appeal.appealNumber}:${appeal.status}`)
    if (failing) throw new Error('linker unavailable')
  })
  const { appeal } = await q.submit({ channel: 'web', externalId: 'hook-1', draft })
  t.same(seen, [`${appeal.appealNumber}:queued`], 'the step saw the queued appeal')
  t.equal(await redis.zscore(appealKeys(prefix).pending, appeal.id) !== null, true, 'still pending after a failure')
  failing = false
  now = new Date(now.getTime() + 60_000)
  t.equal(await q.completeOrphans(30), 1, 'the sweeper runs the step again')
  t.equal(seen.length, 2)
  t.equal(await redis.zcard(appealKeys(prefix).pending), 0, 'finished: no longer pending')
  t.equal(await q.completeOrphans(30), 0)
})

t.test('appeals stored by a process without the step (the import command) are finished by a gateway', async (t) => {
  let now = new Date('2026-11-27T02:00:00Z')
  const { q: importer, redis, prefix } = await setup(t, { clock: () => now })
  await importer.submit({ channel: 'message-board', externalId: 'post-1', draft })
  await importer.submit({ channel: 'message-board', externalId: 'post-2', draft: { ...draft, content: '第二条留言' } })
  const gateway = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: 'appeals', timezone: 'Asia/Shanghai', retentionDays: 30, clock: () => now })
  t.teardown(() => gateway.close())
  const finished: string[] = []
  gateway.onQueued(async (appeal) => {
    finished.push(appeal.external.id)
  })
  t.equal(await gateway.completeOrphans(30), 0, 'young appeals are left to their own process')
  now = new Date(now.getTime() + 60_000)
  t.equal(await gateway.completeOrphans(30), 2)
  t.same(finished.sort(), ['post-1', 'post-2'])
})
