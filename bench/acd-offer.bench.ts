/**
 * Entry enqueued -> offer event received, with 500 agents logged in and 1,000 entries waiting
 * (which no ready agent may take, so every match scans them), beside a bare Redis PUBLISH -> message
 * round trip in the same run. Also: Redis bytes per agent.
 * Run alone: npx tsx bench/acd-offer.bench.ts
 */
import { printTable, type BenchRow } from './row.ts'
import { pathToFileURL } from 'node:url'
import { deleteByPrefix } from '../gateway/queue/delete-prefix.ts'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { loadConfig } from '../config/load.ts'
import { RedisAcd } from '../gateway/acd/redis-acd.ts'
import type { AcdEvent, AgentProfile } from '../gateway/acd/types.ts'
import { createLogger } from '../gateway/log.ts'
import { RedisAppealQueue } from '../gateway/queue/redis-appeal-queue.ts'
import { connectRedis, waitReady } from '../gateway/queue/redis.ts'

export type { BenchRow }

const AGENTS = 500
const WAITING = 1000
const SAMPLES = 300
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]

export async function run(): Promise<BenchRow[]> {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379'
  const prefix = `bench-${randomUUID()}`
  const redis = connectRedis(url)
  await waitReady(redis)
  const config = loadConfig({ env: {}, overrides: { env: 'test', redis: { url, keyPrefix: prefix }, acd: { relaxation: [], wrapUpSeconds: 0 } } })
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: 'appeals', timezone: config.timezone, retentionDays: 1 })
  const agents: AgentProfile[] = Array.from({ length: AGENTS }, (_, i) => ({
    id: String(10000 + i),
    name: `坐席${i}`,
    role: 'agent',
    writtenCapacity: 3,
    skills: ['hotline:general', 'hotline:market', 'category:咨询', 'category:投诉', 'language:普通话'].map((skill) => ({ skill, level: 5 })),
  }))
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const acd = new RedisAcd({ redis, keyPrefix: prefix, acd: config.acd, timezone: config.timezone, hotlines: config.hotlines, appeals: queue, agents, logger, timers: false })
  const waiters = new Map<string, (e: AcdEvent) => void>()
  acd.subscribe((e) => {
    if (e.type === 'offer') waiters.get(e.offer.appealId)?.(e)
  })
  await acd.start()
  try {
    // 1,000 waiting entries nobody ready may take (Cantonese 12319 complaints; relaxation off).
    for (let i = 0; i < WAITING; i++) {
      const { appeal } = await queue.submit({ channel: 'voice', origin: '12319', externalId: `w-${i}`, draft: { citizen: { phone: '13800138000' }, content: '投诉' } })
      await acd.addEntry(appeal)
    }
    for (const a of agents) await acd.setState(a.id, 'ready')

    const memBefore = await memory(redis, prefix)
    const latencies: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      const { appeal } = await queue.submit({ channel: 'voice', origin: '12345', externalId: `s-${i}`, draft: { citizen: { phone: '13800138000' }, content: '咨询' } })
      const got = new Promise<AcdEvent>((resolve) => waiters.set(appeal.id, resolve))
      const t0 = process.hrtime.bigint()
      await acd.addEntry(appeal)
      const ev = (await got) as Extract<AcdEvent, { type: 'offer' }>
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6)
      waiters.delete(appeal.id)
      await acd.accept(ev.offer.agentId, ev.offer.offerId)
      await acd.complete(ev.offer.agentId, appeal.id, { disposition: 'resolved-on-line' })
    }

    const sub = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false })
    const chan = `${prefix}:bench-ping`
    await sub.subscribe(chan)
    const pubsub: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      const got = new Promise<void>((resolve) => sub.once('message', () => resolve()))
      const t0 = process.hrtime.bigint()
      await redis.publish(chan, 'x')
      await got
      pubsub.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    await sub.quit()

    const agentBytes = memBefore.agentBytes / AGENTS
    const base = (p: number) => ({ baseline: `PUBLISH->message p${p}`, baselineValue: pct(pubsub, p) })
    return [
      { name: `enqueue -> offer event p50 (${AGENTS} agents, ${WAITING} waiting)`, value: pct(latencies, 50), unit: 'ms', ...base(50) },
      { name: `enqueue -> offer event p99 (${AGENTS} agents, ${WAITING} waiting)`, value: pct(latencies, 99), unit: 'ms', ...base(99) },
      { name: 'Redis bytes per agent (hash + skills + avail + skill index)', value: Math.round(agentBytes), unit: 'B' },
      { name: 'Redis bytes per waiting entry (entry hash + zset member)', value: Math.round(memBefore.entryBytes / WAITING), unit: 'B' },
    ]
  } finally {
    await acd.close()
    await queue.close()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  }
}

async function memory(redis: ReturnType<typeof connectRedis>, prefix: string): Promise<{ agentBytes: number; entryBytes: number }> {
  const base = `${prefix}:acd`
  const usage = async (k: string) => Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) as number | null ?? 0)
  let agentBytes = 0
  let entryBytes = 0
  for (const id of await redis.smembers(`${base}:agents`)) {
    agentBytes += (await usage(`${base}:agent:${id}`)) + (await usage(`${base}:agent-skills:${id}`))
  }
  agentBytes += await usage(`${base}:avail`)
  for (const s of ['hotline:general', 'hotline:market', 'category:咨询', 'category:投诉', 'language:普通话']) agentBytes += await usage(`${base}:skill-agents:${s}`)
  const ids = await redis.zrange(`${base}:waiting:urban`, '0', '-1')
  for (const id of ids) entryBytes += await usage(`${base}:entry:${id}`)
  entryBytes += await usage(`${base}:waiting:urban`)
  return { agentBytes, entryBytes }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable('acd-offer', await run())
  process.exit(0)
}
