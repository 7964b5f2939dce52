/** Index tokens of an appeal: how later appeals find it without scanning the window. */
import { cellOf, cellsAround } from './geo.ts'
import { TOPIC_BY_CODE } from './topics.ts'
import type { AppealFeatures } from './types.ts'

/**
 * Acute incidents (a burst main, the water cut it causes) are also filed by problem: a resident
 * without water who says only "外面主管道破了" finds the burst reported from the road that morning.
 */
function incidentTokens(f: AppealFeatures): string[] {
  return f.topics.filter((t) => TOPIC_BY_CODE.get(t)?.acuteDays !== undefined).map((t) => `t:${t}`)
}

function placeTokens(f: AppealFeatures): string[] {
  const p = f.places
  return [
    ...f.citizen.tokens.map((t) => `c:${t}`),
    // Stems cover compounds and roads alike, so 瑞丰小区 finds 瑞丰街 and 兴隆雅居 finds 兴隆路.
    ...p.stems.map((s) => `s:${s}`),
    ...p.compounds.map((s) => `s:${s}`),
    ...p.intersections.map((s) => `x:${s}`),
    ...p.entities.map((s) => `e:${s}`),
    ...p.routes.map((s) => `b:${s}`),
    ...incidentTokens(f),
  ]
}

/** Tokens this appeal is stored under. */
export function writeTokens(f: AppealFeatures): string[] {
  const t = placeTokens(f)
  if (f.lat !== undefined && f.lng !== undefined) t.push(`g:${cellOf(f.lat, f.lng)}`)
  return [...new Set(t)]
}

/** Tokens to look up for candidates: the same, with the neighbouring geo cells. */
export function queryTokens(f: AppealFeatures): string[] {
  const t = placeTokens(f)
  if (f.lat !== undefined && f.lng !== undefined) for (const c of cellsAround(f.lat, f.lng)) t.push(`g:${c}`)
  return [...new Set(t)]
}
