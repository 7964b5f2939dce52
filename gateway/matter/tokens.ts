/** Index tokens of an appeal: how later appeals find it without scanning the window. */
import { cellOf, cellsAround } from './geo.ts'
import { TOPIC_BY_CODE } from './topics.ts'
import { idf, type TermStats } from './term-weights.ts'
import type { AppealFeatures } from './types.ts'

/** Rare words an appeal is filed and looked up under: the problem in other words still meets. */
export const WORD_TOKENS = 4

/**
 * Every appeal about a shared problem (not a personal case, not a praise, not a generic question)
 * is filed by its problem too: a resident without water who says only "外面主管道破了" finds the
 * burst reported from the road that morning, and the same problem named at the estate, at the road
 * it is on, or only pinned, still meets (the newest `perToken` of each problem are read, so a busy
 * problem costs no more).
 */
function problemTokens(f: AppealFeatures): string[] {
  if (f.generic) return []
  return f.topics.filter((t) => TOPIC_BY_CODE.get(t)?.personal !== true && t !== 'praise').map((t) => `t:${t}`)
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
    ...(f.landmarks ?? []).map((s) => `n:${s}`),
    ...problemTokens(f),
  ]
}

/** Words an appeal is filed under: its rarest as the window stood at its link (new words first). */
export function wordWriteTokens(f: AppealFeatures, k = WORD_TOKENS): string[] {
  const w = f.words ?? []
  const weights = f.wordW ?? []
  return w
    .map((t, i) => ({ t, v: weights[i] ?? 0, i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, k)
    .map(({ t }) => `w:${t}`)
}

/** Words to look up: the rarest that some appeal in the window used (a word nobody used finds nobody). */
export function wordQueryTokens(f: AppealFeatures, stats: TermStats, k = WORD_TOKENS): string[] {
  return (f.words ?? [])
    .filter((t) => (stats.df.get(t) ?? 0) > 0)
    .map((t, i) => ({ t, v: idf(stats, t), i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, k)
    .map(({ t }) => `w:${t}`)
}

/** Senses of the problem an appeal is filed and looked up under (problem-senses.ts). */
export const SENSE_TOKENS = 2

/**
 * The coarse kinds of its problem: a pin-only report ("路口漏水") and one that names the
 * intersection share no place token, and often no word. Generic questions are not filed: they
 * never join anyone. Looked up in the second read, newest few only: a hint, not a scan.
 */
export function senseTokens(f: AppealFeatures): string[] {
  if (f.generic) return []
  return (f.senses ?? []).slice(0, SENSE_TOKENS).map((s) => `k:${s}`)
}

/** Tokens this appeal is stored under. */
export function writeTokens(f: AppealFeatures): string[] {
  const t = [...placeTokens(f), ...senseTokens(f)]
  if (f.lat !== undefined && f.lng !== undefined) t.push(`g:${cellOf(f.lat, f.lng)}`)
  return [...new Set(t)]
}

/**
 * Names are filed as compounds or roads (s:), businesses (e:) or spoken names (n:) depending on
 * how they were said (建材城, 建材市场, 建材那边): a name is also looked up under the other two
 * (second read, fewer each: the form it was said in is read in full).
 */
export function nameTokens(f: AppealFeatures): string[] {
  const p = f.places
  const names = [...p.stems, ...p.compounds, ...p.entities.filter((e) => !e.includes(':') && !/\d/u.test(e)), ...(f.landmarks ?? [])]
  return [...new Set(names)].flatMap((k) => [`s:${k}`, `e:${k}`, `n:${k}`])
}

/** Tokens to look up for candidates: the same, with the neighbouring geo cells. */
export function queryTokens(f: AppealFeatures): string[] {
  const t = placeTokens(f)
  if (f.lat !== undefined && f.lng !== undefined) for (const c of cellsAround(f.lat, f.lng)) t.push(`g:${c}`)
  return [...new Set(t)]
}
