/**
 * 集中诉求 alerts: published once when a matter first reaches three distinct citizens, to every
 * gateway process (Redis pub/sub) for the supervisors' wallboards, and kept in a short list so a
 * wallboard that opens later still sees today's alerts.
 */
import type { Redis } from 'ioredis'

export interface MatterAlert {
  matterId: string
  /** The appeal whose link made the matter concentrated. */
  appealId: string
  appealNumber: string
  citizens: number
  /** Appeal numbers of the matter's members known at the alert, oldest first. */
  appealNumbers: string[]
  category?: string
  /** Address text of the triggering appeal, if any (supervisors see it; logs never do). */
  place?: string
  at: string
}

const KEEP = 100

export class MatterAlerts {
  readonly channel: string
  readonly #list: string
  readonly #redis: Redis

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis
    this.channel = `${keyPrefix}:matter:alerts`
    this.#list = `${keyPrefix}:matter:alerts:recent`
  }

  async publish(alert: MatterAlert): Promise<void> {
    const json = JSON.stringify(alert)
    await this.#redis.multi().lpush(this.#list, json).ltrim(this.#list, 0, KEEP - 1).publish(this.channel, json).exec()
  }

  /** Newest first. */
  async recent(limit = 20): Promise<MatterAlert[]> {
    const rows = await this.#redis.lrange(this.#list, 0, limit - 1)
    return rows.map((r) => JSON.parse(r) as MatterAlert)
  }

  /** Subscribes on a dedicated connection (a subscribed connection can do nothing else). */
  async subscribe(listener: (alert: MatterAlert) => void): Promise<() => Promise<void>> {
    const sub = this.#redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null })
    sub.on('error', () => {})
    sub.on('message', (_ch: string, msg: string) => {
      try {
        listener(JSON.parse(msg) as MatterAlert)
      } catch {
        // a malformed message from another writer is ignored
      }
    })
    await sub.subscribe(this.channel)
    return async () => {
      await sub.quit().catch(() => sub.disconnect())
    }
  }
}
