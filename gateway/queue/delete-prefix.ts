/**
 * Removes every key under `<prefix>:` (SCAN + UNLINK, never KEYS): fresh-prefix runs clean up with it.
 * `sync`: DEL instead of UNLINK, so the memory is freed before the next INFO reading (benchmarks).
 */
import type { Redis } from 'ioredis'

export async function deleteByPrefix(redis: Redis, prefix: string, opts: { sync?: boolean } = {}): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await (opts.sync ? redis.del(...keys) : redis.unlink(...keys))
  } while (cursor !== '0')
}
