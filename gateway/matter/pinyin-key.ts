/**
 * Toneless pinyin: ASR and hurried typing swap characters that sound alike (反应/反映, 暖器/暖气,
 * 锦秀/锦绣, 红流/红柳, 拉基/垃圾). Comparing by sound makes those the same.
 */
import { pinyin } from 'pinyin-pro'

/** One syllable per Han character; other characters (digits, letters) stay as they are. */
export function syllables(text: string): string[] {
  if (!text) return []
  return pinyin(text, { toneType: 'none', type: 'array', v: true }).map((s) => s.toLowerCase())
}

/** Place stems repeat all day long: their sound is remembered (bounded, oldest dropped). */
const SOUND_MEMO = new Map<string, string>()
const SOUND_MEMO_SIZE = 50_000

/** A place or keyword as its sound: 锦秀华庭 and 锦绣华庭 both give 'jinxiuhuating'. */
export function soundKey(text: string): string {
  let key = SOUND_MEMO.get(text)
  if (key === undefined) {
    key = syllables(text).join('')
    if (SOUND_MEMO.size >= SOUND_MEMO_SIZE) SOUND_MEMO.delete(SOUND_MEMO.keys().next().value!)
    SOUND_MEMO.set(text, key)
  }
  return key
}

/** Syllable string with separators, for searching keywords by sound: ' jin xiu hua ting '. */
export function soundLine(text: string): string {
  return ` ${syllables(text).join(' ')} `
}
