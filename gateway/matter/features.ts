/** From an Appeal to the features the scorer compares: the only place that reads raw appeal text. */
import type { Appeal } from '../domain/appeal.ts'
import { extractPlaces, hasPlace, mergePlaces, nameMentions } from './address.ts'
import { validLatLng } from './geo.ts'
import { citizenIds, quotedPhones } from './identity.ts'
import { syllables } from './pinyin-key.ts'
import { detectTopics, OTHER_MATTER, TOPIC_BY_CODE } from './topics.ts'
import { compact, normalizeText } from './text-normalize.ts'
import type { AppealFeatures } from './types.ts'
import { termsOf } from './words.ts'

/** Texts longer than this are cut: the request is at the start, and scoring stays cheap. */
const MAX_CHARS = 600
const MAX_SOUND = 200

/** Words that put a problem on the whole compound / area, not on one building. */
const AREA_WIDE = /全小区|整个小区|整个村|全村|好几栋|好几个楼|各楼|一片|周边小区|整片|附近小区|几个小区|好几个小区/u

/** Clauses that ask for something: 能不能…, 请…, 希望…, 帮忙…, 赶紧…, 督促…. */
const REQUEST = /能不能|能否|可不可以|请|希望|麻烦|帮忙|帮我|赶紧|尽快|督促|要求|让.{0,6}修/u

/**
 * Rule 8: an appeal belongs to what it asks for; what it mentions as context does not count.
 * When a clause that asks for something names a problem and the first-mentioned problem is not
 * in that clause ("电梯坏了这几天，楼道灯也不亮，能不能让物业把楼道灯修一下"), the asked-for one
 * comes first. Two things asked in one clause keep their order (heating + stair lights -> heating).
 */
function requestFirst(topics: string[], normalized: string): string[] {
  if (topics.length < 2) return topics
  for (const clause of normalized.split(' ')) {
    if (!REQUEST.test(clause)) continue
    const asked = detectTopics(compact(clause))
    if (asked.length === 0 || TOPIC_BY_CODE.get(asked[0]!)?.remedy) continue
    if (asked.includes(topics[0]!) || !topics.includes(asked[0]!)) return topics
    return [asked[0]!, ...topics.filter((t) => t !== asked[0])]
  }
  return topics
}

/** Clauses that guess ("是不是哪里爆管了", "会不会是停电了"): a guessed cause is no context. */
const GUESS = /是不是|是否|会不会|莫非|难道|该不会/u

/**
 * Drops the secondary problems named only in a guess: "碧桂园停水了，是不是哪里爆管了" is a water
 * cut whose cause the caller does not know, not a report that names a burst main as its cause.
 */
function dropGuesses(topics: string[], normalized: string): string[] {
  if (topics.length < 2 || !GUESS.test(normalized)) return topics
  const firm = compact(normalized.split(' ').filter((c) => !GUESS.test(c)).join(' '))
  const stated = detectTopics(firm)
  return topics.filter((t, i) => i === 0 || stated.includes(t))
}

/** Terms with zero weights: the linker weighs them against the window before scoring. */
function termsOfAppeal(content: string, address: string, problemFrom: number): Pick<AppealFeatures, 'words' | 'wordW' | 'grams' | 'gramW' | 'chars' | 'charW' | 'landmarks' | 'senses'> {
  const t = termsOf(content, address, problemFrom)
  const zero = (l: string[]) => l.map(() => 0)
  return { words: t.words, wordW: zero(t.words), grams: t.grams, gramW: zero(t.grams), chars: t.chars, charW: zero(t.chars), landmarks: t.landmarks, senses: t.senses }
}

export function extractFeatures(appeal: Appeal): AppealFeatures {
  return readAppeal(appeal).features
}

/**
 * A call taken by the gateway carries our own placeholder text until the agent writes the summary:
 * it says nothing of the matter, and every call would share it. Such a call links by the caller's
 * number (identity) alone, and again on the summary at completion (MatterLinker.relink). Voice
 * records imported with a transcript have no `call` and are read like written appeals.
 */
export function placeholderText(appeal: Pick<Appeal, 'channel' | 'call'>): boolean {
  return appeal.channel === 'voice' && Boolean(appeal.call)
}

/**
 * Features, and for an appeal that names no place the sound keys of the words that might be a
 * bare name (恒泰, 力美) — resolved against the index by the linker, never stored as such.
 * `summary`: the agent's summary of a call, read instead of its placeholder text.
 */
export function readAppeal(appeal: Appeal, summary?: string): { features: AppealFeatures; mentions: string[] } {
  const said = summary ?? (placeholderText(appeal) ? '' : String(appeal.content ?? ''))
  const content = normalizeText(said.slice(0, MAX_CHARS * 2)).slice(0, MAX_CHARS)
  const address = normalizeText(appeal.location?.address ?? '')
  const addrPlaces = extractPlaces(address)
  const places = mergePlaces(addrPlaces, extractPlaces(content))
  const text = compact(content)
  const syl = syllables(text)
  // A bus route named ("35路怎么不走滨河路了") is the bus context some problems need.
  const busText = places.routes.length > 0 && !text.includes('公交')
  const topics = dropGuesses(
    requestFirst(
      detectTopics(busText ? `${text}公交` : text, busText ? [...syl, 'gong', 'jiao'] : syl, appeal.category === '表扬'),
      content,
    ),
    content,
  )
  const home =
    places.compounds.length && places.buildings.length
      ? `${places.compounds[0]}:${places.buildings.join('.')}:${places.units.join('.')}`
      : undefined
  const citizen = citizenIds(appeal, quotedPhones(content), home)
  const lat = appeal.location?.lat
  const lng = appeal.location?.lng
  const pinned = validLatLng(lat, lng)
  // "今天不是工地那个事，是物业…": what comes before is the matter raised before, not this one (rule 5).
  const other = OTHER_MATTER.exec(text)
  const terms = termsOfAppeal(content, address, other ? other.index + other[0].length : 0)
  // A question with no incident behind it: only personal topics, or no topic and no sense of a
  // problem at all ("驾驶证到期换证需要体检吗"). An untagged complaint ("楼上的狗又叫了一晚上")
  // describes something happening somewhere, even when it does not say where.
  const personalOnly =
    topics.length === 0 ? (terms.senses ?? []).length === 0 : topics.every((t) => TOPIC_BY_CODE.get(t)?.personal)
  const generic = !pinned && !hasPlace(places) && (terms.landmarks ?? []).length === 0 && personalOnly
  const features: AppealFeatures = {
    id: appeal.id,
    number: appeal.appealNumber,
    at: Date.parse(appeal.receivedAt),
    channel: appeal.channel,
    ...(appeal.category ? { category: appeal.category } : {}),
    citizen,
    places,
    addrPlaces,
    ...(pinned ? { lat: lat as number, lng: lng as number } : {}),
    topics,
    // The request is at the start; a long letter's tail adds storage and scoring time, little signal.
    sound: syl.slice(0, MAX_SOUND).join(' '),
    areaWide: AREA_WIDE.test(text),
    generic,
    ...(other ? { otherMatter: true } : {}),
    ...terms,
  }
  const mentions = !pinned && !hasPlace(places) && !generic ? nameMentions(text) : []
  return { features, mentions }
}
