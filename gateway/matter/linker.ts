/**
 * MatterLinker (并案 at intake): after an appeal is stored, finds the matter it belongs to —
 * a repeat of the same citizen (重复诉求) or the same problem from other citizens (集中诉求 at 3).
 *
 * Several gateway processes may link at once. Linking is serialised optimistically per candidate
 * set instead of with a lock: the commit script checks that no other link wrote to any index
 * token this one read (versions per token bucket) nor to the chosen matter since the read, and
 * otherwise the link is recomputed. Two appeals that could match share a token, so the later
 * commit always sees the earlier one; appeals with nothing in common never wait for each other,
 * and a crashed process holds nothing that others would have to wait out (no lock TTL).
 * What agents see and decide of the matters (get, matter, confirm/detach/attach, suggest) is the
 * MatterBook this extends (./matter-book.ts); relink() links a call again on its summary.
 */
import type { Appeal } from '../domain/appeal.ts'
import { MT_ERR_CONTENDED, MT_ERR_MATTER_NOT_FOUND } from './errors.ts'
import { placeholderText, readAppeal } from './features.ts'
import { countCitizens, sameCitizen } from './identity.ts'
import type { MatterState, StoredAppeal, WindowQuery } from './matter-store.ts'
import { DAY_MS, MAX_ATTEMPTS, MatterBook, backoff, type MatterBookOptions } from './matter-book.ts'
import { pinsApart, sameIncident, scorePair, type PairContext, type PairScore } from './scorer.ts'
import { learnedNear, placeNodes } from './place-graph.ts'
import { weigh } from './term-weights.ts'
import { chooseMatter, matterScore, mergeModel, type MatterFit } from './merge-model.ts'
import { nameTokens, senseTokens, queryTokens, wordQueryTokens, wordWriteTokens, writeTokens } from './tokens.ts'
import { featureDelta, relinkMode } from './relink.ts'
import type { AppealFeatures, MatterLink, RelatedAppeal, Relinked } from './types.ts'

export interface MatterLinkerOptions extends MatterBookOptions {
  /** Test seam: runs after the link is computed and before it is written (crash injection). */
  beforeCommit?: (appealId: string) => Promise<void> | void
  /** Trainer seam: every candidate pair the model scored, and those a rule kept apart (npm run train:merge). */
  onScored?: (appealId: string, pairs: ScoredPair[], conflicts: string[], vetoed: VetoedPair[]) => void
}

/** A candidate pair as the model saw it: its features, and what the linker reads beside them. */
export interface ScoredPair {
  candidateId: string
  x: number[]
  /** Their places cannot be compared (PairScore.unplaced). */
  unplaced: boolean
  citizen: boolean
}

export interface VetoedPair {
  candidateId: string
  /** The rule (scorer.ts, vetoOf). */
  veto: string
}

/**
 * Places (first place node, place-graph.ts) where the new appeal's kind of problem (its first
 * sense) was reported within a week, by the candidates that name or pin one: a report whose place
 * cannot be compared with a candidate's could as well be about any of the others. A pinned report
 * cannot be about a place pinned further away than two places' pins ever are (SCORING.farMeters).
 * Counted from the appeals alone, not from the matters they were joined to, so the trainer sees
 * the same count as the linker.
 */
function rivalPlaces(f: AppealFeatures, placeOf: Map<StoredAppeal, string | undefined>): Set<string> {
  const first = f.senses?.[0]
  const out = new Set<string>()
  if (first === undefined) return out
  for (const [c, place] of placeOf) {
    const g = c.features
    if (place === undefined || g.generic || Math.abs(g.at - f.at) > RIVAL_DAYS * DAY_MS || !g.senses?.includes(first)) continue
    if (pinsApart(f, g)) continue
    out.add(place)
  }
  return out
}

const RELATED_MAX = 10
/** Places seen with the new appeal's places, looked up in a second read (strongest first). */
const NEAR_TOKENS = 6
/** Reports of the same kind this many days around an appeal are its rivals (rivalPlaces). */
const RIVAL_DAYS = 7
/** Candidates read per rare word or seen-with place: newest first. */
const PER_EXTRA = 10

interface Choice {
  matterId: string
  best: PairScore
  scored: { c: StoredAppeal; s: PairScore }[]
  /** Other matters this appeal matches as the same problem: fold candidates. */
  bridges: string[]
}

