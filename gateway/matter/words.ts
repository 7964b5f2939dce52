/**
 * Content terms of an appeal for learned term weights: words from jieba's segmentation (its own
 * dictionary and HMM for words it does not know, such as dialect 一挂) keyed by sound, so an ASR
 * slip (专场 for 砖厂, 暖器 for 暖气) is the same term, and character bigrams, which still match
 * when segmentation cuts a new name differently. Function words are dropped by jieba's part-of-speech
 * tags (pronouns, particles, conjunctions, prepositions, adverbs, interjections, numerals), not
 * by a hand list; how much a word counts is learned from the window (term-weights.ts).
 */
import { soundKey } from './pinyin-key.ts'
import { sensesOf } from './problem-senses.ts'
import { segmenter } from './segmenter.ts'
import { compact } from './text-normalize.ts'

/** jieba tags without content: r pronoun, u* particle, c conjunction, p preposition, d adverb,
 * e interjection, y modal, o onomatopoeia, m numeral, q measure word, zg, x punctuation. */
const FUNCTION_TAG = /^(?:r|u|c|p|d|e|y|o|m|q|zg|w)/u
const HAN = /^\p{Script=Han}+$/u

/** Nouns that say what kind of place the word before them names (丽水|小区, 金桥|菜市场, 柳湾|小学). */
const KINDS = '小区|花园|家园|家属院|公寓|大厦|新村|一村|二村|三村|村|社区|路|街|大道|巷|市场|菜市场|农贸市场|夜市|超市|商场|广场|公园|医院|院区|小学|中学|学校|幼儿园|工地|项目|立交|大桥|桥|车站|站|加油站|厂|公司|城|山庄'
const PLACE_KIND = new RegExp(`^(?:${KINDS})$`, 'u')
const NUMBERED_KIND = /^[一二三四五六七八九十\d]+(?:村|期|队|组|社|街区)$/u
/** One word that is a name and its kind (建材市场, 滨河路, 建材城): the name is what comes before. */
const NAME_AND_KIND = new RegExp(`^(\\p{Script=Han}{2,})(?:${KINDS})$`, 'u')
const MAX_LANDMARKS = 4
/** Tags no name carries before a kind of place: directions (后面), places (楼下), times, verbs, adjectives. */
const NOT_NAME_TAG = /^(?:f|s|t|v|vd|a|ad)$/u

/** Terms kept per appeal: the request is at the start, and storage stays small. */
export const MAX_WORDS = 24
export const MAX_GRAMS = 60
export const MAX_CHARS = 40
const SPAN = 160

export interface Terms {
  /** Sound keys of content words ('w' + pinyin), in order of first use, unique. */
  words: string[]
  /** Character bigrams of the Han text ('g' + two characters), unique. */
  grams: string[]
  /** Characters of the content words, names of places left out ('c' + character): 水, 黄, 浑 say
   * what the problem is when two callers share no word. */
  chars: string[]
  /** Sound keys of names spoken as places: a proper name followed by a kind of place (欧尚|超市,
   * 丽水|湾|小区) or tagged as a place or organisation by jieba (ns, nt). */
  landmarks: string[]
  /** Coarse kinds of problem the text describes (problem-senses.ts), names of places left out. */
  senses: string[]
}

/**
 * Terms of a normalised text (text-normalize.ts: fillers, dialect and known slips already mapped).
 * `problemFrom`: where this appeal's own problem starts, as an index into the compact text
 * (text-normalize.ts `compact`) — what a caller says before "今天不是工地那个事" gives no sense.
 */
