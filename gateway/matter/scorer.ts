/**
 * Scores whether two appeals are one matter. Signals: the citizen, the place (compound, building,
 * intersection, road, named business, bus route, pin distance, places seen together before), the
 * problem (topic of the lexicon, coarse senses), the wording (sound, learned word and bigram
 * weights) and time, weighed by the
 * fitted model (merge-model.ts). Hard conflicts keep apart what only looks alike: another
 * district, another building, another intersection, another bus route, another plate, pins far
 * apart, another kind of shop, or an incident (burst main) days over.
 * Rules (dataset README): one problem at one place is one matter whoever reports it; the same place
 * with another problem, the same problem at another place, and the same citizen with another
 * problem are not; consultations with no place never join other citizens; a report whose place
 * cannot be compared (a pin only, or no place) joins nobody when the kind was reported at several
 * other places that week (AMBIGUOUS_RIVALS), or when two matters fit it (linker.ts).
 */
import type { Places } from './address.ts'
import { distanceMeters } from './geo.ts'
import { sameCitizen } from './identity.ts'
import { dice, soundBigrams } from './text-similarity.ts'
import { TOPIC_BY_CODE } from './topics.ts'
import type { AppealFeatures, ReasonCode } from './types.ts'
import { mergeModel, probability } from './merge-model.ts'
import { pairVector } from './pair-features.ts'
import { seenTogether } from './place-graph.ts'
import { cosine, rarestShared, type TermStats } from './term-weights.ts'
import { senseOverlap } from './problem-senses.ts'

/** What the window says around a new appeal: term statistics and the places its places were seen with. */
export interface PairContext {
  stats: TermStats
  near: Set<string>
}
const NO_CONTEXT: PairContext = { stats: { n: 0, df: new Map() }, near: new Set() }

export interface PairScore {
  score: number
  reasons: ReasonCode[]
  /** The scorer's decision: the two belong to one matter. */
  same: boolean
  sameCitizen: boolean
  /** Something says these are two matters (another building, problem, intersection, incident ...). */
  conflict: boolean
  /** Same primary problem (not only related). */
  sameProblem: boolean
  /** The model's input, when no rule vetoed the pair (the trainer reads it). */
  x?: number[]
  /** Another place for sure (district, building, intersection, route, plate, kind of shop, pins far apart, another home compound). */
  placeConflict: boolean
  /** The rule that kept the pair apart before the model was asked (misses.ts prints it). */
  veto?: string
  /** The caller's own appeal beside a call with no text yet: linked by the number, not weighed. */
  repeat?: boolean
  /** Their places cannot be compared: one names no place, or one has only a pin and the other only names. */
  unplaced: boolean
}

/** Place distances (the weights of everything are fitted: merge-model.json). */
export const SCORING = {
  /** Pins further apart than this are two places. */
  farMeters: 1500,
  nearMeters: 250,
  midMeters: 600,
} as const

const DAY_MS = 86_400_000

const shared = <T>(a: T[], b: T[]) => a.some((x) => b.includes(x))
const bothAndDisjoint = <T>(a: T[], b: T[]) => a.length > 0 && b.length > 0 && !shared(a, b)

interface PlaceMatch {
  value: number
  reasons: ReasonCode[]
  hardConflict: boolean
  softConflict: boolean
  /** Each names a road or compound the other does not: two sites, even of one firm. */
  otherSite: boolean
  /** Each puts the problem in its own home compound and names the other's only in passing. */
  twoHomes: boolean
  distance: number | undefined
}

function scopeOf(f: AppealFeatures): 'building' | 'unit' | undefined {
  if (f.topics.length === 0) return undefined
  return TOPIC_BY_CODE.get(f.topics[0]!)?.scope
}

/** Both are pinned, further apart than two reports of one place ever are: two places for sure. */
export function pinsApart(a: AppealFeatures, b: AppealFeatures): boolean {
  return (pinDistance(a, b) ?? 0) > SCORING.farMeters
}

