/**
 * Rate limiting backed by Redis, so the limit holds across gateway processes. Routes opt in with
 * `config.rateLimit`; a flood gets 429 GW_ERR_RATE_LIMITED with Retry-After.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import type { Redis } from 'ioredis'
import { GW_ERR_RATE_LIMITED } from '../errors.ts'

export interface RateLimit {
  max: number
  timeWindow: number
  keyGenerator?: (req: FastifyRequest) => string | Promise<string>
  groupId?: string
}

export function rateLimitOf(c: { max: number; timeWindowMs: number }, extra: Partial<RateLimit> = {}): RateLimit {
  return { max: c.max, timeWindow: c.timeWindowMs, ...extra }
}

export async function registerRateLimit(app: FastifyInstance, redis: Redis, keyPrefix: string): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${keyPrefix}:ratelimit:`,
    skipOnError: true, // Redis down: intake answers 503 itself; do not turn it into a 500 here
    errorResponseBuilder: (_req, ctx) => {
      const err = new GW_ERR_RATE_LIMITED() as Error & { headers?: Record<string, string> }
      err.headers = { 'retry-after': String(Math.ceil(ctx.ttl / 1000)) }
      return err
    },
  })
}
