/**
 * MatterBook: the matters as agents see and decide them — an appeal's link as it stands, a matter
 * with its members, and the agents' decisions (confirm, split off, attach elsewhere), plus the
 * other matters an appeal might be attached to. Decisions are final: the linker (./linker.ts,
 * which extends this) never moves an appeal an agent placed. Moves are optimistic like links: the
 * store's script checks the versions read and the move is recomputed on a conflict.
 */
import type { Redis } from 'ioredis'
import { MT_ERR_APPEAL_NOT_LINKED, MT_ERR_CONTENDED, MT_ERR_MATTER_NOT_FOUND } from './errors.ts'
import { countCitizens } from './identity.ts'
import { MatterStore, type MatterState } from './matter-store.ts'
import { scorePair } from './scorer.ts'
import { queryTokens } from './tokens.ts'
import type { Decision, MatterLink, MatterView, RelatedAppeal } from './types.ts'

export interface MatterBookOptions {
  redis: Redis
  keyPrefix: string
  /** Appeals older than this are not matched any more (default 30). */
  windowDays?: number
  clock?: () => Date
  /** Candidates read per index token, newest first (default 40). */
  perToken?: number
}

export const DAY_MS = 86_400_000
/** Optimistic attempts before giving up; each round at least one contender commits, so a burst
 * of N concurrent links on one matter needs at most N rounds. */
export const MAX_ATTEMPTS = 50
/** Jittered backoff between attempts spreads a burst of contenders (ms, grows with attempts). */
export const backoff = (attempt: number) =>
  attempt === 0 ? Promise.resolve() : new Promise<void>((r) => setTimeout(r, Math.random() * Math.min(20, 2 * attempt)))
const PLACE_REASONS = new Set<string>(['same-place', 'same-building', 'same-intersection', 'same-road', 'same-business', 'same-route', 'nearby-pin', 'related-place'])

export class MatterBook {
  readonly store: MatterStore
  protected readonly windowMs: number
  protected readonly clock: () => Date
  protected readonly perToken: number

  constructor(opts: MatterBookOptions) {
    const windowDays = opts.windowDays ?? 30
    this.store = new MatterStore(opts.redis, opts.keyPrefix, windowDays)
    this.windowMs = windowDays * DAY_MS
    this.clock = opts.clock ?? (() => new Date())
    this.perToken = opts.perToken ?? 40
  }

  /** The link of an appeal as it stands now (after agent decisions), or undefined if never linked. */
  async get(appealId: string): Promise<MatterLink | undefined> {
    const rec = await this.store.linkRecord(appealId)
    if (!rec) return undefined
    const state = await this.store.matterState(rec.matterId)
    return {
      ...rec.link,
      matterId: rec.matterId,
      becameConcentrated: false,
      citizens: state?.citizens ?? rec.link.citizens,
      flags: { ...rec.link.flags, concentrated: state?.concentrated ?? rec.link.flags.concentrated },
    }
  }

  /** A matter as it stands; the id of a matter folded into another one leads to that one. */
  async matter(matterId: string): Promise<MatterView> {
    const { id, state } = await this.#current(matterId)
    matterId = id
    if (!state) throw new MT_ERR_MATTER_NOT_FOUND(matterId)
    const ids = await this.store.memberIds(matterId)
    const members = await this.store.appeals(ids)
    const links = await Promise.all(ids.map((id) => this.store.linkRecord(id)))
    return {
      matterId,
      members: members.map((m, i) => ({
        appealId: m.features.id,
        appealNumber: m.features.number,
        receivedAt: new Date(m.features.at).toISOString(),
        score: links[i]?.link.score ?? 0,
        reasons: links[i]?.link.reasons ?? [],
        ...(m.decision ? { decision: m.decision } : {}),
      })),
      citizens: state.citizens,
      concentrated: state.concentrated,
      ...(state.first ? { firstAt: new Date(state.first).toISOString() } : {}),
      ...(state.last ? { lastAt: new Date(state.last).toISOString() } : {}),
    }
  }

