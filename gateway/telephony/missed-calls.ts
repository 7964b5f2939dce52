/**
 * 漏接回拨: callers who hung up while waiting. Supervisors see the list on the wallboard (number
 * masked), agents call back from the console; the outbound dialer of a later issue works it too.
 * A sorted set by time plus one hash of entries under `<prefix>:voice:missed`.
 */
import type { Redis } from 'ioredis'
import { maskPhone } from '../domain/phone.ts'

export interface MissedCall {
  appealId: string
  /** Full number for the call-back (never logged); undefined when withheld. */
  phone?: string
  hotline: string
  waitSeconds: number
  at: string
}

export interface MissedCallView extends Omit<MissedCall, 'phone'> {
  maskedPhone: string
  canCallBack: boolean
}

export class MissedCalls {
  readonly #redis: Redis
  readonly #key: string

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis
    this.#key = `${keyPrefix}:voice:missed`
  }

  async add(m: MissedCall): Promise<void> {
    await this.#redis
      .multi()
      .zadd(`${this.#key}:by-time`, Date.parse(m.at), m.appealId)
      .hset(this.#key, m.appealId, JSON.stringify(m))
      .exec()
  }

  /** Newest first, numbers masked: what the wallboard and console list show. */
  async list(limit = 100): Promise<MissedCallView[]> {
    return (await this.#entries(limit)).map(view)
  }

  async get(appealId: string): Promise<MissedCall | undefined> {
    const raw = await this.#redis.hget(this.#key, appealId)
    return raw ? (JSON.parse(raw) as MissedCall) : undefined
  }

  /** Taken off the list (called back, or handled otherwise). */
  async remove(appealId: string): Promise<boolean> {
    const [[, n]] = (await this.#redis.multi().hdel(this.#key, appealId).zrem(`${this.#key}:by-time`, appealId).exec()) as [[unknown, number]]
    return n === 1
  }

  async #entries(limit: number): Promise<MissedCall[]> {
    const ids = await this.#redis.zrevrange(`${this.#key}:by-time`, 0, limit - 1)
    if (ids.length === 0) return []
    const raws = await this.#redis.hmget(this.#key, ...ids)
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as MissedCall)
  }
}

function view(m: MissedCall): MissedCallView {
  const { phone, ...rest } = m
  return { ...rest, maskedPhone: phone ? maskPhone(phone) : '未显示', canCallBack: Boolean(phone) }
}