function pinDistance(a: AppealFeatures, b: AppealFeatures): number | undefined {
  if (a.lat === undefined || a.lng === undefined || b.lat === undefined || b.lng === undefined) return undefined
  return distanceMeters(a.lat, a.lng, b.lat, b.lng)
}

function placeMatch(a: AppealFeatures, b: AppealFeatures): PlaceMatch {
  const pa: Places = a.places
  const pb: Places = b.places
  const reasons: ReasonCode[] = []
  let value = 0
  const bump = (v: number, r: ReasonCode) => {
    if (v > value) value = v
    if (!reasons.includes(r)) reasons.push(r)
  }
  const distance = pinDistance(a, b)
  if (shared(pa.intersections, pb.intersections)) bump(1, 'same-intersection')
  // One employer or business at two different sites (roads/compounds that share nothing) is two
  // matters (the same labour firm owing wages on two projects): the name alone counts for less.
  const otherSite = bothAndDisjoint([...pa.roads, ...pa.compounds], [...pb.roads, ...pb.compounds])
  if (shared(pa.entities, pb.entities)) bump(otherSite ? 0.3 : 0.9, 'same-business')
  if (shared(pa.routes, pb.routes)) bump(0.9, 'same-route')
  // Each puts the problem in its own home compound (address field) and the text names the other's
  // only in passing ("红旗村的垃圾也没人拉，是不是跟红星村一个承包的"): two places (rule 4) — unless
  // the problem is heard from around its source (a site's noise reaches two compounds, rule 1).
  const twoHomes = bothAndDisjoint(homeOf(a), homeOf(b)) && !heardAround(a.topics) && !heardAround(b.topics)
  if (shared(pa.compounds, pb.compounds) && !twoHomes) {
    bump(0.85, 'same-place')
    if (shared(pa.buildings, pb.buildings)) bump(1, 'same-building')
  }
  if (distance !== undefined && distance <= SCORING.nearMeters) bump(0.85, 'nearby-pin')
  else if (distance !== undefined && distance <= SCORING.midMeters) bump(0.6, 'nearby-pin')
  if (shared(pa.roads, pb.roads)) bump(0.6, 'same-road')
  if (value < 0.4 && !twoHomes && shared(pa.stems, pb.stems)) bump(0.4, 'related-place')

  // Building numbers separate building-level problems only; area problems, whole-compound reports
  // and appeals whose problem is unknown (be careful: treat as building-level) keep them.
  const areaWide = a.areaWide || b.areaWide
  const sa = scopeOf(a)
  const sb = scopeOf(b)
  const buildingScoped = !areaWide && (sa !== undefined || sb !== undefined || a.topics.length === 0 || b.topics.length === 0)
  const unitScoped = !areaWide && (sa === 'unit' || sb === 'unit')
  const hardConflict =
    bothAndDisjoint(a.addrPlaces.districts, b.addrPlaces.districts) ||
    bothAndDisjoint(pa.districts, pb.districts) ||
    (distance !== undefined && distance > SCORING.farMeters) ||
    bothAndDisjoint(pa.routes, pb.routes) ||
    bothAndDisjoint(pa.plates, pb.plates) ||
    (buildingScoped && bothAndDisjoint(pa.buildings, pb.buildings)) ||
    (unitScoped && shared(pa.buildings, pb.buildings) && bothAndDisjoint(pa.units, pb.units)) ||
    bothAndDisjoint(pa.intersections, pb.intersections) ||
    (bothAndDisjoint(pa.shopKinds, pb.shopKinds) && !shared(pa.entities, pb.entities))
  // Two different compounds (or roads) with nothing else in common: probably two places.
  const softConflict =
    value >= 0.6 &&
    value < 0.85 &&
    (bothAndDisjoint(pa.compounds, pb.compounds) ||
      bothAndDisjoint(a.addrPlaces.roads, b.addrPlaces.roads) ||
      bothAndDisjoint(a.addrPlaces.compounds, b.addrPlaces.compounds))
  return { value, reasons, hardConflict, softConflict, otherSite, twoHomes, distance }
}

