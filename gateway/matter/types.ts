/** Types of the matter linker (并案): what intake, the console and the store exchange. */
import type { Places } from './address.ts'
import type { CitizenIds } from './identity.ts'

/** Reason codes; their Chinese labels for agents are in labels-zh.ts. */
export type ReasonCode =
  | 'same-citizen'
  | 'same-place'
  | 'same-intersection'
  | 'same-building'
  | 'same-road'
  | 'nearby-pin'
  | 'same-business'
  | 'same-route'
  | 'related-place'
  | 'same-problem'
  | 'related-problem'
  | 'similar-text'

export interface RelatedAppeal {
  appealId: string
  appealNumber: string
  score: number
  reasons: ReasonCode[]
}

export interface MatterFlags {
  /** 重复诉求: the same citizen raised this matter before. */
  repeat: boolean
  /** Appeal numbers of that citizen's earlier appeals in this matter, oldest first. */
  repeatOf: string[]
  /** 集中诉求: the matter has >= 3 distinct citizens. */
  concentrated: boolean
}

export interface MatterLink {
  appealId: string
  matterId: string
  /** Score of the best match (0 when the appeal started a matter of its own). */
  score: number
  reasons: ReasonCode[]
  /** Members of the matter this appeal matched, best first (at most 10). */
  related: RelatedAppeal[]
  flags: MatterFlags
  /** True only on the link that made the matter reach 3 distinct citizens (alert once). */
  becameConcentrated: boolean
  /** Distinct citizens of the matter after this link (conservative estimate). */
  citizens: number
  linkedAt: string
}

/** A call linked again on the agent's summary (MatterLinker.relink). */
export interface Relinked {
  /** The link as it stands now; `becameConcentrated` only on the re-link that made it so. */
  link: MatterLink
  /** The matter it was in before (absent when it had never been linked). */
  from?: string
  /** Matters whose members changed (the one it left, the one it joined, those folded in); [] when none. */
  changed: string[]
}

export type DecisionKind = 'confirmed' | 'detached' | 'attached'

export interface Decision {
  kind: DecisionKind
  by: string
  at: string
  /** For detach/attach: the matter the appeal left. */
  from?: string
  to?: string
}

export interface MatterMember {
  appealId: string
  appealNumber: string
  receivedAt: string
  score: number
  reasons: ReasonCode[]
  decision?: Decision
}

export interface MatterView {
  matterId: string
  members: MatterMember[]
  citizens: number
  concentrated: boolean
  firstAt?: string
  lastAt?: string
}

/** What the linker keeps of an appeal to compare later ones with it (stored in Redis as JSON). */
export interface AppealFeatures {
  id: string
  number: string
  /** receivedAt in ms. */
  at: number
  channel: string
  category?: string
  citizen: CitizenIds
  /** Places of the address field (what an agent or form recorded) and of the text together. */
  places: Places
  /** Places named in the address field only: where the problem is, for conflicts. */
  addrPlaces: Places
  lat?: number
  lng?: number
  topics: string[]
  /** Toneless pinyin syllables of the compact text, space-separated (similarity by sound). */
  sound: string
  /** The text puts the problem on a whole compound or area (全小区, 整个小区, 周边小区 ...). */
  areaWide: boolean
  /** No place, and only personal/consultation topics: never an incident shared by citizens. */
  generic: boolean
  /** The caller says it is another matter than before ("今天是另外一个事", rule 5). */
  otherMatter?: boolean
  /** Content words by sound and character bigrams (words.ts) with their weights as the window
   * stood at the link (term-weights.ts); absent on features stored before the fitted model. */
  words?: string[]
  wordW?: number[]
  grams?: string[]
  gramW?: number[]
  chars?: string[]
  charW?: number[]
  /** Words jieba tags as places or organisations (place-graph.ts). */
  landmarks?: string[]
  /** Coarse kinds of problem (problem-senses.ts); absent on features stored before them. */
  senses?: string[]
}
