/**
 * Places as the centre sees them: district > road > compound / business / landmark, learned from
 * co-occurrence. Every appeal that names two places together (an estate and its road, a school
 * and the estate opposite, a compound and the cell of its pin) adds one to the edge between them
 * (`pg:{node}` sorted sets, written by the link script). A later appeal naming only one of them
 * finds the appeals filed under the others, and the pair feature `learnedPlace` tells the scorer
 * that the two places were seen together before — how much that counts is fitted, not set here.
 */
import { cellOf, cellsAround } from './geo.ts'
import type { AppealFeatures } from './types.ts'

/** Place nodes an appeal is counted under (the same strings as its index tokens). */
export function placeNodes(f: AppealFeatures): string[] {
  const p = f.places
  const out = [
    ...p.compounds.map((s) => `s:${s}`),
    ...p.stems.map((s) => `s:${s}`),
    ...p.intersections.map((s) => `x:${s}`),
    ...p.entities.map((s) => `e:${s}`),
    ...(f.landmarks ?? []).map((s) => `n:${s}`),
  ]
  if (f.lat !== undefined && f.lng !== undefined) out.push(`g:${cellOf(f.lat, f.lng)}`)
  return [...new Set(out)].slice(0, MAX_NODES)
}

/** Nodes counted per appeal (pairs grow with the square: 6 nodes are 15 edges). */
export const MAX_NODES = 6
/** Neighbours read per node, strongest first. */
export const NEIGHBOURS = 6

/** What a new appeal's places were seen with: neighbours minus its own nodes. */
export function learnedNear(own: string[], neighbours: string[][]): Set<string> {
  const mine = new Set(own)
  const out = new Set<string>()
  for (const list of neighbours) for (const n of list) if (!mine.has(n)) out.add(n)
  return out
}

/** True when an earlier appeal names a place (or its pin lies in a cell) the new one's places were seen with. */
export function seenTogether(near: Set<string>, b: AppealFeatures): boolean {
  if (near.size === 0) return false
  for (const n of placeNodes(b)) if (near.has(n)) return true
  if (b.lat !== undefined && b.lng !== undefined) for (const c of cellsAround(b.lat, b.lng)) if (near.has(`g:${c}`)) return true
  return false
}