const CONTEXT_ONLY = 0.6

/** 1 same problem, 0.75 related, 0.5 overlapping, 0 different, undefined when a side has none. */
function topicMatch(a: string[], b: string[]): number | undefined {
  if (a.length === 0 || b.length === 0) return undefined
  const pa = a[0]!
  const pb = b[0]!
  if (pa === pb) return 1
  // A praise is its own matter whatever problem it mentions (rule 8).
  if (pa === 'praise' || pb === 'praise') return 0
  const fa = TOPIC_BY_CODE.get(pa)?.family
  const fb = TOPIC_BY_CODE.get(pb)?.family
  if (fa && fa === fb) return 0.75
  // One side's request is only context on the other side (rule 8): related, not the same.
  if (b.includes(pa) || a.includes(pb)) return CONTEXT_ONLY
  if (shared(a, b)) return 0.5
  return 0
}

/** Where the problem is: the compounds of the address field, else those of the text. */
function homeOf(f: AppealFeatures): string[] {
  return f.addrPlaces.compounds.length > 0 ? f.addrPlaces.compounds : f.places.compounds
}

/**
 * The rule of the labelling guide that keeps a pair apart before the model is asked, if any: another
 * place for sure, an incident days over, another matter in the caller's words, one firm at two
 * sites, a request that is only context, a praise beside something else; for different citizens
 * also a generic question, two places named with nothing shared, two home compounds with a
 * lasting problem, two personal cases, and places that cannot be compared when the kind of
 * problem was reported at several other places too.
 */
function vetoOf(p: {
  a: AppealFeatures
  b: AppealFeatures
  citizen: boolean
  hardConflict: boolean
  stale: boolean
  otherMatter: boolean
  firmTwoSites: boolean
  context: boolean
  apart: boolean
  /** Each puts a lasting (not acute) problem in its own home compound and names the other's only in passing. */
  twoHomes: boolean
  /** Places that cannot be compared, and several other places reported the same kind of problem. */
  ambiguous: boolean
}): string | undefined {
  if (p.hardConflict) return 'place-conflict'
  if (p.stale) return 'stale'
  if (p.otherMatter) return 'other-matter'
  if (p.firmTwoSites) return 'firm-two-sites'
  if (p.context) return 'context'
  if (praiseOfItsOwn(p.a.topics, p.b.topics)) return 'praise'
  if (p.citizen) return undefined
  if (p.a.generic || p.b.generic) return 'generic'
  if (p.apart) return 'apart'
  if (p.twoHomes) return 'two-homes'
  if (isPersonal(p.a.topics) && isPersonal(p.b.topics)) return 'personal'
  // Which of the places it is, is for an agent to say (as with two bursts that morning).
  if (p.ambiguous) return 'ambiguous'
  return undefined
}

/**
 * An appeal whose place cannot be compared with a candidate's (no place, or a pin beside a name)
 * is left for an agent to place when this many other places reported its kind of problem that
 * week (rivalPlaces in linker.ts); with fewer, the model weighs the count (feature `rivals`).
 * Chosen by cross-validation (train.ts): a veto at one rival cost the independent sets a tenth
 * of their recall at the same precision; at two to four the figures were level.
 */
export const AMBIGUOUS_RIVALS = 3

/** A praise is a matter of its own whatever problem it mentions (rule 8). */
function praiseOfItsOwn(a: string[], b: string[]): boolean {
  return (a[0] === 'praise') !== (b[0] === 'praise')
}

function heardAround(topics: string[]): boolean {
  return topics.length > 0 && TOPIC_BY_CODE.get(topics[0]!)?.heardAround === true
}

function acuteDays(topics: string[]): number | undefined {
  return topics.length ? TOPIC_BY_CODE.get(topics[0]!)?.acuteDays : undefined
}

function isPersonal(topics: string[]): boolean {
  return topics.length > 0 && TOPIC_BY_CODE.get(topics[0]!)?.personal === true
}

