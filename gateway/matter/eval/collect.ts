/**
 * Labelled pairs for the trainer: a labelled set is fed through the real MatterLinker (fresh key
 * prefix, the window's term statistics and place graph built as in production) with a model that
 * never joins, and every candidate pair the linker scored is kept with its features. The
 * candidates, features and vetoes do not depend on the model (rivals are counted from appeals,
 * not matters), so the clustering any model would make can then be replayed in memory (simulate).
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { deleteByPrefix } from '../../queue/delete-prefix.ts'
import { MatterLinker, type ScoredPair, type VetoedPair } from '../linker.ts'
import { chooseMatter, matterScore, useModel, type MatterFit, type MergeModel } from '../merge-model.ts'
import { FEATURES } from '../pair-features.ts'
import type { LabeledAppeal } from './dataset.ts'

export interface PairSet {
  name: string
  /** Written without the problem lexicon and place rules in view (they were tuned on the others). */
  independent: boolean
  data: LabeledAppeal[]
  persons: Map<string, string>
  /** Appeal ids in intake order. */
  ids: string[]
  truth: Map<string, string>
  /** For each appeal, the earlier appeals it was scored against and the features of the pair. */
  pairs: Map<string, ScoredPair[]>
  /** For each appeal, the earlier appeals at another place for sure (they count against a matter). */
  conflicts: Map<string, string[]>
  /** For each appeal, the earlier appeals a rule kept apart from it, and the rule. */
  vetoed: Map<string, VetoedPair[]>
}

/** A model that scores but never joins: linking stays the same for every appeal whatever the fit. */
const NEVER = { features: [...FEATURES], weights: FEATURES.map(() => 0), bias: -30, threshold: 2 }

export async function collectPairs(
  redis: Redis,
  name: string,
  independent: boolean,
  data: LabeledAppeal[],
  persons: Map<string, string>,
): Promise<PairSet> {
  const prefix = `train-${randomUUID()}`
  const pairs = new Map<string, ScoredPair[]>()
  const conflicts = new Map<string, string[]>()
  const vetoed = new Map<string, VetoedPair[]>()
  useModel(NEVER)
  const linker = new MatterLinker({
    redis,
    keyPrefix: prefix,
    onScored: (id, seen, against, rules) => {
      pairs.set(id, seen)
      conflicts.set(id, against)
      vetoed.set(id, rules)
    },
  })
  try {
    for (const d of data) await linker.link(d.appeal)
  } finally {
    useModel(undefined)
    await deleteByPrefix(redis, prefix)
  }
  return {
    name,
    independent,
    data,
    persons,
    ids: data.map((d) => d.appeal.id),
    truth: new Map(data.map((d) => [d.appeal.id, d.matter])),
    pairs,
    conflicts,
    vetoed,
  }
}

/**
 * Rows for the fit: one per scored pair, labelled 1 when both appeals are one true matter. The
 * problem lexicon and the place rules were written with the older sets in view, so their features
 * look better there than on new appeals: the independent sets' rows together weigh as much as the
 * older sets' rows together.
 */
export function rowsOf(sets: PairSet[]): { X: number[][]; y: number[]; w: number[] } {
  const X: number[][] = []
  const y: number[] = []
  const group: boolean[] = []
  for (const s of sets) {
    for (const [id, list] of s.pairs) {
      for (const p of list) {
        X.push(p.x)
        y.push(s.truth.get(id) === s.truth.get(p.candidateId) ? 1 : 0)
        group.push(s.independent)
      }
    }
  }
  const nInd = group.filter(Boolean).length
  const nOld = group.length - nInd
  const wInd = nInd && nOld ? nOld / nInd : 1
  return { X, y, w: group.map((g) => (g ? wInd : 1)) }
}

/**
 * The clustering the linker would make with a model: each appeal, in intake order, joins the
 * matter the linker would pick (chooseMatter); folding and the incident rule are left out: they
 * are rare and the real eval runs them.
 */
export function simulate(s: PairSet, prob: (x: number[]) => number, threshold: number, join: MergeModel['join']): Map<string, string> {
  const cluster = new Map<string, string>()
  for (const id of s.ids) {
    const byCluster = new Map<string, number[]>()
    const own = new Map<string, number>()
    for (const p of s.pairs.get(id) ?? []) {
      const c = cluster.get(p.candidateId)
      if (c === undefined) continue
      const v = prob(p.x)
      byCluster.set(c, [...(byCluster.get(c) ?? []), v])
      if (p.citizen) own.set(c, Math.max(own.get(c) ?? 0, v))
    }
    const against = new Map<string, number>()
    for (const other of s.conflicts.get(id) ?? []) {
      const c = cluster.get(other)
      if (c !== undefined) against.set(c, (against.get(c) ?? 0) + 1)
    }
    // As the linker: a matter whose members naming a place are all elsewhere, matched only by
    // members that name none, is not joined.
    const apart = (s.vetoed.get(id) ?? []).filter((v) => v.veto === 'apart').map((v) => v.candidateId)
    const elsewhere = new Set([...(s.conflicts.get(id) ?? []), ...apart].map((o) => cluster.get(o)))
    const placed = new Set((s.pairs.get(id) ?? []).filter((p) => !p.unplaced).map((p) => cluster.get(p.candidateId)))
    const fits: MatterFit[] = []
    for (const [c, ps] of byCluster) {
      if (elsewhere.has(c) && !placed.has(c)) continue
      const joined = matterScore(ps, join, against.get(c) ?? 0, threshold, own.get(c) ?? 0)
      fits.push({ id: c, joined, passing: ps.filter((p) => p >= threshold).length, unplacedOnly: !placed.has(c) })
    }
    const into = chooseMatter(fits, threshold)
    cluster.set(id, into ?? id)
  }
  return cluster
}
