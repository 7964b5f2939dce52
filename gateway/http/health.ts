/** Liveness and readiness: /readyz is 503 (with Retry-After) while Redis does not answer. */
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'

export function registerHealthRoutes(app: FastifyInstance, redis: Redis): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const ok = redis.status === 'ready' && (await pingWithin(redis, 500))
    if (ok) return { status: 'ready', redis: 'ok' }
    return reply.code(503).header('Retry-After', '5').send({ status: 'not-ready', redis: 'unreachable' })
  })
}

async function pingWithin(redis: Redis, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      redis.ping().then((r) => r === 'PONG'),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms)
      }),
    ])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}
