/** Redis connections for the request path: fail fast (503) instead of queueing commands while down. */
import { Redis, type RedisOptions } from 'ioredis'

export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
    ...extra,
  })
}

/** Resolves once the connection is ready, or rejects after timeoutMs. */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return
  if (redis.status === 'wait') {
    await redis.connect()
    return
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`Redis not ready after ${timeoutMs} ms`))
    }, timeoutMs)
    const onReady = () => {
      cleanup()
      resolve()
    }
    const cleanup = () => {
      clearTimeout(timer)
      redis.off('ready', onReady)
    }
    redis.on('ready', onReady)
  })
}

export function isReady(redis: Redis): boolean {
  return redis.status === 'ready'
}
