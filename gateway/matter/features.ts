/** From an Appeal to the features the scorer compares: the only place that reads raw appeal text. */
import type { Appeal } from '../domain/appeal.ts'
import { extractPlaces, hasPlace, mergePlaces } from './address.ts'
import { validLatLng } from './geo.ts'
import { citizenIds, quotedPhones } from './identity.ts'
import { syllables } from './pinyin-key.ts'
import { detectTopics, TOPIC_BY_CODE } from './topics.ts'
import { compact, normalizeText } from './text-normalize.ts'
import type { AppealFeatures } from './types.ts'

/** Texts longer than this are cut: the request is at the start, and scoring stays cheap. */
const MAX_CHARS = 600
const MAX_SOUND = 200

/** Words that put a problem on the whole compound / area, not on one building. */
const AREA_WIDE = /全小区|整个小区|整个村|全村|好几栋|好几个楼|各楼|一片|周边小区|整片|附近小区|几个小区|好几个小区/u

export function extractFeatures(appeal: Appeal): AppealFeatures {
  const content = normalizeText(String(appeal.content ?? '').slice(0, MAX_CHARS * 2)).slice(0, MAX_CHARS)
  const address = normalizeText(appeal.location?.address ?? '')
  const addrPlaces = extractPlaces(address)
  const places = mergePlaces(addrPlaces, extractPlaces(content))
  const text = compact(content)
  const syl = syllables(text)
  const topics = detectTopics(text, syl, appeal.category === '表扬')
  const home =
    places.compounds.length && places.buildings.length
      ? `${places.compounds[0]}:${places.buildings.join('.')}:${places.units.join('.')}`
      : undefined
  const citizen = citizenIds(appeal, quotedPhones(content), home)
  const lat = appeal.location?.lat
  const lng = appeal.location?.lng
  const pinned = validLatLng(lat, lng)
  const personalOnly = topics.length === 0 || topics.every((t) => TOPIC_BY_CODE.get(t)?.personal)
  const generic = !pinned && !hasPlace(places) && personalOnly
  return {
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
  }
}
