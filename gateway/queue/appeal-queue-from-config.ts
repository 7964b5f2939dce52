/** The one queue as configured: main.ts, the import command and the intake bench build it alike. */
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import { RedisAppealQueue, type RedisAppealQueueOptions } from './redis-appeal-queue.ts'

export function appealQueueFromConfig(
  config: Readonly<Config>,
  redis: Redis,
  extra: Partial<RedisAppealQueueOptions> = {},
): RedisAppealQueue {
  return new RedisAppealQueue({
    redis,
    keyPrefix: config.redis.keyPrefix,
    queueName: config.queue.name,
    timezone: config.timezone,
    retentionDays: config.queue.retentionDays,
    ...extra,
  })
}