const bigramCache = new WeakMap<AppealFeatures, Set<string>>()
function bigramsOf(f: AppealFeatures): Set<string> {
  let s = bigramCache.get(f)
  if (!s) {
    s = soundBigrams(f.sound)
    bigramCache.set(f, s)
  }
  return s
}

/**
 * Scores appeal `a` (the new one) against an earlier appeal `b`: the fitted model's probability
 * that they are one matter, unless a rule of the labelling guide keeps them apart (vetoOf).
 * `rivals`: other places among the candidates where the same kind of problem was reported that
 * week (the linker counts them, `rivalPlaces` in linker.ts).
 */
export function scorePair(a: AppealFeatures, b: AppealFeatures, ctx: PairContext = NO_CONTEXT, rivals = 0): PairScore {
  const citizen = sameCitizen(a.citizen, b.citizen)
  const place = placeMatch(a, b)
  const topic = topicMatch(a.topics, b.topics)
  const gapDays = Math.abs(a.at - b.at) / DAY_MS
  const acute = acuteDays(a.topics) ?? acuteDays(b.topics)
  const stale = acute !== undefined && gapDays > acute
  const firmTwoSites = place.otherSite && shared(a.places.entities, b.places.entities) && place.value < 0.85
  const conflict = place.hardConflict || stale || topic === 0 || firmTwoSites
  const pinned = (f: AppealFeatures) => f.lat !== undefined && f.lng !== undefined
  const placeless = (!hasAnyPlace(a) && !pinned(a)) || (!hasAnyPlace(b) && !pinned(b))
  // Where the labelling guide says two appeals clearly differ, that stays a rule: another place
  // (hard conflict), an acute incident days over (rule 4), one firm at two sites (rule 4), the
  // same caller saying it is another matter (rule 5), one
  // side's request only context in the other (rule 8), and, for different citizens, generic
  // consultations, an appeal that names no place at all (no place, no name, no pin: nothing says
  // it is the same place, rule 1), two that each name a place and share none of it (rule 4), or
  // two personal cases (rule 6). The model weighs everything else.
  const context = topic === CONTEXT_ONLY
  const learned = seenTogether(ctx.near, b)
  const name = sameName(a, b) || sameName(b, a)
  // Both say where, and nothing of it is shared (no place, name, pin within reach, nor places seen
  // together before): perhaps the same problem at another place (rule 4), perhaps one place
  // named two ways (the estate and the road it is on). A pin beside a name says neither: nothing
  // on this machine turns a name into a point (no geocoder) until an appeal gives both.
  const pinVsName = !placeless && place.value === 0 && !name && !learned && ((pinOnly(a) && !pinned(b)) || (pinOnly(b) && !pinned(a)))
  const apart = !placeless && place.value === 0 && !name && !learned && !pinVsName
  const unplaced = placeless || pinVsName
  // The same caller saying "今天是另外一个事" about another problem (rule 5).
  const otherMatter = citizen && (a.otherMatter === true || b.otherMatter === true) && (topic === undefined || topic < 0.75)
  // Two home compounds and a lasting problem (garbage, heating, a leak): two places (rule 4). An
  // acute incident (a burst main, a power cut) reaches several compounds and stays for the model.
  const twoHomes = place.twoHomes && place.value < 0.6 && acute === undefined
  const veto = vetoOf({ a, b, citizen, hardConflict: place.hardConflict, stale, otherMatter, firmTwoSites, context, apart, twoHomes, ambiguous: unplaced && rivals >= AMBIGUOUS_RIVALS })
  const reasons: ReasonCode[] = []
  if (citizen) reasons.push('same-citizen')
  reasons.push(...place.reasons)
  if (topic === 1) reasons.push('same-problem')
  else if (topic !== undefined && topic >= 0.75) reasons.push('related-problem')
  // Two homes are another place for sure: the member counts against its matter (linker.ts).
  if (veto) return { score: 0, reasons, same: false, sameCitizen: citizen, conflict, sameProblem: topic === 1, placeConflict: place.hardConflict || twoHomes, veto, unplaced }

  const sound = dice(bigramsOf(a), bigramsOf(b))
  const words = cosine(a.words ?? [], a.wordW ?? [], b.words ?? [], b.wordW ?? [])
  const grams = cosine(a.grams ?? [], a.gramW ?? [], b.grams ?? [], b.gramW ?? [])
  const chars = cosine(a.chars ?? [], a.charW ?? [], b.chars ?? [], b.charW ?? [])
  if (sound >= 0.3 || words >= 0.3) reasons.push('similar-text')
  if (learned && place.value < 0.6 && !reasons.includes('related-place')) reasons.push('related-place')
  const x = pairVector({
    citizen,
    place: place.value,
    reasons,
    distance: place.distance,
    softConflict: place.softConflict,
    otherHome: place.twoHomes || firmTwoSites || (bothAndDisjoint(a.addrPlaces.compounds, b.addrPlaces.compounds) && place.value < 0.85),
    learned,
    name,
    placeless,
    apart,
    pinVsName,
    rivals,
    topic,
    sense: senseOverlap(a.senses, b.senses),
    firstSense: Boolean(a.senses?.length && a.senses[0] === b.senses?.[0]),
    stale,
    personal: isPersonal(a.topics) || isPersonal(b.topics),
    sound,
    words,
    grams,
    chars,
    rare: rarestShared(a, b, ctx.stats),
    gapDays,
  })
  const model = mergeModel()
  // A call not yet summarised says nothing but who calls: the caller's number links it (a repeat).
  const repeat = citizen && (a.sound === '' || b.sound === '')
  const p = repeat ? 1 : probability(model, x)
  const score = Math.round(p * 1000) / 1000
  return { score, reasons, same: p >= model.threshold, sameCitizen: citizen, conflict, sameProblem: topic === 1, x, placeConflict: false, unplaced, ...(repeat ? { repeat } : {}) }
}

