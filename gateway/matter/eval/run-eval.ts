/**
 * Feeds labelled appeals in intake order through the real MatterLinker on a fresh random key
 * prefix, scores the result, and deletes its keys. Used by the CLI and by the regression test.
 */
import { deleteByPrefix } from '../../queue/delete-prefix.ts'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { MatterLinker } from '../linker.ts'
import type { LabeledAppeal } from './dataset.ts'
import { bigMatters, pairMetrics, type PairMetrics } from './metrics.ts'

export interface EvalResult {
  all: PairMetrics
  firstHalf: PairMetrics
  secondHalf: PairMetrics
  big: { found: number; total: number }
}

export async function runEval(redis: Redis, data: LabeledAppeal[], persons: Map<string, string>): Promise<EvalResult> {
  const prefix = `eval-${randomUUID()}`
  const linker = new MatterLinker({ redis, keyPrefix: prefix })
  const predicted = new Map<string, string>()
  const truth = new Map<string, string>()
  try {
    for (const d of data) {
      await linker.link(d.appeal)
      truth.set(d.appeal.id, d.matter)
    }
    // Read back the final matters (agent-free run: what the linker decided, as stored).
    const concentrated = new Set<string>()
    for (const d of data) {
      const l = await linker.get(d.appeal.id)
      if (!l) continue
      predicted.set(d.appeal.id, l.matterId)
      if (l.flags.concentrated) concentrated.add(l.matterId)
    }
    const half = Math.floor(data.length / 2)
    const first = new Set(data.slice(0, half).map((d) => d.appeal.id))
    const second = new Set(data.slice(half).map((d) => d.appeal.id))
    return {
      all: pairMetrics(predicted, truth),
      firstHalf: pairMetrics(predicted, truth, first),
      secondHalf: pairMetrics(predicted, truth, second),
      big: bigMatters(predicted, concentrated, truth, persons),
    }
  } finally {
    await deleteByPrefix(redis, prefix)
  }
}

export function formatLine(r: EvalResult): string {
  const m = r.all
  return `merge: P=${m.precision.toFixed(2)} R=${m.recall.toFixed(2)} F1=${m.f1.toFixed(2)} big=${r.big.found}/${r.big.total}`
}