export function termsOf(normalized: string, address = '', problemFrom = 0): Terms {
  const text = normalized.slice(0, SPAN)
  const words: string[] = []
  const landmarks = landmarksOf(address)
  const tagged = segmenter().tag(text, true)
  const names = namesIn(tagged)
  for (const name of names) if (landmarks.length < MAX_LANDMARKS && !landmarks.includes(name)) landmarks.push(name)
  const chars: string[] = []
  // The text with the names of places cut out, for the problem's senses (丽水湾 is no water problem).
  let problemText = ''
  let compactAt = 0
  for (const { word, tag } of tagged) {
    const han = HAN.test(word)
    const sound = han ? soundKey(word) : ''
    const place = PLACE_KIND.test(word) || (han && names.includes(sound))
    if (compactAt >= problemFrom) problemText += place ? '|' : word
    else compactAt += compact(word).length
    if (!han || FUNCTION_TAG.test(tag)) continue
    if (!place) for (const ch of word) if (chars.length < MAX_CHARS && !chars.includes(`c${ch}`)) chars.push(`c${ch}`)
    // Single characters are covered by the bigrams; x is a word the HMM found (dialect, a new name).
    if (word.length < 2) continue
    const key = `w${sound}`
    if (words.length < MAX_WORDS && !words.includes(key)) words.push(key)
  }
  const grams: string[] = []
  const han = text.replace(/[^\p{Script=Han}]+/gu, ' ')
  for (const run of han.split(' ')) {
    for (let i = 0; i + 1 < run.length && grams.length < MAX_GRAMS; i++) {
      const g = `g${run.slice(i, i + 2)}`
      if (!grams.includes(g)) grams.push(g)
    }
  }
  return { words, grams, chars, landmarks, senses: sensesOf(problemText) }
}

/** Names spoken as places in a tagged text (sound keys, in order). */
function namesIn(tagged: { word: string; tag: string }[], inAddress = false): string[] {
  const out: string[] = []
  for (let i = 0; i < tagged.length; i++) {
    const { word: said, tag } = tagged[i]!
    // 雁北|区瑞祥|花园: jieba joins the district's 区 to the name after it.
    const word = ADMIN_LEAD.test(said) ? said.slice(1) : said
    if (word.length < 2 || !HAN.test(word) || PLACE_KIND.test(word) || FUNCTION_TAG.test(tag) || NOT_NAME_TAG.test(tag)) continue
    // A district (红山区, 榆中|区) is a district, not a landmark (address.ts reads districts).
    if (/[区县]$/u.test(word) || /^(?:[区县]|市$)/u.test(tagged[i + 1]?.word ?? '')) continue
    const joined = NAME_AND_KIND.exec(word)
    if (joined) {
      out.push(soundKey(joined[1]!))
      continue
    }
    // The kind may follow one short word (丽水|湾|小区, 东岗|夜市, 石门|一村).
    const next = tagged[i + 1]?.word ?? ''
    const after = tagged[i + 2]?.word ?? ''
    const kind = PLACE_KIND.test(next) || (next.length === 1 && PLACE_KIND.test(after))
    // 石门|一村 and 石门|二村 are two villages: a numbered kind stays part of the name.
    if (NUMBERED_KIND.test(next)) out.push(soundKey(word + next))
    else if (kind) out.push(soundKey(word))
    else if ((tag === 'ns' || tag === 'nt') && (inAddress || saidAsPlace(tagged, i)) && !RELATIVE_PLACE.test(word)) out.push(soundKey(word))
  }
  return [...new Set(out)]
}

/**
 * jieba tags many everyday words as places (礼拜, 东西, 天冷, 大街, 壶底 are ns in its dictionary):
 * in the text, a word so tagged is a name only where it is said as a place — after 在/到/去/住/靠
 * or 我们/那个, or before 那边/附近/门口/旁边/一带 (在兴隆那边, 我们滨河这一片). In the address
 * field every word is about a place.
 */
function saidAsPlace(tagged: { word: string; tag: string }[], i: number): boolean {
  const before = tagged[i - 1]?.word ?? ''
  const after = tagged[i + 1]?.word ?? ''
  return BEFORE_PLACE.test(before) || AFTER_PLACE.test(after)
}
const BEFORE_PLACE = /^(?:在|到|去|住|靠|往|从|近|我们|咱们|那个|这个|就是|是|那|这)$/u
const AFTER_PLACE = /^(?:那边|这边|那儿|这儿|那块|这块|那片|这片|那一片|这一片|附近|旁边|边上|门口|对面|一带|周边|片区|路口|口子|那里|这里|东边|西边|南边|北边|楼上|楼下|后面|前面|里面|村)$/u
/** 雁北|区瑞祥|花园: a district's last character jieba joined to the name after it. */
const ADMIN_LEAD = /^[区县镇]\p{Script=Han}{2,}$/u
/** 北门, 东侧, 南边: where at some place, not which place. */
const RELATIVE_PLACE = /^[东西南北前后][门侧边面头]$/u

function landmarksOf(address: string): string[] {
  if (!address) return []
  return namesIn(segmenter().tag(address.slice(0, 60), true), true).slice(0, MAX_LANDMARKS)
}
