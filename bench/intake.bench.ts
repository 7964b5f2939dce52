/**
 * Issue 2 — intake throughput, latency and memory, on the real gateway and the local Redis.
 *
 * The gateway runs in a child process (bench/intake/gateway-process.ts); this process is the load
 * generator (undici Pool, keep-alive). On a 2-core machine gateway, load generator and Redis still
 * share the two cores, so every figure includes that contention — as does the baseline, which runs
 * in the same run on the same Redis.
 *
 *  1. web intake, closed loop: 50 concurrent clients POST /v1/channels/web/appeals (unique
 *     Idempotency-Key, Chinese content, valid phone); appeals/s, p50, p99.
 *     Baseline: bullmq Queue.add with the gateway's job options, 50 in flight, one connection.
 *  2. the same with the production log level (info), against (1).
 *  3. open loop at 500 appeals/s for 10 s: p50/p99 counted from each request's scheduled start.
 *  4. 100,000 appeals through RedisAppealQueue.submit inside the gateway process (HTTP skipped to
 *     keep the run short; 50 in flight) while a bullmq Worker completes the jobs: gateway RSS,
 *     Redis used_memory delta, bytes per appeal vs the record's own keys, jobs left behind.
 * Every key lives under a random prefix that is deleted at the end.
 *   npx tsx bench/intake.bench.ts        (INTAKE_BENCH_QUICK=1 for a short smoke run)
 */
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import { Queue, Worker } from 'bullmq'
import { Pool } from 'undici'
import type { Redis } from 'ioredis'
import { connectRedis, waitReady } from '../gateway/queue/redis.ts'
import { appealIdFor } from '../gateway/queue/appeal-id.ts'
import { appealKeys } from '../gateway/queue/keys.ts'
import { PRIORITY } from '../gateway/domain/appeal.ts'
import { printTable, type BenchRow } from './row.ts'
import { webAppeal } from './lib/appeal-samples.ts'
import { bounded, closedLoop, openLoop, type LoadResult } from './lib/load.ts'
import { REDIS_URL } from './lib/machine.ts'
import { deleteByPrefix } from '../gateway/queue/delete-prefix.ts'
import { meanKeySize, redisCpuMicros, usedMemory } from './lib/redis-keys.ts'
import { GatewayChild } from './intake/gateway.ts'

export const title = 'intake (issue 2): web intake vs raw bullmq add, 2-core machine'

const QUICK = process.env.INTAKE_BENCH_QUICK === '1'
const CONCURRENCY = 50
const WARMUP_MS = QUICK ? 1000 : 2000
const WINDOW_MS = QUICK ? 3000 : 8000
const OPEN_RATE = 500
const OPEN_MS = QUICK ? 3000 : 10_000
const MEMORY_APPEALS = Number(process.env.INTAKE_BENCH_APPEALS || (QUICK ? 10_000 : 100_000))
const P99_TARGET_MS = 20
const MiB = 2 ** 20

function say(msg: string): void {
  process.stderr.write(`[intake] ${msg}\n`)
}

function describe(r: LoadResult): string {
  const err = r.errors ? `, ${r.errors} errors (first: ${r.firstError})` : ''
  return `${r.ok} ok in ${r.seconds.toFixed(1)} s = ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms${err}`
}

/** CPU spent per operation by the gateway process, Redis and this process (the load generator). */
interface CpuPerOp {
  gateway: number
  redis: number
  client: number
}

async function cpuSnapshot(redis: Redis, gw?: GatewayChild): Promise<CpuPerOp> {
  const own = process.cpuUsage()
  return { gateway: gw ? (await gw.usage()).cpuMicros : 0, redis: await redisCpuMicros(redis), client: own.user + own.system }
}

/** Runs a load and divides the CPU it cost by the operations it completed (warm-up included). */
async function withCpu<T extends LoadResult>(redis: Redis, gw: GatewayChild | undefined, load: () => Promise<T>): Promise<T & { cpu: CpuPerOp }> {
  const a = await cpuSnapshot(redis, gw)
  const r = await load()
  const b = await cpuSnapshot(redis, gw)
  const per = (x: number, y: number) => (y - x) / Math.max(1, r.all)
  return { ...r, cpu: { gateway: per(a.gateway, b.gateway), redis: per(a.redis, b.redis), client: per(a.client, b.client) } }
}

