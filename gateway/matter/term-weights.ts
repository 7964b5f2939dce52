/**
 * Term weights learned from the appeals in the window: inverse document frequency of each word and
 * character bigram over the appeals linked in the current and previous window-long epochs (Redis
 * hashes, counted by the link script). A word that every appeal uses (反映, 小区) counts for little;
 * a word only two appeals share (化粪池, 打桩) counts for much — also a word no list has heard of.
 */
import type { AppealFeatures } from './types.ts'

/** Document frequencies of the new appeal's terms and the number of appeals they were counted over. */
export interface TermStats {
  n: number
  df: Map<string, number>
}

/** The field of the appeal counter in the document-frequency hash (no term starts with '#'). */
export const COUNT_FIELD = '#n'

/** Smoothed idf (as scikit-learn's): never zero, so a term in every appeal still counts a little. */
export function idf(stats: TermStats, term: string): number {
  return Math.log((stats.n + 1) / ((stats.df.get(term) ?? 0) + 1)) + 1
}

const round2 = (x: number) => Math.round(x * 100) / 100

/** Weights of an appeal's terms as the window stands at its link (stored with its features). */
export function weigh(terms: string[], stats: TermStats): number[] {
  return terms.map((t) => round2(idf(stats, t)))
}

function norm(w: number[]): number {
  let s = 0
  for (const x of w) s += x * x
  return Math.sqrt(s)
}

/** Index and norm of the new appeal's terms: built once per link, not once per candidate (keyed
 * by the weights array, which weigh() makes anew on every read of the window). */
const indexCache = new WeakMap<number[], { idx: Map<string, number>; norm: number }>()
function indexOf(terms: string[], weights: number[]): { idx: Map<string, number>; norm: number } {
  let c = indexCache.get(weights)
  if (!c) {
    const idx = new Map<string, number>()
    terms.forEach((t, i) => idx.set(t, i))
    c = { idx, norm: norm(weights) }
    indexCache.set(weights, c)
  }
  return c
}

/**
 * Cosine of two weighted term sets: the new appeal's weights as the window stands now, the earlier
 * appeal's as they stood at its link (both are proper vectors, so the cosine stays within [0, 1]).
 */
export function cosine(ta: string[], wa: number[], tb: string[], wb: number[]): number {
  if (ta.length === 0 || tb.length === 0) return 0
  const { idx, norm: na } = indexOf(ta, wa)
  let dot = 0
  for (let j = 0; j < tb.length; j++) {
    const i = idx.get(tb[j]!)
    if (i !== undefined) dot += wa[i]! * wb[j]!
  }
  if (dot === 0) return 0
  return Math.min(1, dot / (na * norm(wb)))
}

/** The rarest word both share, as a share of the rarest possible (a name or a telling word). */
export function rarestShared(a: AppealFeatures, b: AppealFeatures, stats: TermStats): number {
  const words = a.words ?? []
  if (!a.wordW) return 0
  const { idx } = indexOf(words, a.wordW)
  let best = 0
  for (const w of b.words ?? []) {
    const i = idx.get(w)
    if (i !== undefined) best = Math.max(best, a.wordW?.[i] ?? 0)
  }
  const top = Math.log(stats.n + 1) + 1
  return best === 0 ? 0 : Math.min(1, best / top)
}
