/**
 * Finds agreed keywords in an appeal's text as whole words: the text is cut by jieba (with every
 * keyword added to its dictionary) and a keyword counts only where it starts a word and ends one, or
 * opens a longer word (昏迷 in 昏迷不醒). So 被困 is not found in 我被困扰很久了, nor 起火 in 一起火锅店.
 * A keyword right after a negation (没有人受伤, 不是火灾) does not count either.
 */
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'

/** Words that deny what follows within the same clause. */
const NEGATORS = new Set(['没有', '没', '没人', '无', '无人', '未', '并未', '未曾', '不是', '并非', '并没有'])
/** Tokens a negation looks back over (没有/造成/人员/受伤 is still denied). */
const NEGATION_REACH = 3
const PUNCTUATION = /^[\s，。！？；、,.!?;:：…“”"'（）()]+$/u
/** The dictionary weight given to keywords: high enough that jieba cuts around them. */
const KEYWORD_FREQ = 20000

let jieba: Jieba | undefined
const known = new Set<string>()

/** The dictionary takes ~0.15 s and ~37 MB: once per process, on the first suggestion. */
function segmenter(words: Iterable<string>): Jieba {
  jieba ??= Jieba.withDict(dict)
  const fresh = [...words].filter((w) => !known.has(w))
  if (fresh.length > 0) {
    jieba.loadDict(Buffer.from(fresh.map((w) => `${w} ${KEYWORD_FREQ}`).join('\n')))
    for (const w of fresh) known.add(w)
  }
  return jieba
}

export interface Segmented {
  text: string
  tokens: string[]
  /** Character offset where each token starts. */
  offsets: number[]
}

/** Cuts `text` with the keywords known as words. */
export function segment(text: string, keywords: Iterable<string>): Segmented {
  const tokens = segmenter(keywords).cut(text, true)
  const offsets: number[] = []
  let at = 0
  for (const t of tokens) {
    offsets.push(at)
    at += t.length
  }
  return { text, tokens, offsets }
}

export interface KeywordHit {
  keyword: string
  /** Character offset in the text. */
  at: number
}

/** Occurrences of `keyword` that stand as words and are not denied. */
export function findKeyword(seg: Segmented, keyword: string): KeywordHit[] {
  const hits: KeywordHit[] = []
  const startIndex = new Map(seg.offsets.map((o, i) => [o, i]))
  for (let from = seg.text.indexOf(keyword); from !== -1; from = seg.text.indexOf(keyword, from + 1)) {
    const i = startIndex.get(from)
    if (i === undefined) continue
    const end = from + keyword.length
    const endsWord = startIndex.has(end) || end === seg.text.length
    const opensWord = seg.tokens[i].length >= keyword.length
    if (!endsWord && !opensWord) continue
    if (denied(seg, i)) continue
    hits.push({ keyword, at: from })
  }
  return hits
}

function denied(seg: Segmented, index: number): boolean {
  for (let j = index - 1; j >= 0 && j >= index - NEGATION_REACH; j--) {
    const t = seg.tokens[j]
    if (PUNCTUATION.test(t)) return false
    if (NEGATORS.has(t)) return true
  }
  return false
}