/** One POST of a fresh appeal; throws unless the gateway answered 202. */
function webFirer(pool: Pool, runId: string, phase: string) {
  return async (i: number): Promise<void> => {
    const res = await pool.request({
      path: '/v1/channels/web/appeals',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${runId}-${phase}-${i}` },
      body: JSON.stringify(webAppeal(i)),
    })
    const text = await res.body.text()
    if (res.statusCode !== 202) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`)
  }
}

async function withGateway<T>(
  prefix: string,
  logLevel: 'warn' | 'info',
  fn: (gw: GatewayChild, pool: Pool) => Promise<T>,
  mode: 'gateway' | 'bare-fastify' = 'gateway',
): Promise<T> {
  const gw = await GatewayChild.start({ redisUrl: REDIS_URL, keyPrefix: prefix, logLevel, rateLimitMax: 100_000_000, mode })
  // one connection per client so 50 clients really are 50 requests in flight
  const pool = new Pool(gw.url, { connections: CONCURRENCY, pipelining: 1 })
  try {
    return await fn(gw, pool)
  } finally {
    await pool.close()
    await gw.stop()
  }
}

async function rawAddBaseline(redis: Redis, prefix: string, runId: string): Promise<LoadResult & { cpu: CpuPerOp }> {
  const conn = connectRedis(REDIS_URL)
  await waitReady(conn)
  // the gateway's queue options and job shape, so the only difference is everything intake adds
  const queue = new Queue('raw-baseline', {
    connection: conn,
    prefix: appealKeys(prefix).bullPrefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
  })
  try {
    await queue.waitUntilReady()
    return await withCpu(redis, undefined, () =>
      closedLoop({
        concurrency: CONCURRENCY,
        warmupMs: WARMUP_MS,
        durationMs: WINDOW_MS,
        fire: async (i) => {
          const id = appealIdFor('web', `raw-${runId}-${i}`)
          await queue.add('appeal', { appealId: id, channel: 'web' }, { jobId: id, priority: PRIORITY.written })
        },
      }),
    )
  } finally {
    await queue.close()
    await conn.quit()
  }
}

interface MemoryFigures {
  load: LoadResult
  rssStart: number
  rssBefore: number
  rssAfter: number
  heapAfter: number
  redisDelta: number
  waiting: number
  active: number
  completed: number
  failed: number
  processed: number
  recordBytes: { hash: number; number: number; citizen: number }
}

async function memoryPhase(redis: Redis, prefix: string, runId: string): Promise<MemoryFigures> {
  // a clean slate: earlier phases' keys go, so the delta is these appeals only
  await deleteByPrefix(redis, prefix, { sync: true })
  return withGateway(prefix, 'warn', async (gw, pool) => {
    const rssStart = (await gw.usage()).rss
    // warm the gateway (JIT, connections, pools) before the "before" reading
    await bounded({ total: 1000, concurrency: CONCURRENCY, fire: webFirer(pool, runId, 'mem-warm') })
    await deleteByPrefix(redis, prefix, { sync: true })
    const rssBefore = (await gw.usage()).rss
    const before = await usedMemory(redis)

    const workerConn = connectRedis(REDIS_URL, { maxRetriesPerRequest: null, enableOfflineQueue: true })
    let processed = 0
    const worker = new Worker(
      'appeals',
      async () => {
        processed++
      },
      { connection: workerConn, prefix: appealKeys(prefix).bullPrefix, concurrency: CONCURRENCY },
    )
    await worker.waitUntilReady()
    // RedisAppealQueue.submit inside the gateway process, HTTP skipped: 100,000 over HTTP would take
    // minutes on this machine; the HTTP path's own memory shows in the phases before
    const load = await gw.submit({ total: MEMORY_APPEALS, concurrency: CONCURRENCY, keyPrefix: `bench-${runId}-mem` })
    const queue = new Queue('appeals', { connection: redis, prefix: appealKeys(prefix).bullPrefix })
    const counts = async () => queue.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed')
    const drainBy = Date.now() + 60_000
    let c = await counts()
    while ((c.waiting ?? 0) + (c.prioritized ?? 0) + (c.active ?? 0) > 0 && Date.now() < drainBy) {
      await new Promise((r) => setTimeout(r, 200))
      c = await counts()
    }
    await worker.close()
    await workerConn.quit()
    const after = await usedMemory(redis)
    const mem = await gw.usage()
    const k = appealKeys(prefix)
    const hash = await meanKeySize(redis, k.appeal('*'))
    const number = await meanKeySize(redis, `${k.numberIndexPrefix}*`)
    const citizen = await meanKeySize(redis, k.citizen('phone', '*'))
    await queue.close()
    return {
      load,
      rssStart,
      rssBefore,
      rssAfter: mem.rss,
      heapAfter: mem.heapUsed,
      redisDelta: after - before,
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
      processed,
      recordBytes: { hash: hash.bytes, number: number.bytes, citizen: citizen.bytes },
    }
  })
}

export async function run(): Promise<BenchRow[]> {
  const loadAtStart = os.loadavg()[0]
  const runId = randomUUID().slice(0, 8)
  const prefix = `bench-${randomUUID()}`
  const redis = connectRedis(REDIS_URL)
  await waitReady(redis)
  try {
    say(`prefix ${prefix}; gateway in a child process, load generator (undici, ${CONCURRENCY} connections) here`)
    const { web, open, httpRss, httpRequests } = await withGateway(prefix, 'warn', async (gw, pool) => {
      say('web intake, closed loop ...')
      const web = await withCpu(redis, gw, () =>
        closedLoop({ concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: WINDOW_MS, fire: webFirer(pool, runId, 'web') }),
      )
      say(`  ${describe(web)}`)
      say(`open loop at ${OPEN_RATE}/s ...`)
      const open = await openLoop({ perSecond: OPEN_RATE, durationMs: OPEN_MS, fire: webFirer(pool, runId, 'open') })
      say(`  ${describe(open)}, ${open.lateStarts} late starts`)
      const httpRss = (await gw.usage()).rss
      return { web, open, httpRss, httpRequests: web.all + open.ok }
    })
    say('raw bullmq Queue.add baseline ...')
    const raw = await rawAddBaseline(redis, prefix, runId)
    say(`  ${describe(raw)}`)
    say('bare Fastify floor (same route and body, no validation, no Redis) ...')
    const bare = await withGateway(
      prefix,
      'warn',
      (gw, pool) =>
        withCpu(redis, gw, () =>
          closedLoop({ concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: QUICK ? WINDOW_MS : 5000, fire: webFirer(pool, runId, 'bare') }),
        ),
      'bare-fastify',
    )
    say(`  ${describe(bare)}`)
    say('web intake with log level info ...')
    const info = await withGateway(prefix, 'info', (gw, pool) =>
      withCpu(redis, gw, () =>
        closedLoop({ concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: WINDOW_MS, fire: webFirer(pool, runId, 'info') }),
      ),
    )
    say(`  ${describe(info)}`)
    say(`${MEMORY_APPEALS.toLocaleString('en-US')} appeals with a worker completing jobs ...`)
    const m = await memoryPhase(redis, prefix, runId)
    say(`  ${describe(m.load)}; worker processed ${m.processed}`)

    const errors = web.errors + open.errors + raw.errors + info.errors + m.load.errors
    const perAppeal = m.redisDelta / MEMORY_APPEALS
    const recordSum = m.recordBytes.hash + m.recordBytes.number + m.recordBytes.citizen
    const n = MEMORY_APPEALS.toLocaleString('en-US')
    return [
      { name: `web intake, ${CONCURRENCY} clients`, value: web.perSecond, unit: 'appeals/s', baseline: `raw bullmq add, ${CONCURRENCY} in flight`, baselineValue: raw.perSecond },
      { name: 'web intake p50', value: web.p50, unit: 'ms', baseline: 'raw add p50', baselineValue: raw.p50 },
      { name: 'web intake p99', value: web.p99, unit: 'ms', baseline: 'raw add p99', baselineValue: raw.p99 },
      { name: 'gateway CPU per web appeal', value: web.cpu.gateway, unit: 'µs', baseline: 'bare Fastify CPU per request', baselineValue: bare.cpu.gateway },
      { name: 'web intake throughput vs framework floor', value: web.perSecond, unit: 'appeals/s', baseline: 'bare Fastify, 50 clients', baselineValue: bare.perSecond },
      { name: 'Redis CPU per web appeal', value: web.cpu.redis, unit: 'µs', baseline: 'Redis CPU per raw add', baselineValue: raw.cpu.redis },
      { name: 'load generator CPU per request', value: web.cpu.client, unit: 'µs', baseline: 'bullmq client CPU per raw add', baselineValue: raw.cpu.client },
      { name: 'gateway CPU per appeal, log level info', value: info.cpu.gateway, unit: 'µs', baseline: 'log level warn', baselineValue: web.cpu.gateway },
      { name: 'web intake, log level info', value: info.perSecond, unit: 'appeals/s', baseline: 'web intake, log level warn', baselineValue: web.perSecond },
      { name: `open loop ${OPEN_RATE}/s, achieved`, value: open.perSecond, unit: 'appeals/s', baseline: 'offered', baselineValue: open.offered },
      { name: `open loop ${OPEN_RATE}/s p50`, value: open.p50, unit: 'ms', baseline: 'target p99', baselineValue: P99_TARGET_MS },
      { name: `open loop ${OPEN_RATE}/s p99`, value: open.p99, unit: 'ms', baseline: 'target p99', baselineValue: P99_TARGET_MS },
      { name: `${n} submits (in-process) with worker running`, value: m.load.perSecond, unit: 'appeals/s', baseline: 'raw bullmq add, no worker', baselineValue: raw.perSecond },
      { name: `gateway RSS after ${n}`, value: m.rssAfter / MiB, unit: 'MiB', baseline: 'RSS after warm-up', baselineValue: m.rssBefore / MiB },
      { name: 'gateway RSS at start (idle)', value: m.rssStart / MiB, unit: 'MiB' },
      { name: `gateway RSS after ${httpRequests.toLocaleString('en-US')} HTTP appeals`, value: httpRss / MiB, unit: 'MiB', baseline: 'RSS at start (idle)', baselineValue: m.rssStart / MiB },
      { name: `gateway heap used after ${n}`, value: m.heapAfter / MiB, unit: 'MiB' },
      { name: `Redis used_memory delta, ${n}`, value: m.redisDelta / MiB, unit: 'MiB' },
      { name: 'Redis bytes per appeal (delta)', value: perAppeal, unit: 'B', baseline: 'record keys (MEMORY USAGE)', baselineValue: recordSum },
      { name: 'appeal hash (MEMORY USAGE)', value: m.recordBytes.hash, unit: 'B' },
      { name: 'number index key (MEMORY USAGE)', value: m.recordBytes.number, unit: 'B' },
      { name: 'citizen index, 1 appeal (MEMORY USAGE)', value: m.recordBytes.citizen, unit: 'B' },
      { name: 'jobs waiting after drain', value: m.waiting + m.active, unit: 'jobs' },
      { name: 'completed jobs kept', value: m.completed, unit: 'jobs', baseline: 'jobs processed', baselineValue: m.processed },
      { name: 'failed jobs', value: m.failed, unit: 'jobs' },
      { name: 'request errors (all phases)', value: errors, unit: 'requests' },
      { name: 'machine load average at start (1 min)', value: loadAtStart, unit: '', baseline: 'CPUs', baselineValue: os.availableParallelism() },
    ]
  } finally {
    await deleteByPrefix(redis, prefix, { sync: true })
    await redis.quit()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) printTable(title, await run())
