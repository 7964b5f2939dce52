/** Builds the real app on real Redis with a random key prefix, for app.inject() tests. */
import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import { loadConfig, type DeepPartial } from '../../config/load.ts'
import type { Config } from '../../config/schema.ts'
import { build, type App, type AppDeps } from '../../gateway/app.ts'
import { createLogger } from '../../gateway/log.ts'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { REDIS_URL, testRedis } from './redis.ts'

export const STAFF_TOKEN = 'test-staff-token-0123456789abcdef'

export interface TestApp {
  app: App
  queue: RedisAppealQueue
  redis: Redis
  prefix: string
  config: Readonly<Config>
  /** Every log line the app wrote, as parsed JSON. */
  logs: Record<string, unknown>[]
}

interface TapLike {
  teardown(fn: () => unknown): void
}

export function testConfig(prefix: string, overrides: DeepPartial<Config> = {}, env: NodeJS.ProcessEnv = {}): Readonly<Config> {
  return loadConfig({
    env,
    overrides: {
      ...overrides,
      env: 'test',
      redis: { url: REDIS_URL, keyPrefix: prefix, ...(overrides.redis ?? {}) },
      auth: { staffTokens: [STAFF_TOKEN], ...(overrides.auth ?? {}) },
      log: { level: 'info', ...(overrides.log ?? {}) },
    },
  })
}

export async function buildTestApp(
  t: TapLike,
  opts: { config?: DeepPartial<Config>; env?: NodeJS.ProcessEnv; deps?: Partial<AppDeps>; redis?: Redis; prefix?: string } = {},
): Promise<TestApp> {
  const { redis, prefix } = opts.redis ? { redis: opts.redis, prefix: opts.prefix! } : await testRedis(t)
  const config = testConfig(prefix, opts.config, opts.env)
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    },
  })
  const queue = new RedisAppealQueue({
    redis,
    keyPrefix: prefix,
    queueName: config.queue.name,
    timezone: config.timezone,
    retentionDays: config.queue.retentionDays,
  })
  const app = await build(config, { redis, queue, logger: createLogger('info', sink), ...opts.deps })
  t.teardown(async () => {
    await app.close()
    await queue.close()
  })
  return { app, queue, redis, prefix, config, logs }
}

export const staffHeaders = { authorization: `Bearer ${STAFF_TOKEN}` }
