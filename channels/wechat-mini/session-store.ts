/**
 * Gateway sessions for the mini-program: a random bearer token -> the citizen's openid, in Redis
 * with a TTL. Only a hash of the token is stored, so a copy of Redis holds no usable token.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface MiniSession {
  openid: string
  createdAt: string
}

export class MiniSessionStore {
  readonly #redis: Redis
  readonly #prefix: string
  readonly #ttlSeconds: number

  constructor(redis: Redis, keyPrefix: string, ttlSeconds: number) {
    this.#redis = redis
    this.#prefix = `${keyPrefix}:wx-mini:session:`
    this.#ttlSeconds = ttlSeconds
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds
  }

  #key(token: string): string {
    return this.#prefix + createHash('sha256').update(token).digest('base64url')
  }

  async create(openid: string, now: Date): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    const session: MiniSession = { openid, createdAt: now.toISOString() }
    await this.#redis.set(this.#key(token), JSON.stringify(session), 'EX', this.#ttlSeconds)
    return token
  }

  async get(token: string): Promise<MiniSession | undefined> {
    const raw = await this.#redis.get(this.#key(token))
    return raw ? (JSON.parse(raw) as MiniSession) : undefined
  }
}
