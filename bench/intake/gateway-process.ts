/**
 * The real gateway for the intake bench, in its own process so the load generator does not take
 * its CPU or show up in its RSS: build() from gateway/app.ts with RedisAppealQueue, as main.ts does,
 * on 127.0.0.1 and a free port. Talks to the bench over IPC:
 *   -> { type: 'ready', port }           once listening
 *   <- { type: 'usage' }   -> { type: 'usage', rss, heapUsed, cpuMicros }
 *   <- { type: 'submit', total, concurrency, keyPrefix }  -> { type: 'submitted', result }
 *        `total` appeals through RedisAppealQueue.submit in this process, HTTP skipped (memory phase)
 *   <- { type: 'stop' }    closes and exits 0
 *   node --import tsx bench/intake/gateway-process.ts '<json options>'
 */
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import { normalizeDraft } from '../../channels/common/normalize-draft.ts'
import { webAppeal } from '../lib/appeal-samples.ts'
import { bounded, type LoadResult } from '../lib/load.ts'
import { loadConfig } from '../../config/load.ts'
import { build } from '../../gateway/app.ts'
import { createLogger } from '../../gateway/log.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import { appealQueueFromConfig } from '../../gateway/queue/appeal-queue-from-config.ts'
import type { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'

export interface GatewayProcessOptions {
  redisUrl: string
  keyPrefix: string
  logLevel: 'silent' | 'warn' | 'info'
  /** Per-client web rate limit; the bench raises it so it measures intake, not the limiter. */
  rateLimitMax: number
  /**
   * 'bare-fastify': the floor to compare with — Fastify alone on the same route, parsing the same
   * JSON and answering 202 with no validation, no Redis, no logging.
   */
  mode?: 'gateway' | 'bare-fastify'
}

export type GatewayMessage =
  | { type: 'ready'; port: number }
  | ({ type: 'usage' } & ProcessUsage)
  | { type: 'submitted'; result: LoadResult }

export interface SubmitCommand {
  type: 'submit'
  total: number
  concurrency: number
  /** Idempotency keys are `${keyPrefix}-${i}`. */
  keyPrefix: string
}

export interface ProcessUsage {
  rss: number
  heapUsed: number
  /** user + system CPU time since the process started, µs */
  cpuMicros: number
}

async function bareFastify(): Promise<{ port: number; close: () => Promise<void> }> {
  const app = Fastify({ logger: false })
  let n = 0
  app.post('/v1/channels/web/appeals', async (req, reply) => {
    const body = req.body as { content?: string }
    return reply.code(202).send({ id: `ap_${n++}`, appealNumber: '20261127-000001', status: body.content ? 'queued' : 'received' })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { port: (app.server.address() as { port: number }).port, close: () => app.close() }
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]) as GatewayProcessOptions
  if (opts.mode === 'bare-fastify') {
    const bare = await bareFastify()
    serve(bare.port, bare.close, undefined)
    return
  }
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'production',
      // The intake path alone: no agents, no ACD, no matter linker (bench/acd-offer and
      // bench/matter-link measure those steps).
      agentsFile: '',
      auth: { jwtSecret: 'bench-only-jwt-secret-0123456789abcdef' },
      redis: { url: opts.redisUrl, keyPrefix: opts.keyPrefix },
      log: { level: opts.logLevel },
      server: { host: '127.0.0.1', port: 0 },
      channels: { web: { rateLimit: { max: opts.rateLimitMax, timeWindowMs: 60_000 } } },
    },
  })
  // log lines are built and serialized as in production, then dropped: the cost stays, the noise goes
  const nullStream = new Writable({ write: (_c, _e, cb) => cb() })
  const logger = createLogger(config.log.level, nullStream)
  const redis = connectRedis(config.redis.url)
  await waitReady(redis)
  const queue = appealQueueFromConfig(config, redis)
  const app = await build(config, { redis, queue, logger })
  await app.listen({ host: config.server.host, port: config.server.port })
  const port = (app.server.address() as { port: number }).port
  serve(
    port,
    async () => {
      await app.close()
      await queue.close()
      await redis.quit()
    },
    queue,
  )
}

function serve(port: number, close: () => Promise<void>, queue: RedisAppealQueue | undefined): void {
  process.on('message', async (m: { type: string } | SubmitCommand) => {
    if (m.type === 'submit' && queue) {
      const cmd = m as SubmitCommand
      const result = await bounded({
        total: cmd.total,
        concurrency: cmd.concurrency,
        fire: async (i) => {
          await queue.submit({ channel: 'web', externalId: `${cmd.keyPrefix}-${i}`, draft: normalizeDraft(webAppeal(i)) })
        },
        onProgress: (n) => process.stderr.write(`[intake]   ${n.toLocaleString('en-US')} / ${cmd.total.toLocaleString('en-US')} appeals\n`),
      })
      process.send!({ type: 'submitted', result } satisfies GatewayMessage)
      return
    }
    if (m.type === 'usage') {
      const mem = process.memoryUsage()
      const cpu = process.cpuUsage()
      process.send!({ type: 'usage', rss: mem.rss, heapUsed: mem.heapUsed, cpuMicros: cpu.user + cpu.system } satisfies GatewayMessage)
    } else if (m.type === 'stop') {
      await close()
      process.exit(0)
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.send!({ type: 'ready', port } satisfies GatewayMessage)
}

void main().catch((err) => {
  process.stderr.write(`gateway process failed: ${(err as Error).stack}\n`)
  process.exit(1)
})
