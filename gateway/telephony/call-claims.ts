/**
 * Every gateway process hears every media server's events; one of them drives each call. The first
 * to claim a call id in Redis (SET NX) owns it; the claim lives as long as a call can.
 */
import type { Redis } from 'ioredis'

const CLAIM_TTL_SECONDS = 6 * 3600

export class CallClaims {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #owner: string

  constructor(redis: Redis, keyPrefix: string, owner: string) {
    this.#redis = redis
    this.#prefix = `${keyPrefix}:voice:call:`
    this.#owner = owner
  }

  /** True when this process now owns the call (or already did). */
  async claim(callId: string): Promise<boolean> {
    const key = this.#prefix + callId
    if ((await this.#redis.set(key, this.#owner, 'EX', CLAIM_TTL_SECONDS, 'NX')) === 'OK') return true
    return (await this.#redis.get(key)) === this.#owner
  }

  async release(callId: string): Promise<void> {
    await this.#redis.del(this.#prefix + callId)
  }
}