/** A name `a` speaks as a place (words.ts) that `b` names too, as a name, compound, road or business. */
function sameName(a: AppealFeatures, b: AppealFeatures): boolean {
  const names = a.landmarks ?? []
  if (names.length === 0) return false
  const q = b.places
  return names.some((n) => (b.landmarks ?? []).includes(n) || q.stems.includes(n) || q.compounds.includes(n) || q.entities.includes(n))
}

/** A pin and no name of a place (a mini-program report): where it is, is known only as a point. */
function pinOnly(f: AppealFeatures): boolean {
  return f.lat !== undefined && f.lng !== undefined && !hasAnyPlace(f)
}

function hasAnyPlace(f: AppealFeatures): boolean {
  const p = f.places
  return p.compounds.length + p.roads.length + p.intersections.length + p.entities.length + p.routes.length + p.stems.length + (f.landmarks?.length ?? 0) > 0
}

/** How close in time two reports of one acute incident are when only the cause ties them. */
export const INCIDENT_WINDOW_MS = 12 * 3_600_000

/**
 * One acute incident seen from two places: a report names the other's problem as its cause
 * without its place ("我们小区停水了，说是外面主管道破了" after a burst main reported from the
 * road), within hours, nothing in conflict. Weak on its own: the linker uses it only when no
 * place matched and exactly one matter qualifies.
 */
export function sameIncident(a: AppealFeatures, b: AppealFeatures): boolean {
  const ta = a.topics[0]
  const tb = b.topics[0]
  if (!ta || !tb || a.generic || b.generic) return false
  const da = TOPIC_BY_CODE.get(ta)
  const db = TOPIC_BY_CODE.get(tb)
  if (da?.acuteDays === undefined || db?.acuteDays === undefined || da.family !== db.family) return false
  if (Math.abs(a.at - b.at) > INCIDENT_WINDOW_MS) return false
  const causeNamed =
    ta !== tb && ((db.incidentCause === true && a.topics.includes(tb)) || (da.incidentCause === true && b.topics.includes(ta)))
  if (!causeNamed) return false
  return !placeMatch(a, b).hardConflict
}
