/**
 * Per-trunk limits, both ways: calls up at once (maxCalls) and new calls per second (a token bucket
 * of callsPerSecond, refilled continuously). A call admitted holds a slot until `release`.
 * In-process: one edge process per drachtio-server (the limits are the trunk's share on that edge).
 */
import type { TrunkConfig } from '../../../config/sip-schema.ts'

export type Admission = { ok: true } | { ok: false; reason: 'max-calls' | 'calls-per-second' }

interface Bucket {
  tokens: number
  at: number
  active: number
}

export class CallAdmission {
  readonly #buckets = new Map<string, Bucket>()
  readonly #now: () => number

  constructor(now: () => number = () => performance.now()) {
    this.#now = now
  }

  admit(trunk: TrunkConfig): Admission {
    const b = this.#bucket(trunk)
    const now = this.#now()
    b.tokens = Math.min(trunk.callsPerSecond, b.tokens + ((now - b.at) / 1000) * trunk.callsPerSecond)
    b.at = now
    if (b.active >= trunk.maxCalls) return { ok: false, reason: 'max-calls' }
    if (b.tokens < 1) return { ok: false, reason: 'calls-per-second' }
    b.tokens -= 1
    b.active += 1
    return { ok: true }
  }

  release(trunk: TrunkConfig): void {
    const b = this.#bucket(trunk)
    if (b.active > 0) b.active -= 1
  }

  active(trunkId: string): number {
    return this.#buckets.get(trunkId)?.active ?? 0
  }

  #bucket(trunk: TrunkConfig): Bucket {
    let b = this.#buckets.get(trunk.id)
    if (!b) {
      b = { tokens: trunk.callsPerSecond, at: this.#now(), active: 0 }
      this.#buckets.set(trunk.id, b)
    }
    return b
  }
}
