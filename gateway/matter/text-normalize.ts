/**
 * Chinese text normalisation for matching: what two citizens wrote about one problem should look
 * alike after this, whatever the channel (ASR transcript, web form, WeChat message).
 * Pure functions; the OpenCC converter is built once at import (in-memory tables, no I/O).
 */
import * as OpenCC from 'opencc-js'

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' })

/** Fillers of spoken Chinese that carry no meaning (ASR keeps them). Longest first. */
const FILLERS = ['就是说', '那什么', '怎么说呢', '你好', '您好', '喂', '嗯', '呃', '啊呀', '哎呀', '那个']

/**
 * Northwest dialect words (the city's callers) mapped to Mandarin. Only multi-character or
 * unambiguous forms: a single 撒 is also the verb "to spill", so 撒 becomes 啥 only in questions.
 */
const DIALECT: [RegExp, string][] = [
  [/阿门/g, '怎么'],
  [/嫑/g, '不要'],
  [/尕娃/g, '小孩'],
  [/一搭里/g, '一起'],
  [/一挂/g, '全部'],
  [/干撒/g, '干啥'],
  [/做撒/g, '做啥'],
  [/为撒/g, '为啥'],
  [/咋/g, '怎么'],
]

/**
 * ASR slips of this hotline's transcripts for two-character words (longer words are matched by
 * sound in topics.ts): only pairs whose wrong side is not itself a common word here.
 */
const ASR_SLIPS: [RegExp, string][] = [
  [/反应/g, '反映'],
  [/头诉/g, '投诉'],
  [/暖器/g, '暖气'],
  [/无业(?!人员|游民)/g, '物业'],
  [/高价(?=桥|路)/g, '高架'],
  [/拉基/g, '垃圾'],
  [/绕民/g, '扰民'],
  [/脱欠/g, '拖欠'],
  [/通到/g, '通道'],
  // 坑 is also "to cheat" (被坑了, 坑人): not a pothole.
  [/被坑|坑人|坑钱|坑了我/g, '被骗'],
]

const CN_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }

/** 二十三 -> 23, 八 -> 8, 一百零二 -> 102; undefined when it is not a plain numeral. */
export function chineseNumber(s: string): number | undefined {
  if (!/^[零〇一二两三四五六七八九十百]+$/.test(s)) return undefined
  let total = 0
  let current = 0
  for (const ch of s) {
    if (ch === '百') {
      total += (current || 1) * 100
      current = 0
    } else if (ch === '十') {
      total += (current || 1) * 10
      current = 0
    } else {
      current = current * (s.includes('十') || s.includes('百') ? 1 : 10) + (CN_DIGIT[ch] ?? 0)
    }
  }
  return total + current
}

/** What follows 三小 when it is a primary school (三小门口, 三小的老师), not 三小时 or 一小块. */
export const PRIMARY_AFTER = '门|那|的|旁|附近|周边|一带|学生|娃|老师|教|家长|读|上学|校|操场|让|要|收|\\s|$'
const PRIMARY_SPOKEN = new RegExp(`(?<=^|[^\\p{Script=Han}]|[在到去是的市说个路街区])([一二三四五六七八九十]{1,2})小(?=${PRIMARY_AFTER})`, 'gu')

/** Chinese numerals that count buildings, units, floors and bus routes become digits. */
function numeralsToDigits(s: string): string {
  return s
    .replace(/([零〇一二两三四五六七八九十百]{1,4})(?=号楼|栋|幢|单元|层|号院|路公交|路车|路的末班|路末班|路公共汽车)/g, (m) => {
      const n = chineseNumber(m)
      return n === undefined ? m : String(n)
    })
    // Bus routes said in words: 二十三路晚上最后一趟, 十二路的司机 — only where what follows is a
    // bus's (五一路, 八一路 are roads; 一路 alone is "all the way").
    .replace(/(?<![一二两三四五六七八九十百零〇\d])([两三四五六七八九十]|[一二两三四五六七八九十百]{2,4})路(?=公交|车|末班|大巴|司机|的司机|的末班|的公交|最后一|晚上最后|晚上末班|早收|收车|发车)/gu, (m, n: string) => {
      const v = chineseNumber(n)
      return v === undefined ? m : `${v}路`
    })
    // A one-numeral route before what only a bus does (九路晚上的车, 九路又早收了); 五一路晚上的车 is a road's traffic.
    .replace(/(?<![一二两三四五六七八九十百零〇\d])([两三四五六七八九])路(?=晚上的车|晚上没车|又早|又没车)/gu, (_m, n: string) => `${chineseNumber(n)}路`)
    .replace(/第([一二三四五六七八九十]{1,3})中学/g, (_m, n: string) => `${chineseNumber(n) ?? n}中`)
    .replace(/第(\d{1,2})中学/g, '$1中')
    // Primary schools too: 第三小学 = 第三实验小学 = 三小 (not 三小时, 同一小区, 一小块).
    .replace(/第([一二三四五六七八九十]{1,3}|\d{1,2})(?:实验)?小学/g, (_m, n: string) => `${chineseNumber(n) ?? n}小`)
    .replace(PRIMARY_SPOKEN, (_m, n: string) =>
      `${chineseNumber(n) ?? n}小`,
    )
    // Hospitals are known by number: 第三人民医院 = 市三院 = 三院.
    .replace(/第([一二三四五六七八九十]{1,3}|\d{1,2})(?:人民)?医院/g, (_m, n: string) => `${chineseNumber(n) ?? n}院`)
    .replace(/(?<=^|[^\p{Script=Han}]|[在到去是的市])([一二三四五六七八九十]{1,2})院(?=新院区|院区|新院|工地|项目|那|的|\s|$)/gu, (_m, n: string) =>
      `${chineseNumber(n) ?? n}院`,
    )
    .replace(/(?<=^|[^\p{Script=Han}]|[在到去是的市说个路街区])([一二三四五六七八九十]{1,2})中(?=新校区|新学校|新校|校区|那|的|工地|项目|\s|$)/gu, (m, n: string) =>
      `${chineseNumber(n) ?? n}中`,
    )
}

const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}\u{20E3}]/gu

/**
 * Normalised text keeping punctuation as plain separators (place and number parsing need them):
 * NFKC (full-width digits, letters, punctuation -> half-width), traditional -> simplified,
 * emoji removed, fillers removed, dialect words mapped, numerals of buildings/routes as digits.
 */
export function normalizeText(raw: string | null | undefined): string {
  if (!raw) return ''
  let s = raw.normalize('NFKC')
  s = toSimplified(s)
  s = s.replace(EMOJI, '')
  s = s.toLowerCase()
  // Chinese punctuation that NFKC keeps: unify to one separator so regexes see word borders.
  s = s.replace(/[，。、；：？！“”‘’（）《》【】…—·~～\s,.;:?!"'()\[\]<>|\\/_*#@+=^`{}]+/g, ' ')
  for (const f of FILLERS) s = s.replaceAll(f, ' ')
  for (const [re, to] of DIALECT) s = s.replace(re, to)
  for (const [re, to] of ASR_SLIPS) s = s.replace(re, to)
  s = numeralsToDigits(s)
  return s.replace(/ {2,}/g, ' ').trim()
}

/** The text with every separator removed: the form compared for similarity. */
export function compact(normalized: string): string {
  return normalized.replace(/[^\p{Script=Han}a-z0-9]/gu, '')
}
