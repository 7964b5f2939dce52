/**
 * WeChat waits 5 s for an answer, then retries (3 tries in all); an answer of "success" stops the
 * retries. So an intake that cannot finish before the deadline is not abandoned: it goes on in the
 * background, and while Redis is down it is retried whenever the connection comes back (for at most
 * backgroundRetryMs). A WeChat retry of the same MsgId joins the intake already running in this
 * process instead of starting a second one; across processes the queue's idempotency by MsgId holds.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { SubmitResult } from '../../gateway/domain/ports.ts'

export const LATE = Symbol('late')

export interface DeadlineIntakeOptions {
  redis: Redis
  deadlineMs: number
  backgroundRetryMs: number
  /** Background intakes kept at once; past it a failed intake is not retried (logged instead). */
  maxInFlight: number
}

export class DeadlineIntake {
  readonly #opts: DeadlineIntakeOptions
  readonly #inFlight = new Map<string, Promise<SubmitResult>>()
  readonly #closing = new AbortController()

  constructor(opts: DeadlineIntakeOptions) {
    this.#opts = opts
  }

  get inFlight(): number {
    return this.#inFlight.size
  }

  /** The intake's result, or LATE when the deadline passed first (the intake carries on). */
  async run(key: string, work: () => Promise<SubmitResult>, log: FastifyBaseLogger): Promise<SubmitResult | typeof LATE> {
    let running = this.#inFlight.get(key)
    if (!running) {
      const retry = this.#inFlight.size < this.#opts.maxInFlight
      running = this.#withRetry(work, retry)
      this.#inFlight.set(key, running)
      const started = Date.now()
      running.then(
        () => {
          if (Date.now() - started >= this.#opts.deadlineMs) log.info({ msgKey: key }, 'wechat intake completed after the reply deadline')
        },
        (err: Error & { code?: string }) => {
          if (Date.now() - started >= this.#opts.deadlineMs) {
            log.error({ msgKey: key, code: err.code, err: { message: err.message } }, 'wechat intake failed after the reply deadline; message not stored')
          }
        },
      ).finally(() => this.#inFlight.delete(key))
    }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), this.#opts.deadlineMs)
    })
    try {
      return await Promise.race([running, deadline])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Stops background retries (app shutdown). */
  close(): void {
    this.#closing.abort()
  }

  async #withRetry(work: () => Promise<SubmitResult>, retry: boolean): Promise<SubmitResult> {
    const until = Date.now() + this.#opts.backgroundRetryMs
    for (;;) {
      try {
        return await work()
      } catch (err) {
        const { code, statusCode } = err as { code?: string; statusCode?: number }
        if (statusCode !== undefined && statusCode < 500) throw err // the citizen's mistake: retrying changes nothing
        const unavailable = code === 'GW_ERR_REDIS_UNAVAILABLE' || this.#opts.redis.status !== 'ready'
        if (!retry || !unavailable || Date.now() >= until || this.#closing.signal.aborted) throw err
        await this.#readyOrTimeout(Math.min(until - Date.now(), 5000))
      }
    }
  }

  #readyOrTimeout(ms: number): Promise<void> {
    const { redis } = this.#opts
    if (redis.status === 'ready') return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        redis.off('ready', done)
        this.#closing.signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(ms, 0))
      redis.once('ready', done)
      this.#closing.signal.addEventListener('abort', done)
    })
  }
}