interface LinkQuery extends Pick<WindowQuery, 'terms' | 'nodes' | 'epoch' | 'extra'> {
  qTokens: string[]
}

interface Ranking {
  choice?: Choice
  byMatter: Map<string, { c: StoredAppeal; s: PairScore }[]>
  /** Matters with a member of the same problem that the model joins: what a link may fold. */
  strong: string[]
}

/** Index tokens under which a bare name (恒泰, 力美) would have been filed by other appeals. */
function mentionTokens(mentions: string[]): string[] {
  return mentions.flatMap((k) => [`e:${k}`, `s:${k}`])
}

/**
 * A bare name in an appeal that names no place ("恒泰那个工地欠薪") is taken as that firm or
 * compound when other appeals in the window were filed under it: the name is learned from them.
 * Road names are not learned this way (建设, 人民, 文化 are ordinary words as often as roads).
 */
function learnNames(f: AppealFeatures, mentions: string[], candidates: StoredAppeal[]): void {
  const p = f.places
  for (const c of candidates) {
    const q = c.features.places
    for (const k of mentions) {
      if (q.entities.includes(k) && !p.entities.includes(k)) p.entities.push(k)
      if (q.compounds.includes(k) && !p.compounds.includes(k)) {
        p.compounds.push(k)
        if (!p.stems.includes(k)) p.stems.push(k)
      }
    }
  }
}

/** Matters larger than this are not folded automatically (an agent can still attach). */
const FOLD_MAX_MEMBERS = 200
/** Members whose identities a matter keeps for counting distinct citizens. */
const IDENTITY_CAP = 60
/** Folding is the rare path (an early report nobody could place): a few matters per link at most. */
const FOLD_MAX_BRIDGES = 3

export class MatterLinker extends MatterBook {
  readonly #beforeCommit: MatterLinkerOptions['beforeCommit']
  readonly #onScored: MatterLinkerOptions['onScored']

  constructor(opts: MatterLinkerOptions) {
    super(opts)
    this.#beforeCommit = opts.beforeCommit
    this.#onScored = opts.onScored
  }

