/** Every intake channel, registered in one place: a new channel is one folder and one line here. */
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { Config } from '../config/schema.ts'
import type { IntakeDeps } from './common/intake.ts'
import { rateLimitOf } from '../gateway/http/rate-limit.ts'
import { webChannel } from './web/routes.ts'
import { signedChannels } from './signed/routes.ts'
import { wechatOfficialChannel } from './wechat-official/routes.ts'
import { wechatMiniChannel } from './wechat-mini/routes.ts'

export interface ChannelDeps {
  intake: IntakeDeps
  redis: Redis
  fetch: typeof fetch
  clock: () => Date
}

export async function registerChannels(app: FastifyInstance, config: Readonly<Config>, deps: ChannelDeps): Promise<void> {
  await app.register(webChannel, { deps: deps.intake, rateLimit: rateLimitOf(config.channels.web.rateLimit) })
  await app.register(signedChannels, { config, intake: deps.intake, redis: deps.redis, clock: deps.clock })
  await app.register(wechatOfficialChannel, {
    config: config.channels.wechatOfficial,
    signatureWindowSeconds: config.channels.signatureWindowSeconds,
    keyPrefix: config.redis.keyPrefix,
    deps,
  })
  await app.register(wechatMiniChannel, { config: config.channels.wechatMini, keyPrefix: config.redis.keyPrefix, deps })
}
