/**
 * The ACD's completion of a call with the matter side wired as main.ts wires it: the call, linked
 * by number at intake, is linked again on the agent's summary before the record is handed off.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { createAcdStack } from '../../gateway/acd/create-acd.ts'
import type { CompletedAppeal } from '../../gateway/acd/appeal-records.ts'
import type { AcdEvent } from '../../gateway/acd/types.ts'
import { createLogger } from '../../gateway/log.ts'
import { MatterAlerts } from '../../gateway/matter/alerts.ts'
import { MatterLinker } from '../../gateway/matter/linker.ts'
import { matterAtCompletion } from '../../gateway/pipeline/post-completion.ts'
import { postIntake } from '../../gateway/pipeline/post-intake.ts'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { agent, GENERAL, T0 } from '../acd/helpers/acd.ts'
import { testConfig } from '../helpers/app.ts'
import { testRedis } from '../helpers/redis.ts'

type Tap = { teardown(fn: () => unknown): void }

const NEIGHBOURS = [
  { phone: '13911110001', content: '锦绣华庭8号楼门口的路灯坏了一个多星期了，晚上黑漆漆的' },
  { phone: '13911110002', content: '锦绣华庭8号楼前面路灯不亮好几天了，请尽快修' },
] as const
const CALLER = '13911110003'
const SUMMARY = '市民反映锦绣华庭8号楼门口路灯坏了一个多星期，晚上很黑，要求尽快维修'

/** Real Redis, ACD, queue and linker; the re-link's pushes and the log lines are recorded. */
async function gateway(t: Tap, crashRelink?: () => boolean) {
  const { redis, prefix } = await testRedis(t)
  const config = testConfig(prefix, { agents: [agent('1001', GENERAL)] as never })
  const logs: Record<string, unknown>[] = []
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _e, cb) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
        cb()
      },
    }),
  )
  let now = T0
  const clock = () => new Date(now)
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 30, clock })
  // The test's crash seam: the re-link fails where its script would run (the intake link never does).
  const linker = new MatterLinker({ redis, keyPrefix: prefix, beforeCommit: () => {
    if (crashRelink?.()) throw Object.assign(new Error('redis connection lost'), { code: 'ECONNRESET' })
  } })
  const alerts = new MatterAlerts(redis, prefix)
  const pushed: string[][] = []
  const matterChanged = async (ids: string[]) => void pushed.push(ids)
  const stack = await createAcdStack({ config, redis, queue, logger, clock, timers: false, linker, alerts, matterChanged })
  queue.onQueued(postIntake({ linker, alerts, acd: stack.acd, logger }))
  const events: AcdEvent[] = []
  stack.acd.subscribe((e) => events.push(e))
  t.teardown(async () => {
    await stack.close()
    await queue.close()
  })
  let seq = 0
  const written = async (n: (typeof NEIGHBOURS)[number]) =>
    (await queue.submit({ channel: 'web', externalId: `w-${++seq}`, receivedAt: new Date(now), draft: { citizen: { phone: n.phone }, content: n.content, location: { address: '锦绣华庭8号楼' } } })).appeal
  const call = async (phone: string) =>
    (
      await queue.submit({
        channel: 'voice',
        externalId: `call-${++seq}`,
        origin: '12345',
        receivedAt: new Date(now),
        draft: { citizen: { phone }, content: '市民来电（12345）', call: { callId: `call-${seq}`, serverId: 'fs1', mode: 'live' } },
      })
    ).appeal
  /** Agent 1001 takes the call that is offered to them. */
  const take = async (appealId: string) => {
    await stack.acd.setState('1001', 'ready')
    const until = Date.now() + 2000
    let offer: Extract<AcdEvent, { type: 'offer' }> | undefined
    while (!offer && Date.now() < until) {
      offer = events.find((e): e is Extract<AcdEvent, { type: 'offer' }> => e.type === 'offer' && e.offer.appealId === appealId)
      if (!offer) await new Promise((r) => setTimeout(r, 10))
    }
    if (!offer) throw new Error('the call was not offered')
    await stack.acd.accept('1001', offer.offer.offerId)
    now += 60_000
  }
  return { redis, prefix, linker, alerts, stack, queue, logs, pushed, written, call, take, advance: (ms: number) => (now += ms) }
}

const noPhoneIn = (logs: unknown[]) => !JSON.stringify(logs).match(/1391111\d{4}/)

