/** Removes every key under `<prefix>:` (SCAN + UNLINK, never KEYS): fresh-prefix runs clean up with it. */
import type { Redis } from 'ioredis'

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await redis.unlink(...keys)
  } while (cursor !== '0')
}
