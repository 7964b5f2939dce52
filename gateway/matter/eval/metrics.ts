/** Pairwise precision/recall/F1 of a clustering against labels, and big matters found. */

export interface PairMetrics {
  precision: number
  recall: number
  f1: number
  truePairs: number
  predictedPairs: number
  /** Predicted pairs that are true pairs. */
  truePositives: number
}

function pairs(groups: Map<string, string[]>): Set<string> {
  const out = new Set<string>()
  for (const ids of groups.values()) {
    const s = [...ids].sort()
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) out.add(`${s[i]}|${s[j]}`)
  }
  return out
}

function groupBy(assign: Map<string, string>, only?: Set<string>): Map<string, string[]> {
  const g = new Map<string, string[]>()
  for (const [id, k] of assign) {
    if (only && !only.has(id)) continue
    const list = g.get(k) ?? []
    list.push(id)
    g.set(k, list)
  }
  return g
}

/** `only`: restrict to pairs inside a subset of appeals (e.g. the second half of the file). */
export function pairMetrics(predicted: Map<string, string>, truth: Map<string, string>, only?: Set<string>): PairMetrics {
  const p = pairs(groupBy(predicted, only))
  const t = pairs(groupBy(truth, only))
  let tp = 0
  for (const x of p) if (t.has(x)) tp++
  const precision = p.size ? tp / p.size : 1
  const recall = t.size ? tp / t.size : 1
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0
  return { precision, recall, f1, truePairs: t.size, predictedPairs: p.size, truePositives: tp }
}

/**
 * Of the true matters with >= 3 distinct persons, how many the linker flagged 集中诉求 with a
 * cluster that holds >= 3 of that matter's distinct persons.
 */
export function bigMatters(
  predicted: Map<string, string>,
  concentrated: Set<string>,
  truth: Map<string, string>,
  persons: Map<string, string>,
): { found: number; total: number } {
  const byMatter = groupBy(truth)
  let total = 0
  let found = 0
  for (const ids of byMatter.values()) {
    const people = new Set(ids.map((id) => persons.get(id) ?? id))
    if (people.size < 3) continue
    total++
    const byCluster = new Map<string, Set<string>>()
    for (const id of ids) {
      const c = predicted.get(id)
      if (!c || !concentrated.has(c)) continue
      const set = byCluster.get(c) ?? new Set<string>()
      set.add(persons.get(id) ?? id)
      byCluster.set(c, set)
    }
    if ([...byCluster.values()].some((s) => s.size >= 3)) found++
  }
  return { found, total }
}

/** Pairwise figures of several sets taken together (their pairs added up), e.g. a group of folds. */
export function pooled(results: PairMetrics[]): { p: number; r: number; f1: number } {
  const tp = results.reduce((a, x) => a + x.truePositives, 0)
  const pred = results.reduce((a, x) => a + x.predictedPairs, 0)
  const truth = results.reduce((a, x) => a + x.truePairs, 0)
  const p = pred ? tp / pred : 1
  const r = truth ? tp / truth : 1
  return { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0 }
}
