/**
 * Remembers every accepted signature for as long as its timestamp could still pass the window, in
 * Redis (SET NX EX), so a captured request cannot be played again against any gateway process.
 */
import type { Redis } from 'ioredis'
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_REPLAYED } from '../errors.ts'

export class ReplayGuard {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #ttlSeconds: number

  constructor(redis: Redis, keyPrefix: string, windowSeconds: number) {
    this.#redis = redis
    this.#prefix = `${keyPrefix}:signed-seen:`
    // A timestamp is accepted from now-window to now+window: a signature stays replayable for up to
    // two windows after we first see it.
    this.#ttlSeconds = 2 * windowSeconds
  }

  /** Claims the signature for this source; throws CH_ERR_REPLAYED if it was already claimed. Returns the key. */
  async claim(source: string, signature: string): Promise<string> {
    const key = `${this.#prefix}${source}:${signature}`
    const ok = await this.#redis.set(key, '1', 'EX', this.#ttlSeconds, 'NX')
    if (ok !== 'OK') throw withField(new CH_ERR_REPLAYED(), '/headers/x-signature')
    return key
  }

  /** Gives a claim back after we failed (5xx), so the sender's verbatim retry is not called a replay. */
  async release(key: string): Promise<void> {
    await this.#redis.del(key)
  }
}
