/**
 * Load shapes. `fire` does one operation and throws if it did not succeed.
 *  - closedLoop: N callers, each starts its next operation when the previous one answers
 *    (throughput at a fixed concurrency).
 *  - openLoop: operations start on a fixed schedule whether or not earlier ones answered; latency is
 *    counted from the scheduled start, so a stall shows up in p99 instead of hiding (no coordinated
 *    omission).
 *  - bounded: a fixed number of operations with at most N in flight.
 */
import { Latencies, nowMs } from './latency.ts'

export interface LoadResult {
  /** Successful operations inside the measured window. */
  ok: number
  /** Successful operations in all, warm-up included (for CPU per operation). */
  all: number
  errors: number
  firstError?: string
  seconds: number
  perSecond: number
  p50: number
  p99: number
  max: number
}

type Fire = (i: number) => Promise<void>

function result(lat: Latencies, errors: number, firstError: string | undefined, seconds: number, all = lat.count): LoadResult {
  const s = lat.summary()
  return { ok: s.count, all, errors, firstError, seconds, perSecond: s.count / seconds, p50: s.p50, p99: s.p99, max: s.max }
}

export async function closedLoop(opts: { concurrency: number; warmupMs: number; durationMs: number; fire: Fire }): Promise<LoadResult> {
  const lat = new Latencies()
  let errors = 0
  let firstError: string | undefined
  let i = 0
  let all = 0
  const start = nowMs()
  const measureFrom = start + opts.warmupMs
  const stopAt = measureFrom + opts.durationMs
  const caller = async () => {
    for (;;) {
      const t0 = nowMs()
      if (t0 >= stopAt) return
      try {
        await opts.fire(i++)
        all++
        // only operations that started and ended inside the window count
        const t1 = nowMs()
        if (t0 >= measureFrom && t1 <= stopAt) lat.add(t1 - t0)
      } catch (err) {
        errors++
        firstError ??= (err as Error).message
      }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, caller))
  return result(lat, errors, firstError, opts.durationMs / 1000, all)
}

export async function openLoop(opts: { perSecond: number; durationMs: number; fire: Fire }): Promise<LoadResult & { offered: number; lateStarts: number }> {
  const lat = new Latencies()
  let errors = 0
  let firstError: string | undefined
  const interval = 1000 / opts.perSecond
  const total = Math.round((opts.durationMs / 1000) * opts.perSecond)
  const inflight = new Set<Promise<void>>()
  let lateStarts = 0
  const start = nowMs()
  for (let i = 0; i < total; i++) {
    const due = start + i * interval
    const wait = due - nowMs()
    // timers are ~1 ms coarse: sleep only when the next start is ≥ 1 ms away, else start at once
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait - 0.5))
    if (nowMs() - due > 5) lateStarts++
    const p = opts.fire(i).then(
      () => lat.add(nowMs() - due),
      (err: Error) => {
        errors++
        firstError ??= err.message
      },
    )
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }
  await Promise.all(inflight)
  const seconds = (nowMs() - start) / 1000
  return { ...result(lat, errors, firstError, seconds), offered: total / (opts.durationMs / 1000), lateStarts }
}

export async function bounded(opts: { total: number; concurrency: number; fire: Fire; onProgress?: (done: number) => void }): Promise<LoadResult> {
  const lat = new Latencies()
  let errors = 0
  let firstError: string | undefined
  let next = 0
  let done = 0
  const start = nowMs()
  const caller = async () => {
    while (next < opts.total) {
      const i = next++
      const t0 = nowMs()
      try {
        await opts.fire(i)
        lat.add(nowMs() - t0)
      } catch (err) {
        errors++
        firstError ??= (err as Error).message
      }
      if (++done % 10_000 === 0) opts.onProgress?.(done)
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, caller))
  return result(lat, errors, firstError, (nowMs() - start) / 1000)
}
