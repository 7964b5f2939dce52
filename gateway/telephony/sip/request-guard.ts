/**
 * Before anything else looks at a request: SIP scanners by User-Agent (refused, logged once a
 * minute per source) and floods from one address (a per-source limit on every method, with
 * rate-limiter-flexible in memory). Both answer the same for any user or number asked about, so a
 * scanner learns nothing from the answers.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible'

export type Verdict = 'ok' | 'scanner' | 'flood'

export class RequestGuard {
  readonly #blocked: string[]
  readonly #limiter: RateLimiterMemory

  constructor(opts: { blockedUserAgents: readonly string[]; perSourceRequestsPerSecond: number }) {
    this.#blocked = opts.blockedUserAgents.map((s) => s.toLowerCase())
    this.#limiter = new RateLimiterMemory({ points: opts.perSourceRequestsPerSecond, duration: 1 })
  }

  async check(source: string, userAgent: string | undefined): Promise<Verdict> {
    // The limit first: a scanner's flood is cut as cheaply as anyone's.
    try {
      await this.#limiter.consume(source)
    } catch {
      return 'flood'
    }
    const ua = (userAgent ?? '').toLowerCase()
    return ua && this.#blocked.some((b) => ua.includes(b)) ? 'scanner' : 'ok'
  }
}
