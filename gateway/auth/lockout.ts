/**
 * Failed-login throttling in Redis (shared by every gateway process). Per username and per client IP:
 * after `slowAfter` failures each further attempt must wait 2^(failures - slowAfter) s (capped at
 * lockSeconds); at `maxFailures` the key is locked for lockSeconds. Counters live `windowSeconds`.
 * Unknown usernames are counted exactly like known ones, so the answers tell nothing.
 */
import type { Redis } from 'ioredis'

export interface LockoutOptions {
  slowAfter: number
  maxFailures: number
  maxFailuresPerIp: number
  windowSeconds: number
  lockSeconds: number
}

// KEYS: fail counter, wait key. ARGV: slowAfter, max, window, lock. Returns the failure count.
const RECORD_FAILURE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
local slow, max, lock = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
if n >= max then
  redis.call('SET', KEYS[2], 'locked', 'EX', lock)
  redis.call('EXPIRE', KEYS[1], lock)
elseif n >= slow then
  local wait = math.min(2 ^ (n - slow), lock)
  redis.call('SET', KEYS[2], 'slow', 'EX', wait)
end
return n
`

interface LockoutRedis extends Redis {
  authRecordFailure(...args: (string | number)[]): Promise<number>
}

export class Lockout {
  readonly #redis: LockoutRedis
  readonly #prefix: string
  readonly #opts: LockoutOptions

  constructor(redis: Redis, prefix: string, opts: LockoutOptions) {
    if (!('authRecordFailure' in redis)) redis.defineCommand('authRecordFailure', { numberOfKeys: 2, lua: RECORD_FAILURE })
    this.#redis = redis as LockoutRedis
    this.#prefix = `${prefix}:auth`
    this.#opts = opts
  }

  #keys(kind: 'user' | 'ip', value: string) {
    const v = Buffer.from(value).toString('base64url')
    return { fail: `${this.#prefix}:fail:${kind}:${v}`, wait: `${this.#prefix}:wait:${kind}:${v}` }
  }

  /** Seconds the caller must still wait (0: may try now). */
  async retryAfter(username: string, ip: string): Promise<number> {
    const [a, b] = await Promise.all([
      this.#redis.pttl(this.#keys('user', username).wait),
      this.#redis.pttl(this.#keys('ip', ip).wait),
    ])
    return Math.ceil(Math.max(a, b, 0) / 1000)
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const o = this.#opts
    const u = this.#keys('user', username)
    const i = this.#keys('ip', ip)
    await Promise.all([
      this.#redis.authRecordFailure(u.fail, u.wait, o.slowAfter, o.maxFailures, o.windowSeconds, o.lockSeconds),
      this.#redis.authRecordFailure(
        i.fail,
        i.wait,
        o.slowAfter * Math.max(1, Math.floor(o.maxFailuresPerIp / o.maxFailures)),
        o.maxFailuresPerIp,
        o.windowSeconds,
        o.lockSeconds,
      ),
    ])
  }

  /** A success clears the username's counter (not the IP's: one good account must not unlock guessing). */
  async recordSuccess(username: string): Promise<void> {
    const u = this.#keys('user', username)
    await this.#redis.del(u.fail, u.wait)
  }
}
