/** Real Redis for every test: a random key prefix, and every key under it deleted afterwards. */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import { deleteByPrefix } from '../../gateway/queue/delete-prefix.ts'

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

interface Teardown {
  teardown(fn: () => unknown): void
}

export function randomPrefix(): string {
  return `test-${randomUUID()}`
}

export const deleteKeys = deleteByPrefix

/** A ready connection plus a fresh prefix; keys and connection are cleaned up when the test ends. */
export async function testRedis(t: Teardown, prefix = randomPrefix()): Promise<{ redis: Redis; prefix: string }> {
  const redis = connectRedis(REDIS_URL)
  await waitReady(redis)
  t.teardown(async () => {
    if (redis.status === 'ready') {
      await deleteKeys(redis, prefix)
      await redis.quit()
    } else redis.disconnect()
  })
  return { redis, prefix }
}

/**
 * Keys under the prefix, except rate-limit counters (they count requests, not appeals) and bullmq's
 * queue metadata (written by the Queue constructor in the background, whenever it gets to it).
 */
export async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let n = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    n += keys.filter((k) => !k.startsWith(`${prefix}:ratelimit:`) && !/^[^:]+:bull:[^:]+:meta$/.test(k)).length
  } while (cursor !== '0')
  return n
}
