/**
 * Developer tool: how far the design can go on a labelled set, whatever the pair model. Each set is
 * linked once (collectPairs), then clustered three ways (simulate, as the trainer replays it):
 * - `model`: the committed merge-model.json;
 * - `perfect scorer`: every pair the linker scored is judged by the labels, the rules' vetoes stand;
 * - `perfect, no rules`: the vetoed pairs are judged by the labels too.
 * What the perfect scorer misses, the candidates and the rules never showed it; what the model
 * misses beyond that, it saw and could not tell from the look-alikes. Last, how many pairs each rule
 * kept apart that were one matter, and how many that were not.
 *   npx tsx gateway/matter/eval/ceilings.ts --data <set.jsonl> [--data <set2.jsonl> ...]
 * REDIS_URL (default redis://127.0.0.1:6379) is read here because this is a command, not the gateway.
 */
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { loadConfig } from '../../../config/load.ts'
import type { ScoredPair } from '../linker.ts'
import { mergeModel, probability } from '../merge-model.ts'
import { collectPairs, simulate, type PairSet } from './collect.ts'
import { readDataset } from './dataset.ts'
import { pairMetrics, pooled, type PairMetrics } from './metrics.ts'

/** The set with every scored pair's features replaced by its label ([1] same matter, [0] not); with `rules: false` the vetoed pairs are scored the same way. */
function judgedByLabels(s: PairSet, rules: boolean): PairSet {
  const label = (a: string, b: string) => [s.truth.get(a) === s.truth.get(b) ? 1 : 0]
  const pairs = new Map<string, ScoredPair[]>()
  for (const [id, list] of s.pairs) pairs.set(id, list.map((p) => ({ ...p, x: label(id, p.candidateId) })))
  if (rules) return { ...s, pairs }
  for (const [id, list] of s.vetoed) {
    const judged = list.map((v) => ({ candidateId: v.candidateId, x: label(id, v.candidateId), unplaced: false, citizen: false }))
    pairs.set(id, [...(pairs.get(id) ?? []), ...judged])
  }
  return { ...s, pairs, vetoed: new Map(), conflicts: new Map() }
}

const { values } = parseArgs({ options: { data: { type: 'string', multiple: true } } })
if (!values.data?.length) {
  process.stderr.write('usage: ceilings.ts --data <set.jsonl> [--data <set2.jsonl> ...]\n')
  process.exit(2)
}
const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 2 })
const model = mergeModel()
const WAYS = ['model', 'perfect scorer', 'perfect, no rules'] as const
const results = new Map<(typeof WAYS)[number], PairMetrics[]>(WAYS.map((w) => [w, []]))
const ruled = new Map<string, { same: number; other: number }>()
const show = (r: { p: number; r: number }) => `P=${r.p.toFixed(2)} R=${r.r.toFixed(2)}`
try {
  for (const file of values.data) {
    const s = await collectPairs(redis, file, true, readDataset(file), new Map())
    const byWay: Record<(typeof WAYS)[number], PairMetrics> = {
      model: pairMetrics(simulate(s, (x) => probability(model, x), model.threshold, model.join), s.truth),
      'perfect scorer': pairMetrics(simulate(judgedByLabels(s, true), (x) => x[0]!, 0.5, 'max'), s.truth),
      'perfect, no rules': pairMetrics(simulate(judgedByLabels(s, false), (x) => x[0]!, 0.5, 'max'), s.truth),
    }
    for (const w of WAYS) results.get(w)!.push(byWay[w])
    for (const [id, list] of s.vetoed) {
      for (const v of list) {
        const n = ruled.get(v.veto) ?? { same: 0, other: 0 }
        if (s.truth.get(id) === s.truth.get(v.candidateId)) n.same++
        else n.other++
        ruled.set(v.veto, n)
      }
    }
    const line = WAYS.map((w) => `${w} ${show({ p: byWay[w].precision, r: byWay[w].recall })}`).join(' | ')
    process.stdout.write(`${file} (${byWay.model.truePairs} true pairs): ${line}\n`)
  }
  process.stdout.write(`pooled: ${WAYS.map((w) => `${w} ${show(pooled(results.get(w)!))}`).join(' | ')}\n`)
  const rules = [...ruled].sort((a, b) => b[1].same - a[1].same)
  process.stdout.write(`kept apart by rule (one matter / not): ${rules.map(([r, n]) => `${r} ${n.same}/${n.other}`).join(', ')}\n`)
} finally {
  redis.disconnect()
}
