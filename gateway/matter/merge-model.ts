/**
 * The fitted pair model: logistic regression over pair-features.ts, coefficients in
 * merge-model.json written by `npm run train:merge` (gateway/matter/eval/train.ts). Nothing here
 * is set by hand; the threshold is the one cross-validation chose.
 */
import { readFileSync } from 'node:fs'
import { FEATURES } from './pair-features.ts'

export interface MergeModel {
  features: string[]
  weights: number[]
  bias: number
  threshold: number
  /** How members' probabilities make the matter's: the best one, noisy-or of the best three, or
   * the mean of the best three (a matter must agree with itself before it takes a new member). */
  join?: 'max' | 'noisy-or' | 'mean'
  [k: string]: unknown
}

export function checkModel(m: MergeModel): MergeModel {
  if (m.features.length !== FEATURES.length || m.features.some((f, i) => f !== FEATURES[i]) || m.weights.length !== FEATURES.length) {
    throw new Error('merge-model.json was trained on another feature list: run npm run train:merge')
  }
  return m
}

let current: MergeModel | undefined

/** The committed model (or one installed by the trainer for cross-validation). */
export function mergeModel(): MergeModel {
  current ??= checkModel(JSON.parse(readFileSync(new URL('./merge-model.json', import.meta.url), 'utf8')) as MergeModel)
  return current
}

/** Trainer seam: score with another model (a cross-validation fold) in this process. */
export function useModel(m: MergeModel | undefined): void {
  current = m ? checkModel(m) : undefined
}

export function probability(m: MergeModel, x: number[]): number {
  let z = m.bias
  for (let i = 0; i < x.length; i++) z += m.weights[i]! * x[i]!
  return 1 / (1 + Math.exp(-z))
}

/** Members whose evidence adds up (noisy-or): the best few, so a big matter does not win by size. */
export const JOIN_MEMBERS = 3

/**
 * A matter's probability from its members'; `ownBest` is the best of the members the same citizen
 * filed. Members at another place for sure (`conflicts`) speak
 * against it: when they outnumber the members that pass the threshold, the matter is elsewhere
 * (a bare shop name that fits one member, while two name another kind of shop on that road).
 */
export function matterScore(ps: number[], join: MergeModel['join'] = 'max', conflicts = 0, threshold = 0.5, ownBest = 0): number {
  if (ps.length === 0) return 0
  // The caller's own earlier appeal is a repeat whatever the others say (identity links repeats):
  // members elsewhere do not outweigh it.
  if (ownBest < threshold && conflicts > 0 && conflicts > ps.filter((p) => p >= threshold).length) return 0
  if (join === 'mean') {
    const top = [...ps].sort((a, b) => b - a).slice(0, JOIN_MEMBERS)
    return Math.max(top.reduce((a, p) => a + p, 0) / top.length, ownBest)
  }
  if (join !== 'noisy-or') return Math.max(...ps)
  let miss = 1
  for (const p of [...ps].sort((a, b) => b - a).slice(0, JOIN_MEMBERS)) miss *= 1 - p
  return 1 - miss
}

/** A matter an appeal could join: its score (matterScore), and what the choice reads beside it. */
export interface MatterFit {
  id: string
  joined: number
  /** Members whose own probability passes the threshold: more of them break near-ties (up to five). */
  passing: number
  /** Every member it was scored against has a place that cannot be compared with the appeal's. */
  unplacedOnly: boolean
}

/** A second matter this close to the best fits an unplaced report about as well (chooseMatter). */
const RIVAL_GAP = 0.1

/**
 * The matter an appeal joins, if any (the linker and the trainer's replay alike): the best of
 * those whose score passes the threshold — unless it is matched only where places cannot be
 * compared (no place on one side, or a pin beside a name) and another matter passes too or comes
 * within RIVAL_GAP of it: which one it is, is for an agent to say.
 */
export function chooseMatter(fits: MatterFit[], threshold: number): string | undefined {
  const rank = (f: MatterFit) => f.joined + 0.02 * Math.min(5, f.passing)
  let best: MatterFit | undefined
  for (const f of fits) if (f.joined >= threshold && (!best || rank(f) > rank(best))) best = f
  if (best?.unplacedOnly && fits.some((f) => f !== best && (f.joined >= threshold || f.joined >= best!.joined - RIVAL_GAP))) return undefined
  return best?.id
}
