/** Bench-side Redis chores: memory figures and removing every key under the bench's prefix. */
import type { Redis } from 'ioredis'

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN)
}

/** Redis server CPU (user + system) since it started, µs. */
export async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN)
  return Math.round((get('used_cpu_user') + get('used_cpu_sys')) * 1e6)
}

/** Keys matching pattern, at most `limit` (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string, limit = Infinity): Promise<string[]> {
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    out.push(...keys)
  } while (cursor !== '0' && out.length < limit)
  return out.slice(0, limit)
}

/** Mean MEMORY USAGE of up to `sample` keys matching pattern (bytes). */
export async function meanKeySize(redis: Redis, pattern: string, sample = 200): Promise<{ keys: number; bytes: number }> {
  const keys = await scanKeys(redis, pattern, sample)
  if (keys.length === 0) return { keys: 0, bytes: 0 }
  const pipe = redis.pipeline()
  for (const k of keys) pipe.memory('USAGE', k, 'SAMPLES', 0)
  const res = (await pipe.exec()) ?? []
  const total = res.reduce((s, [, v]) => s + Number(v ?? 0), 0)
  return { keys: keys.length, bytes: total / keys.length }
}