  /** Links a stored appeal to its matter. Idempotent: a second call returns the first result. */
  async link(appeal: Appeal): Promise<MatterLink> {
    const { features: f, mentions } = readAppeal(appeal)
    if (!Number.isFinite(f.at)) f.at = this.clock().getTime()
    const q = this.#query(f, mentions)
    const { terms, epoch } = q
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await backoff(attempt)
      const { read, ctx, wTokens } = await this.#read(f, mentions, f.id, q)
      if (read.selfLinked) {
        const existing = await this.get(f.id)
        if (existing) return existing
      }
      const choice = this.#choose(f, read.candidates, ctx)
      const state = choice ? await this.store.matterState(choice.matterId) : undefined
      if (choice && (!state || state.into)) continue // moved, folded or expired meanwhile: read again
      const fold = choice && state ? await this.#foldable(choice) : []
      const merged = [...(state?.identities ?? []), ...fold.flatMap((x) => x.state.identities)]
      // Identities are kept for the first IDENTITY_CAP members: enough to count past the 集中诉求
      // threshold exactly; beyond it the count only grows with what is kept (a floor, "≥ n").
      const identities = merged.length < IDENTITY_CAP ? [...merged, f.citizen] : merged
      const citizens = Math.max(countCitizens(identities), state?.citizens ?? 0, ...fold.map((x) => x.state.citizens))
      const link = this.#linkOf(f, choice, citizens)
      await this.#beforeCommit?.(f.id)
      const res = await this.store.commit({
        features: f,
        link,
        matterId: choice?.matterId,
        matterVersion: state?.version ?? '',
        identities,
        citizens,
        read,
        writeTokens: wTokens,
        cutoffMs: f.at - this.windowMs,
        fold: fold.map((x) => ({ matterId: x.matterId, version: x.state.version })),
        terms,
        nodes: placeNodes(f),
        epoch,
      })
      if (!res) continue
      if (!res.created) return (await this.get(f.id))!
      const concentrated = citizens >= 3
      return { ...link, matterId: res.matterId, becameConcentrated: res.became, flags: { ...link.flags, concentrated } }
    }
    throw new MT_ERR_CONTENDED()
  }

  /** What a link reads the window with (taken before names are learned): tokens, terms, place nodes, epoch. */
  #query(f: AppealFeatures, mentions: string[]): LinkQuery {
    const nodes = placeNodes(f)
    return {
      qTokens: [...queryTokens(f), ...mentionTokens(mentions)],
      terms: [...(f.words ?? []), ...(f.grams ?? []), ...(f.chars ?? [])],
      nodes,
      epoch: Math.floor(f.at / this.windowMs),
      extra: (stats: PairContext['stats'], neighbours: string[][]) => [
        ...nameTokens(f),
        ...wordQueryTokens(f, stats),
        ...senseTokens(f),
        ...[...learnedNear(nodes, neighbours)].slice(0, NEAR_TOKENS),
      ],
    }
  }

  /**
   * Candidates and what the window says around the appeal; weighs its terms and learns bare names.
   * With `selfId`, a linked appeal reads nothing more (link's fast path); without, the appeal is
   * only left out of its candidates (a re-link).
   */
  async #read(f: AppealFeatures, mentions: string[], selfId: string | undefined, q: LinkQuery) {
    const { qTokens, terms, nodes, epoch, extra } = q
    const read = await this.store.candidates(qTokens, f.at - this.windowMs, f.at + DAY_MS, this.perToken, selfId, {
      terms,
      nodes,
      epoch,
      extra,
      perExtra: PER_EXTRA,
    })
    if (selfId === undefined) read.candidates = read.candidates.filter((c) => c.features.id !== f.id)
    if (mentions.length > 0) learnNames(f, mentions, read.candidates)
    f.wordW = weigh(f.words ?? [], read.stats)
    f.gramW = weigh(f.grams ?? [], read.stats)
    f.charW = weigh(f.chars ?? [], read.stats)
    const ctx: PairContext = { stats: read.stats, near: learnedNear(nodes, read.neighbours) }
    const wTokens = [...new Set([...writeTokens(f), ...wordWriteTokens(f)])]
    return { read, ctx, wTokens }
  }

  /**
   * Links a call again on the agent's summary: its features are read from the summary (and the
   * record's place and category) instead of the placeholder, and its matter found by content as a
   * written appeal of that text would be. Agent decisions stay final, and a call that shares its
   * matter with other appeals (the caller's earlier ones, linked by number) stays with them — the
   * content may bring another matter in only by folding, as for a new appeal (relink.ts). One
   * link script; idempotent: once re-linked, later calls return the link as it stands.
   * Undefined for an appeal whose own text was read at intake, or an empty summary.
   */
  async relink(appeal: Appeal, summary: string): Promise<Relinked | undefined> {
    if (!placeholderText(appeal) || summary.trim() === '') return undefined
    const { features: f, mentions } = readAppeal(appeal, summary)
    if (!Number.isFinite(f.at)) f.at = this.clock().getTime()
    const q = this.#query(f, mentions)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await backoff(attempt)
      const [self] = await this.store.appeals([f.id])
      if (self?.relinked) return { link: (await this.get(f.id))!, from: self.matterId, changed: [] }
      const from = self?.matterId
      const fromState = from ? await this.store.matterState(from) : undefined
      if (from && !fromState) throw new MT_ERR_MATTER_NOT_FOUND(from)
      const others = from ? (await this.store.memberIds(from)).filter((id) => id !== f.id) : []
      const mode = relinkMode(self, others.length)
      const { read, ctx, wTokens } = await this.#read(f, mentions, undefined, q)
      const ranked = this.#rank(f, read.candidates, ctx)
      // Where it may go: anywhere its content leads when alone and undecided; else its own matter,
      // scored against the members it has there, folding others in only when not decided.
      const choice = mode === 'first' || mode === 'free' ? ranked.choice : this.#stayIn(from!, ranked, mode === 'stay')
      const target = choice?.matterId ?? from
      const state = target === from ? fromState : target ? await this.store.matterState(target) : undefined
      if (target && (!state || state.into)) continue // moved, folded or expired meanwhile: read again
      const fold = choice && state ? await this.#foldable(choice, f) : []
      const base = [...(state?.identities ?? []), ...fold.flatMap((x) => x.state.identities)]
      // Staying, its first link's identity is in the matter already: only a new one (a phone the
      // summary quotes) is added.
      const known = target === from && self && JSON.stringify(self.features.citizen) === JSON.stringify(f.citizen)
      const identities = known || base.length >= IDENTITY_CAP ? base : [...base, f.citizen]
      const citizens = Math.max(countCitizens(identities), state?.citizens ?? 0, ...fold.map((x) => x.state.citizens))
      const link = mode === 'final' ? (await this.store.linkRecord(f.id))!.link : this.#linkOf(f, choice, citizens)
      const delta = featureDelta(self?.features, f, wTokens)
      await this.#beforeCommit?.(f.id)
      const res = await this.store.commit({
        features: f,
        link,
        matterId: target,
        matterVersion: state?.version ?? '',
        identities,
        citizens,
        read,
        writeTokens: wTokens,
        cutoffMs: f.at - this.windowMs,
        fold: fold.map((x) => ({ matterId: x.matterId, version: x.state.version })),
        terms: delta.terms,
        nodes: placeNodes(f),
        epoch: q.epoch,
        relink: { from: from ?? '', fromVersion: fromState?.version ?? '', unindex: delta.unindex, unterms: delta.unterms, oldNodes: delta.oldNodes },
      })
      if (!res) continue
      const now = (await this.get(f.id))!
      if (!res.created) return { link: now, from: now.matterId, changed: [] }
      // Members changed where it left, where it joined and what was folded in; a call that stays
      // where it was (its own matter, alone or with the caller's appeals) changes nobody's card.
      const moved = from !== res.matterId && (from !== undefined || target !== undefined)
      const changed = moved || fold.length > 0 ? [...new Set([...(from && moved ? [from] : []), res.matterId, ...fold.map((x) => x.matterId)])] : []
      return { link: { ...now, becameConcentrated: res.became }, ...(from ? { from } : {}), changed }
    }
    throw new MT_ERR_CONTENDED()
  }

  /** Its own matter as the choice of a re-link that may not leave it; folds only when `fold`. */
  #stayIn(matterId: string, ranked: Ranking, fold: boolean): Choice | undefined {
    const scored = (ranked.byMatter.get(matterId) ?? []).sort((a, b) => b.s.score - a.s.score)
    if (scored.length === 0) return undefined
    const bridges = fold && ranked.strong.includes(matterId) ? ranked.strong.filter((m) => m !== matterId).slice(0, FOLD_MAX_BRIDGES) : []
    return { matterId, best: scored[0]!.s, scored, bridges }
  }

  /**
   * Matters the new appeal bridges to its own: it is the same problem as members of both (an
   * early report with only a pin, then one that names the place and carries a pin too). They are
   * folded only when no member of one conflicts with a member of the other (another building,
   * problem, intersection ...) and no agent ever detached one from the other.
   */
  async #foldable(choice: Choice, self?: AppealFeatures): Promise<{ matterId: string; state: MatterState }[]> {
    if (choice.bridges.length === 0) return []
    const ownIds = await this.store.memberIds(choice.matterId)
    if (ownIds.length > FOLD_MAX_MEMBERS) return []
    // A re-linked call is checked with its summary's features, not its placeholder's.
    const own = (await this.store.appeals(ownIds)).map((a) => (a.features.id === self?.id ? { ...a, features: self } : a))
    const out: { matterId: string; state: MatterState }[] = []
    for (const other of choice.bridges) {
      const state = await this.store.matterState(other)
      if (!state || state.into) continue
      const ids = await this.store.memberIds(other)
      if (ids.length === 0 || ids.length > FOLD_MAX_MEMBERS) continue
      const members = await this.store.appeals(ids)
      const conflict = own.some((a) => members.some((b) => scorePair(a.features, b.features).conflict))
      if (conflict) continue
      const never = await Promise.all(ids.map((id) => this.store.never(id)))
      if (never.some((set) => ownIds.some((id) => set.has(id)))) continue
      out.push({ matterId: other, state })
      own.push(...members)
      ownIds.push(...ids)
    }
    return out
  }

  /** Picks the matter with the best-matching member; more matching members break near-ties. */
  #choose(f: AppealFeatures, candidates: StoredAppeal[], ctx: PairContext): Choice | undefined {
    return this.#rank(f, candidates, ctx).choice
  }

  #rank(f: AppealFeatures, candidates: StoredAppeal[], ctx: PairContext): Ranking {
    const byMatter = new Map<string, { c: StoredAppeal; s: PairScore }[]>()
    const seen: ScoredPair[] = []
    const vetoed: VetoedPair[] = []
    const placeOf = new Map(candidates.map((c) => [c, placeNodes(c.features)[0]]))
    const rivals = rivalPlaces(f, placeOf)
    const ownPlace = placeNodes(f)[0]
    for (const c of candidates) {
      if (c.features.at > f.at + DAY_MS) continue
      // A candidate's own place (or, naming none, this appeal's) is not its own rival.
      const placed = placeOf.get(c) ?? ownPlace
      const s = scorePair(f, c.features, ctx, rivals.size - (placed !== undefined && rivals.has(placed) ? 1 : 0))
      if (s.x) seen.push({ candidateId: c.features.id, x: s.x, unplaced: s.unplaced, citizen: s.sameCitizen })
      else if (s.veto) vetoed.push({ candidateId: c.features.id, veto: s.veto })
      const list = byMatter.get(c.matterId) ?? []
      list.push({ c, s })
      byMatter.set(c.matterId, list)
    }
    this.#onScored?.(f.id, seen, candidates.filter((c) => byMatter.get(c.matterId)?.some((x) => x.c === c && x.s.placeConflict)).map((c) => c.features.id), vetoed)
    const fits: MatterFit[] = []
    const strong: string[] = []
    const model = mergeModel()
    for (const [matterId, scored] of byMatter) {
      // Evidence adds up over the matter's members (model.join, chosen by cross-validation).
      const same = scored.filter((x) => x.s.x !== undefined)
      if (same.length === 0) continue
      // Members that name their place, all elsewhere than this appeal's, and only members that
      // name none match it: the matter is known to be elsewhere (an unplaced report bridges nothing).
      const elsewhere = scored.some((x) => x.s.placeConflict || x.s.veto === 'apart')
      const unplacedOnly = same.every((x) => x.s.unplaced)
      if (elsewhere && unplacedOnly) continue
      const conflicts = scored.filter((x) => x.s.placeConflict).length
      const own = Math.max(0, ...same.filter((x) => x.s.sameCitizen).map((x) => x.s.score))
      const joined = matterScore(same.map((x) => x.s.score), model.join, conflicts, model.threshold, own)
      fits.push({ id: matterId, joined, passing: same.filter((x) => x.s.same).length, unplacedOnly })
      if (joined >= model.threshold && same.some((x) => x.s.sameProblem && x.s.same)) strong.push(matterId)
    }
    const chosen = chooseMatter(fits, model.threshold)
    let best: Choice | undefined
    if (chosen !== undefined) {
      const scored = byMatter.get(chosen)!.sort((a, b) => b.s.score - a.s.score)
      best = { matterId: chosen, best: scored.find((x) => x.s.x !== undefined)!.s, scored, bridges: [] }
    }
    if (best && strong.includes(best.matterId)) {
      best.bridges = strong.filter((m) => m !== best!.matterId).slice(0, FOLD_MAX_BRIDGES)
    }
    return { choice: best ?? this.#incident(f, byMatter), byMatter, strong }
  }

  /**
   * No place matched: an acute incident whose cause this appeal names joins it when exactly one
   * matter in the last hours qualifies (two bursts that morning: it stays alone, an agent decides).
   */
  #incident(f: AppealFeatures, byMatter: Map<string, { c: StoredAppeal; s: PairScore }[]>): Choice | undefined {
    let found: Choice | undefined
    for (const [matterId, scored] of byMatter) {
      const hit = scored.find((x) => !x.s.conflict && sameIncident(f, x.c.features))
      if (!hit) continue
      if (found) return undefined
      found = { matterId, best: hit.s, scored: scored.sort((a, b) => b.s.score - a.s.score), bridges: [] }
    }
    return found
  }

  #linkOf(f: AppealFeatures, choice: Choice | undefined, citizens: number): Omit<MatterLink, 'matterId' | 'becameConcentrated'> {
    const related: RelatedAppeal[] = (choice?.scored ?? []).slice(0, RELATED_MAX).map(({ c, s }) => ({
      appealId: c.features.id,
      appealNumber: c.features.number,
      score: s.score,
      reasons: s.reasons,
    }))
    const earlier = (choice?.scored ?? [])
      .filter(({ c }) => c.features.at <= f.at && sameCitizen(f.citizen, c.features.citizen))
      .sort((a, b) => a.c.features.at - b.c.features.at)
    return {
      appealId: f.id,
      score: choice?.best.score ?? 0,
      reasons: choice?.best.reasons ?? [],
      related,
      flags: { repeat: earlier.length > 0, repeatOf: earlier.map(({ c }) => c.features.number), concentrated: citizens >= 3 },
      citizens,
      linkedAt: this.clock().toISOString(),
    }
  }
}
