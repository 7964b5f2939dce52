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
  /**
   * Other places among the candidates where the same kind of problem was reported that week: a
   * report whose place cannot be compared (no place, or a pin beside a name) is a matter's when
   * nothing else is like it, and nobody's for sure when several are (scorer.ts vetoes it then).
   */
  rivals: number
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

const b = (x: boolean) => (x ? 1 : 0)
const LOG_WINDOW = Math.log1p(30)

export function pairVector(p: PairParts): number[] {
  const has = (r: string) => p.reasons.includes(r)
  const topicSame = b(p.topic === 1)
  const unknown = b(p.topic === undefined)
  const gap = Math.min(1, Math.log1p(p.gapDays) / LOG_WINDOW)
  const sense = p.sense ?? 0
  const unplaced = p.placeless || p.pinVsName
  const rivals = Math.min(1, Math.log1p(p.rivals) / Math.log1p(10))
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
    rivals,
    b(unplaced) * rivals,
    b(unplaced) * sense,
  ]
  return x
}