t.test('a call completed with a summary of what two neighbours wrote joins their matter: handed off with it, 集中诉求 raised, their cards pushed', async (t) => {
  const g = await gateway(t)
  const [a, b] = [await g.written(NEIGHBOURS[0]), await g.written(NEIGHBOURS[1])]
  const matterId = (await g.linker.get(a.id))!.matterId
  t.equal((await g.linker.get(b.id))?.matterId, matterId, 'the neighbours are one matter')
  const c = await g.call(CALLER)
  t.not((await g.linker.get(c.id))?.matterId, matterId, 'the call is linked by number only at intake')

  await g.take(c.id)
  const done = (await g.stack.acd.complete('1001', c.id, {
    disposition: 'work-order',
    summary: SUMMARY,
    category: '求助',
    location: { address: '城关区锦绣华庭8号楼' },
  })) as CompletedAppeal
  t.equal(done.status, 'completed')
  t.equal(done.matter?.matterId, matterId, 'the completed record carries the matter it joined')
  t.equal(done.matter?.citizens, 3)
  t.equal(done.matter?.concentrated, true)
  const job = await g.stack.handoff.queue.getJob(c.id)
  t.equal((job?.data.appeal as CompletedAppeal | undefined)?.matter?.matterId, matterId, 'so does the work order')

  const alerts = await g.alerts.recent()
  t.equal(alerts.length, 1, 'one 集中诉求 alert')
  t.equal(alerts[0]?.appealId, c.id, 'raised by the call')
  t.equal(alerts[0]?.citizens, 3)
  t.equal(alerts[0]?.category, '求助', 'with the agent’s category')
  t.equal(alerts[0]?.place, '城关区锦绣华庭8号楼', 'and place')
  t.same(g.pushed.flat().sort(), [a.id, b.id].sort(), 'the neighbours’ cards are pushed to whoever holds them')
  t.ok(g.logs.some((l) => l.msg === 'call linked again on its summary' && l.appealId === c.id && l.matterId === matterId))
  t.ok(noPhoneIn(g.logs), 'no phone number in the logs')
  t.equal((await g.stack.acd.status('1001')).state, 'wrap-up', 'the completion went on as always')
})

t.test('a re-link that fails is logged and never fails the completion: the call keeps its intake link', async (t) => {
  let crash = false
  const g = await gateway(t, () => crash)
  const a = await g.written(NEIGHBOURS[0])
  await g.written(NEIGHBOURS[1])
  const c = await g.call(CALLER)
  const atIntake = (await g.linker.get(c.id))!.matterId
  await g.take(c.id)
  crash = true
  const done = (await g.stack.acd.complete('1001', c.id, { disposition: 'work-order', summary: SUMMARY })) as CompletedAppeal
  t.equal(done.status, 'completed')
  t.equal(done.matter?.matterId, atIntake, 'handed off with the link it had')
  t.not(done.matter?.matterId, (await g.linker.get(a.id))?.matterId)
  t.ok(await g.stack.handoff.queue.getJob(c.id), 'the work order went out')
  const warn = g.logs.find((l) => l.msg === 'call not linked again on its summary; it keeps its link')
  t.equal(warn?.appealId, c.id)
  t.equal((warn?.err as { code?: string } | undefined)?.code, 'ECONNRESET')
  t.same(await g.alerts.recent(), [])
  t.same(g.pushed, [])
  t.ok(noPhoneIn(g.logs), 'no phone number in the logs')
})

t.test('a completion repeated after a crash re-links once: one alert, one push', async (t) => {
  const g = await gateway(t)
  await g.written(NEIGHBOURS[0])
  await g.written(NEIGHBOURS[1])
  const c = await g.call(CALLER)
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const pushed: string[][] = []
  const matterOf = matterAtCompletion({ linker: g.linker, alerts: g.alerts, matterChanged: async (ids) => void pushed.push(ids), logger })
  const completing = { ...c, intake: { summary: SUMMARY, disposition: 'work-order', agentId: '1001', completedAt: new Date().toISOString() } }
  const first = await matterOf(c.id, completing)
  const second = await matterOf(c.id, completing)
  t.same(second, first, 'the same matter both times')
  t.equal(first?.citizens, 3)
  t.equal((await g.alerts.recent()).length, 1)
  t.equal(pushed.length, 1)
})

t.test('a written appeal’s completion links nothing again', async (t) => {
  const g = await gateway(t)
  const a = await g.written(NEIGHBOURS[0])
  const before = await g.linker.get(a.id)
  await g.stack.acd.setState('1001', 'ready')
  const until = Date.now() + 2000
  while (!(await g.stack.acd.status('1001')).offer && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  const offer = (await g.stack.acd.status('1001')).offer!
  await g.stack.acd.accept('1001', offer.offerId)
  const done = (await g.stack.acd.complete('1001', a.id, { disposition: 'resolved-on-line', summary: '已告知报修电话，锦绣华庭物业负责' })) as CompletedAppeal
  t.equal(done.matter?.matterId, before?.matterId)
  t.same((await g.linker.get(a.id))?.linkedAt, before?.linkedAt, 'its link was not written again')
  t.same(g.pushed, [])
})