  /** A matter's state, following the matters it was folded into (the id it lives under now). */
  async #current(matterId: string): Promise<{ id: string; state: MatterState | undefined }> {
    let id = matterId
    let state = await this.store.matterState(id)
    for (let hops = 0; state?.into && hops < 10; hops++) {
      id = state.into
      state = await this.store.matterState(id)
    }
    return { id, state }
  }

  /** Agent confirms the suggested matter. */
  async confirm(appealId: string, by: string): Promise<void> {
    const ok = await this.store.decide(appealId, { kind: 'confirmed', by, at: this.clock().toISOString() })
    if (!ok) throw new MT_ERR_APPEAL_NOT_LINKED(appealId)
  }

  /** Agent splits the appeal off into a matter of its own; it is never suggested with those members again. */
  async detach(appealId: string, by: string): Promise<MatterLink> {
    return this.#move(appealId, undefined, by)
  }

  /** Agent moves the appeal into another matter. */
  async attach(appealId: string, matterId: string, by: string): Promise<MatterLink> {
    return this.#move(appealId, matterId, by)
  }

  async #move(appealId: string, to: string | undefined, by: string): Promise<MatterLink> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await backoff(attempt)
      const rec = await this.store.linkRecord(appealId)
      if (!rec) throw new MT_ERR_APPEAL_NOT_LINKED(appealId)
      const from = rec.matterId
      if (to === from) return (await this.get(appealId))!
      const fromState = await this.store.matterState(from)
      let toState: MatterState | undefined
      if (to) ({ id: to, state: toState } = await this.#current(to))
      if (to && !toState) throw new MT_ERR_MATTER_NOT_FOUND(to)
      if (!fromState) continue
      const fromIds = (await this.store.memberIds(from)).filter((id) => id !== appealId)
      if (!to && fromIds.length === 0) {
        // Alone in its matter already: nothing to split off, the decision is still recorded.
        await this.store.decide(appealId, { kind: 'detached', by, at: this.clock().toISOString(), from })
        return (await this.get(appealId))!
      }
      const toIds = to ? await this.store.memberIds(to) : []
      const [fromMembers, toMembers, self] = await Promise.all([
        this.store.appeals(fromIds),
        this.store.appeals(toIds),
        this.store.appeals([appealId]),
      ])
      if (!self[0]) throw new MT_ERR_APPEAL_NOT_LINKED(appealId)
      const fromIdentities = fromMembers.map((m) => m.features.citizen)
      const toIdentities = [...toMembers.map((m) => m.features.citizen), self[0].features.citizen]
      const decision: Decision = { kind: to ? 'attached' : 'detached', by, at: this.clock().toISOString(), from, ...(to ? { to } : {}) }
      const res = await this.store.move({
        appealId,
        from,
        fromState,
        fromIdentities,
        fromCitizens: countCitizens(fromIdentities),
        to,
        toState,
        toIdentities,
        toCitizens: countCitizens(toIdentities),
        decision,
        never: to ? 'remove' : 'add',
        pairedWith: to ? toIds : fromIds,
      })
      if (res === 'retry') continue
      if (res === 'unknown') throw new MT_ERR_APPEAL_NOT_LINKED(appealId)
      return (await this.get(appealId))!
    }
    throw new MT_ERR_CONTENDED()
  }

  /**
   * Other matters an agent might attach this appeal to, best first — never those of appeals an
   * agent detached it from.
   */
  async suggest(appealId: string, limit = 5): Promise<RelatedAppeal[]> {
    const [self] = await this.store.appeals([appealId])
    if (!self) throw new MT_ERR_APPEAL_NOT_LINKED(appealId)
    const f = self.features
    const never = await this.store.never(appealId)
    const read = await this.store.candidates(queryTokens(f), f.at - this.windowMs, f.at + this.windowMs, this.perToken)
    return read.candidates
      .filter((c) => c.features.id !== appealId && c.matterId !== self.matterId && !never.has(c.features.id))
      .map((c) => ({ c, s: scorePair(f, c.features) }))
      // What the model finds likely, and anything at the same place: the agent is choosing where
      // the appeal belongs, and another problem at that place is what the linker kept apart.
      .filter((x) => x.s.score > 0.3 || x.s.reasons.some((r) => PLACE_REASONS.has(r)))
      .sort((a, b) => b.s.score - a.s.score)
      .slice(0, limit)
      .map(({ c, s }) => ({ appealId: c.features.id, appealNumber: c.features.number, score: s.score, reasons: s.reasons }))
  }
}
