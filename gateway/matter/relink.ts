/**
 * A call is linked by the caller's number at intake (its text is our placeholder) and once more on
 * the agent's summary at completion (MatterLinker.relink). What may move, and what the store must
 * undo of the first link's features so the appeal is indexed and counted once.
 */
import { placeNodes } from './place-graph.ts'
import type { StoredAppeal } from './matter-store.ts'
import type { RelinkInput } from './matter-store.ts'
import { wordWriteTokens, writeTokens } from './tokens.ts'
import type { AppealFeatures } from './types.ts'

/**
 * How far a re-link may go:
 * - `first`: never linked (its intake link has not run yet): linked as any appeal;
 * - `final`: an agent confirmed, split or attached it: it stays where the agent left it;
 * - `stay`: its matter holds other appeals (the caller's own, linked by number, or ones an agent
 *   attached to it): it stays with them, and the content may bring another matter in only as a
 *   new appeal would, by folding (same problem as members of both, nothing in conflict);
 * - `free`: alone and undecided: it joins the matter its content matches, or stays alone.
 */
export type RelinkMode = 'first' | 'final' | 'stay' | 'free'

export function relinkMode(self: StoredAppeal | undefined, othersInMatter: number): RelinkMode {
  if (!self) return 'first'
  if (self.decision) return 'final'
  return othersInMatter > 0 ? 'stay' : 'free'
}

const termsOf = (f: AppealFeatures) => [...(f.words ?? []), ...(f.grams ?? []), ...(f.chars ?? [])]

/**
 * From the first link's features to the summary's: index tokens to leave, term counts to add and
 * to take back (as multisets: the link script counts a term once per list it is in), and the old
 * place nodes whose edges were counted already. `terms` replaces the link's term list.
 */
export function featureDelta(
  old: AppealFeatures | undefined,
  next: AppealFeatures,
  nextTokens: string[],
): Pick<RelinkInput, 'unindex' | 'unterms' | 'oldNodes'> & { terms: string[] } {
  if (!old) return { terms: termsOf(next), unindex: [], unterms: [], oldNodes: [] }
  const keep = new Set(nextTokens)
  const unindex = [...new Set([...writeTokens(old), ...wordWriteTokens(old)])].filter((t) => !keep.has(t))
  const left = new Map<string, number>()
  for (const t of termsOf(old)) left.set(t, (left.get(t) ?? 0) + 1)
  const terms: string[] = []
  for (const t of termsOf(next)) {
    const n = left.get(t) ?? 0
    if (n > 0) left.set(t, n - 1)
    else terms.push(t)
  }
  const unterms = [...left].flatMap(([t, n]) => Array.from({ length: n }, () => t))
  return { terms, unindex, unterms, oldNodes: placeNodes(old) }
}
