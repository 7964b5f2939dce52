/**
 * The pair features the fitted model reads (merge-model.ts): what two appeals share — citizen,
 * place at each level of the hierarchy, problem, wording — as numbers in [0, 1]. The names are
 * stored with the coefficients, so a model trained on another feature list refuses to load.
 */

/** What the scorer found about a pair (scorer.ts), before the model weighs it. */
export interface PairParts {
  citizen: boolean
  /** Strongest shared place, 0..1 (intersection/building 1 ... related stem 0.4). */
  place: number
  reasons: readonly string[]
  distance: number | undefined
  softConflict: boolean
  otherHome: boolean
  learned: boolean
  /** A name spoken as a place by one (丽水, 欧尚) is a name or place of the other. */
  name: boolean
  /** One of the two names no place and has no pin. */
  placeless: boolean
  /** Both say where and share nothing of it (no place, name, pin within reach, places seen together). */
  apart: boolean
  /** One has only a pin, the other only names: the two cannot be compared. */
  pinVsName: boolean
  /** 1 same problem, 0.75 family, 0.6/0.5 context or overlap, 0 different, undefined unknown. */
  topic: number | undefined
  /** Share of the coarse problem senses in common (problem-senses.ts); undefined when a side has none. */
  sense: number | undefined
  /** Both describe first the same sense of problem. */
  firstSense: boolean
  stale: boolean
  personal: boolean
  sound: number
  words: number
  grams: number
  /** Cosine of the characters of the content words (place names left out). */
  chars: number
  rare: number
  gapDays: number
}

export const FEATURES = [
  'citizen',
  'place',
  'exactPlace',
  'compound',
  'road',
  'business',
  'route',
  'pinNear',
  'pinMid',
  'relatedStem',
  'learnedPlace',
  'sameName',
  'placeless',
  'softConflict',
  'otherHome',
  'topicSame',
  'topicFamily',
  'topicContext',
  'topicDiff',
  'topicUnknown',
  'stale',
  'personal',
  'sound',
  'words',
  'grams',
  'rareWord',
  'gap',
  'place*topicSame',
  'place*words',
  'learned*words',
  'citizen*topicSame',
  'citizen*words',
  'topicUnknown*words',
  'placeless*words',
  'sameName*words',
  'sameName*topicSame',
  'place*topicUnknown',
  'sameName*topicUnknown',
  'learned*topicUnknown',
  'place*gap',
  'chars',
  'place*chars',
  'sameName*chars',
  'topicUnknown*chars',
  'learned*chars',
  'sameName*topicDiff',
  'chars*topicDiff',
  'apart',
  'apart*topicSame',
  'apart*chars',
  'pinVsName',
  'pinVsName*topicSame',
  'pinVsName*chars',
  'placeless*topicSame',
  'placeless*chars',
  'sense',
  'senseNone',
  'firstSense',
  'place*sense',
  'sameName*sense',
  'learned*sense',
  'pinVsName*sense',
  'apart*sense',
  'placeless*sense',
  'topicDiff*sense',
  'topicUnknown*sense',
  'citizen*sense',
  'rivals',
  'unplaced*rivals',
  'unplaced*sense',
] as const

/** Index of the features filled in after all candidates are scored (setRivals). */
const RIVALS = FEATURES.indexOf('rivals')
const UNPLACED_RIVALS = FEATURES.indexOf('unplaced*rivals')
const UNPLACED = FEATURES.indexOf('placeless')
const PIN_VS_NAME = FEATURES.indexOf('pinVsName')
const APART = FEATURES.indexOf('apart')

/**
 * Other matters among the candidates that describe the same kind of problem: a report whose
 * place cannot be compared with a matter's (only a pin, no place, or places never seen together)
 * is that matter's when nothing else in the window is like it, and nobody's for sure when many
 * are — at a centre's scale the count is large and such a report stays alone for an agent.
 */
/** The pair's places cannot be compared: one has only a pin, or no place at all. */
export function unplacedPair(x: number[]): boolean {
  return x[UNPLACED]! === 1 || x[PIN_VS_NAME]! === 1
}

export function setRivals(x: number[], rivals: number): void {
  const r = Math.min(1, Math.log1p(rivals) / Math.log1p(10))
  const unplaced = x[UNPLACED]! || x[PIN_VS_NAME]! || x[APART]! ? 1 : 0
  x[RIVALS] = r
  x[UNPLACED_RIVALS] = unplaced * r
}

const b = (x: boolean) => (x ? 1 : 0)
const LOG_WINDOW = Math.log1p(30)

export function pairVector(p: PairParts): number[] {
  const has = (r: string) => p.reasons.includes(r)
  const topicSame = b(p.topic === 1)
  const unknown = b(p.topic === undefined)
  const gap = Math.min(1, Math.log1p(p.gapDays) / LOG_WINDOW)
  const sense = p.sense ?? 0
  const x = [
    b(p.citizen),
    p.place,
    b(has('same-intersection') || has('same-building')),
    b(has('same-place')),
    b(has('same-road')),
    b(has('same-business')),
    b(has('same-route')),
    b(p.distance !== undefined && p.distance <= 250),
    b(p.distance !== undefined && p.distance > 250 && p.distance <= 600),
    b(has('related-place')),
    b(p.learned),
    b(p.name),
    b(p.placeless),
    b(p.softConflict),
    b(p.otherHome),
    topicSame,
    b(p.topic === 0.75),
    b(p.topic === 0.6 || p.topic === 0.5),
    b(p.topic === 0),
    unknown,
    b(p.stale),
    b(p.personal),
    p.sound,
    p.words,
    p.grams,
    p.rare,
    gap,
    p.place * topicSame,
    p.place * p.words,
    b(p.learned) * p.words,
    b(p.citizen) * topicSame,
    b(p.citizen) * p.words,
    unknown * p.words,
    b(p.placeless) * p.words,
    b(p.name) * p.words,
    b(p.name) * topicSame,
    p.place * unknown,
    b(p.name) * unknown,
    b(p.learned) * unknown,
    p.place * gap,
    p.chars,
    p.place * p.chars,
    b(p.name) * p.chars,
    unknown * p.chars,
    b(p.learned) * p.chars,
    b(p.name) * b(p.topic === 0),
    p.chars * b(p.topic === 0),
    b(p.apart),
    b(p.apart) * topicSame,
    b(p.apart) * p.chars,
    b(p.pinVsName),
    b(p.pinVsName) * topicSame,
    b(p.pinVsName) * p.chars,
    b(p.placeless) * topicSame,
    b(p.placeless) * p.chars,
    sense,
    b(p.sense === undefined),
    b(p.firstSense),
    p.place * sense,
    b(p.name) * sense,
    b(p.learned) * sense,
    b(p.pinVsName) * sense,
    b(p.apart) * sense,
    b(p.placeless) * sense,
    b(p.topic === 0) * sense,
    unknown * sense,
    b(p.citizen) * sense,
    0, // rivals: setRivals, once every candidate is scored
    0,
    b(p.placeless || p.pinVsName || p.apart) * sense,
  ]
  return x
}
