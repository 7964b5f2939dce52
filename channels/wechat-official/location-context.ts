/**
 * A location sent alone is held per openid for a while and attached to the citizen's next appeal.
 * The first message to take it marks itself as the user, so WeChat's retries of that message take
 * it again (same draft, same intake hash) while any other message does not.
 */
import type { Redis } from 'ioredis'
import type { Location } from '../../gateway/domain/appeal.ts'

const TAKE = `
local used = redis.call('HGET', KEYS[1], 'usedBy')
if used and used ~= ARGV[1] then return nil end
if not used then redis.call('HSET', KEYS[1], 'usedBy', ARGV[1]) end
return redis.call('HGET', KEYS[1], 'location')
`

export class LocationContext {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #ttlSeconds: number

  constructor(redis: Redis, keyPrefix: string, ttlSeconds: number) {
    this.#redis = redis
    this.#prefix = `${keyPrefix}:wx-official:location:`
    this.#ttlSeconds = ttlSeconds
  }

  async hold(openid: string, location: Location): Promise<void> {
    const key = this.#prefix + openid
    await this.#redis.multi().del(key).hset(key, 'location', JSON.stringify(location)).expire(key, this.#ttlSeconds).exec()
  }

  /** The held location for this message (or its retry), if any. */
  async take(openid: string, msgId: string): Promise<Location | undefined> {
    const raw = (await this.#redis.eval(TAKE, 1, this.#prefix + openid, msgId)) as string | null
    return raw ? (JSON.parse(raw) as Location) : undefined
  }
}
