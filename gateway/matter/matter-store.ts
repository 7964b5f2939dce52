/**
 * The Redis side of the matter linker: candidate retrieval by index tokens (never a scan of the
 * window), matter state, and the atomic writes (matter-scripts.ts). Pure storage; scoring lives in
 * scorer.ts and the flow in linker.ts.
 */
import type { Redis } from 'ioredis'
import type { CitizenIds } from './identity.ts'
import { bucketOf, matterKeys, type MatterKeys } from './matter-keys.ts'
import { DECIDE, LINK, MOVE } from './matter-scripts.ts'
import type { AppealFeatures, Decision, MatterLink } from './types.ts'
import { NEIGHBOURS } from './place-graph.ts'
import { COUNT_FIELD, type TermStats } from './term-weights.ts'

/** What the window learned, read with the candidates: term statistics and the new appeal's
 * terms, place nodes and the neighbours of those nodes in the place graph. */
export interface WindowQuery {
  terms: string[]
  nodes: string[]
  /** Window-long epoch of the appeal (document frequencies are counted per epoch). */
  epoch: number
  /** Second lookup: tokens chosen from what the first read learned (rare words, seen-with places). */
  extra: (stats: TermStats, neighbours: string[][]) => string[]
  perExtra: number
}

/** Parsed features kept in-process (about 1 KB each). */
const FEATURE_CACHE_SIZE = 20_000

interface Cached {
  features: AppealFeatures
  /** The record's `r` field when read: a re-link (once, by any process) replaces the features. */
  r: string
}

interface ScriptRedis extends Redis {
  matterLink(...args: (string | number)[]): Promise<[number, string, number]>
  matterMove(...args: (string | number)[]): Promise<[number, string]>
  matterDecide(...args: (string | number)[]): Promise<number>
}

export interface StoredAppeal {
  features: AppealFeatures
  matterId: string
  decision?: Decision
  /** Linked again on the agent's summary (a call): its features are the summary's. */
  relinked?: boolean
}

export interface CandidateRead {
  /** Versions of the read buckets, as read before the index: the commit checks them. */
  buckets: number[]
  versions: string[]
  candidates: StoredAppeal[]
}

export interface MatterState {
  version: string
  /** Set when this matter was folded into another one (the id to follow). */
  into?: string
  identities: CitizenIds[]
  citizens: number
  concentrated: boolean
  first?: number
  last?: number
}

export interface CommitInput {
  features: AppealFeatures
  link: Omit<MatterLink, 'matterId' | 'becameConcentrated'>
  matterId: string | undefined
  matterVersion: string
  identities: CitizenIds[]
  citizens: number
  read: CandidateRead
  writeTokens: string[]
  cutoffMs: number
  /** Matters this appeal shows to be the same as its own: folded into it in the same script. */
  fold: { matterId: string; version: string }[]
  /** Counted by the same script: the appeal's terms (document frequencies) and place nodes (graph). */
  terms: string[]
  nodes: string[]
  epoch: number
  /** A re-link of an appeal linked before (a call on its summary), in the same script. */
  relink?: RelinkInput
}

export interface RelinkInput {
  /** The matter the appeal is in, as read ('' when it was never linked), and its version. */
  from: string
  fromVersion: string
  /** Index tokens of its old features that the new ones do not have. */
  unindex: string[]
  /** Terms its old features counted that the new ones do not (`terms` holds only the new ones). */
  unterms: string[]
  /** Its old place nodes: their edges were counted at its first link. */
  oldNodes: string[]
}

export class MatterStore {
  readonly keys: MatterKeys
  readonly #redis: ScriptRedis
  readonly #ttlMs: number
  readonly #cache = new Map<string, Cached>()

  constructor(redis: Redis, keyPrefix: string, windowDays: number) {
    if (!('matterLink' in redis)) {
      redis.defineCommand('matterLink', { lua: LINK })
      redis.defineCommand('matterMove', { lua: MOVE })
      redis.defineCommand('matterDecide', { lua: DECIDE })
    }
    this.#redis = redis as ScriptRedis
    this.keys = matterKeys(keyPrefix)
    // Records outlive the window so a console can still show an old matter; indexes are trimmed
    // to the window on every write.
    this.#ttlMs = windowDays * 2 * 86_400_000
  }

  /**
   * Appeals sharing a token, newest first, received at or after `sinceMs` (at most `perToken` each).
   * With a window query, the same round trip reads the term statistics and the place graph, and a
   * second one the tokens chosen from them (at most `perExtra` each).
   */
  async candidates(
    tokens: string[],
    sinceMs: number,
    untilMs: number,
    perToken: number,
    selfId?: string,
    q?: WindowQuery,
  ): Promise<CandidateRead & { selfLinked: boolean; stats: TermStats; neighbours: string[][] }> {
    const buckets = [...new Set(tokens.map(bucketOf))]
    const pipe = this.#redis.pipeline()
    // Whether the appeal is linked already rides along (saves a round trip on the hot path).
    pipe.hexists(this.keys.appeal(selfId ?? ''), 'm')
    pipe.hmget(this.keys.versions, ...buckets.map(String))
    for (const t of tokens) pipe.zrevrangebyscore(this.keys.index(t), untilMs, sinceMs, 'LIMIT', 0, perToken)
    const fields = q ? [...q.terms, COUNT_FIELD] : []
    if (q) {
      pipe.hmget(this.keys.termDf(q.epoch), ...fields)
      pipe.hmget(this.keys.termDf(q.epoch - 1), ...fields)
      for (const n of q.nodes) pipe.zrevrange(this.keys.graph(n), 0, NEIGHBOURS - 1)
    }
    const res = (await pipe.exec()) ?? []
    const selfLinked = selfId !== undefined && res[0]?.[1] === 1
    const versions = ((res[1]?.[1] as (string | null)[]) ?? []).map((v) => v ?? '0')
    const ids = new Set<string>()
    for (let i = 2; i < 2 + tokens.length; i++) for (const id of (res[i]?.[1] as string[]) ?? []) ids.add(id)
    const stats: TermStats = { n: 0, df: new Map() }
    const neighbours: string[][] = []
    if (q) {
      const cur = (res[2 + tokens.length]?.[1] as (string | null)[]) ?? []
      const prev = (res[3 + tokens.length]?.[1] as (string | null)[]) ?? []
      fields.forEach((f, i) => {
        const v = Number(cur[i] ?? 0) + Number(prev[i] ?? 0)
        if (f === COUNT_FIELD) stats.n = v
        else if (v > 0) stats.df.set(f, v)
      })
      for (let i = 0; i < q.nodes.length; i++) neighbours.push((res[4 + tokens.length + i]?.[1] as string[]) ?? [])
      const seen = new Set(tokens)
      const extra = [...new Set(q.extra(stats, neighbours))].filter((t) => !seen.has(t))
      if (extra.length > 0 && !selfLinked) {
        const more = [...new Set(extra.map(bucketOf))].filter((b) => !buckets.includes(b))
        const pipe2 = this.#redis.pipeline()
        pipe2.hmget(this.keys.versions, ...(more.length ? more : [0]).map(String))
        for (const t of extra) pipe2.zrevrangebyscore(this.keys.index(t), untilMs, sinceMs, 'LIMIT', 0, q.perExtra)
        const res2 = (await pipe2.exec()) ?? []
        const v2 = ((res2[0]?.[1] as (string | null)[]) ?? []).map((v) => v ?? '0')
        for (let i = 0; i < more.length; i++) {
          buckets.push(more[i]!)
          versions.push(v2[i]!)
        }
        for (let i = 1; i < res2.length; i++) for (const id of (res2[i]?.[1] as string[]) ?? []) ids.add(id)
      }
    }
    if (selfId) ids.delete(selfId)
    const candidates = selfLinked ? [] : await this.appeals([...ids])
    return { buckets, versions, candidates, selfLinked, stats, neighbours }
  }

  /**
   * Stored appeals with their current matter. Features change at most once (a call re-linked on
   * its summary, field `r`), so parsed ones are cached in-process (bounded) and checked against
   * `r`: a busy place's candidates are read again and again.
   */
  async appeals(ids: string[]): Promise<StoredAppeal[]> {
    if (ids.length === 0) return []
    const pipe = this.#redis.pipeline()
    for (const id of ids) {
      if (this.#cache.has(id)) pipe.hmget(this.keys.appeal(id), 'm', 'd', 'r')
      else pipe.hmget(this.keys.appeal(id), 'm', 'd', 'r', 'f')
    }
    const res = (await pipe.exec()) ?? []
    const rows = res.map(([, v], i) => {
      const [m, d, r, f] = (v as (string | null)[]) ?? []
      const id = ids[i]!
      const cached = this.#cache.get(id)
      return { id, m, d, r: r ?? '', f: f ?? undefined, features: cached?.r === (r ?? '') ? cached.features : undefined }
    })
    // Re-linked by another process since this one cached it: the features are read again.
    const stale = rows.filter((x) => x.m && !x.features && x.f === undefined)
    if (stale.length > 0) {
      const again = await Promise.all(stale.map((x) => this.#redis.hget(this.keys.appeal(x.id), 'f')))
      stale.forEach((x, i) => (x.f = again[i] ?? undefined))
    }
    const out: StoredAppeal[] = []
    for (const { id, m, d, r, f, features: known } of rows) {
      if (!m) continue
      let features = known
      if (!features) {
        if (!f) continue
        features = JSON.parse(f) as AppealFeatures
        this.#remember(id, features, r)
      }
      out.push({ matterId: m, features, ...(d ? { decision: JSON.parse(d) as Decision } : {}), ...(r ? { relinked: true } : {}) })
    }
    return out
  }

  #remember(id: string, f: AppealFeatures, r: string): void {
    if (this.#cache.size >= FEATURE_CACHE_SIZE && !this.#cache.has(id)) {
      const oldest = this.#cache.keys().next().value
      if (oldest !== undefined) this.#cache.delete(oldest)
    }
    this.#cache.set(id, { features: f, r })
  }

  async matterState(matterId: string): Promise<MatterState | undefined> {
    const [v, cit, c, conc, first, last, into] = await this.#redis.hmget(this.keys.matter(matterId), 'v', 'cit', 'c', 'conc', 'first', 'last', 'into')
    if (v == null) return undefined
    return {
      ...(into ? { into } : {}),
      version: v,
      identities: cit ? (JSON.parse(cit) as CitizenIds[]) : [],
      citizens: Number(c ?? 0),
      concentrated: conc === '1',
      ...(first ? { first: Number(first) } : {}),
      ...(last ? { last: Number(last) } : {}),
    }
  }

  async memberIds(matterId: string): Promise<string[]> {
    return this.#redis.zrange(this.keys.members(matterId), "0", "-1")
  }

  async never(appealId: string): Promise<Set<string>> {
    return new Set(await this.#redis.smembers(this.keys.never(appealId)))
  }

  /** Atomic link write. Returns undefined when a read went stale (caller retries). */
  async commit(input: CommitInput): Promise<{ created: boolean; matterId: string; became: boolean } | undefined> {
    const f = input.features
    const rl = input.relink
    // Taking the appeal out of an index entry changes what a reader of that token saw, too.
    const writeBuckets = [...new Set([...input.writeTokens, ...(rl?.unindex ?? [])].map(bucketOf))]
    const [status, matterId, became] = await this.#redis.matterLink(
      3 + input.writeTokens.length,
      this.keys.appeal(f.id),
      this.keys.versions,
      this.keys.seq,
      ...input.writeTokens.map((t) => this.keys.index(t)),
      f.id,
      f.at,
      f.number,
      JSON.stringify(f),
      JSON.stringify(input.link),
      input.matterId ?? '',
      input.matterVersion,
      JSON.stringify(input.identities),
      input.citizens,
      this.#ttlMs,
      input.cutoffMs,
      this.keys.matterPrefix,
      this.keys.membersPrefix,
      `${this.keys.base}:a:`,
      input.read.buckets.length,
      ...input.read.buckets.map(String),
      ...input.read.versions,
      writeBuckets.length,
      ...writeBuckets.map(String),
      input.fold.length,
      ...input.fold.flatMap((m) => [m.matterId, m.version]),
      this.keys.termDf(input.epoch),
      this.#ttlMs,
      input.terms.length,
      ...input.terms,
      this.keys.graphPrefix,
      this.#ttlMs,
      input.nodes.length,
      ...input.nodes,
      rl ? '1' : '',
      rl?.from ?? '',
      rl?.fromVersion ?? '',
      rl?.unindex.length ?? 0,
      ...(rl?.unindex ?? []).map((t) => this.keys.index(t)),
      rl?.unterms.length ?? 0,
      ...(rl?.unterms ?? []),
      rl?.oldNodes.length ?? 0,
      ...(rl?.oldNodes ?? []),
    )
    if (status === -1) return undefined
    if (status === 1) this.#remember(f.id, f, rl ? '1' : '')
    return { created: status === 1, matterId, became: became === 1 }
  }

  async linkRecord(appealId: string): Promise<{ matterId: string; link: Omit<MatterLink, 'matterId'> } | undefined> {
    const [m, l] = await this.#redis.hmget(this.keys.appeal(appealId), 'm', 'l')
    if (!m || !l) return undefined
    return { matterId: m, link: JSON.parse(l) as Omit<MatterLink, 'matterId'> }
  }

  /** Atomic move. 'retry' when a matter changed meanwhile, 'unknown' when the appeal is not linked. */
  async move(input: {
    appealId: string
    from: string
    fromState: MatterState
    fromIdentities: CitizenIds[]
    fromCitizens: number
    to: string | undefined
    toState: MatterState | undefined
    toIdentities: CitizenIds[]
    toCitizens: number
    decision: Decision
    never: 'add' | 'remove'
    pairedWith: string[]
  }): Promise<string | 'retry' | 'unknown'> {
    const [status, mid] = await this.#redis.matterMove(
      3,
      this.keys.appeal(input.appealId),
      this.keys.seq,
      this.keys.log,
      input.appealId,
      input.from,
      input.fromState.version,
      JSON.stringify(input.fromIdentities),
      input.fromCitizens,
      input.to ?? '',
      input.toState?.version ?? '',
      JSON.stringify(input.toIdentities),
      input.toCitizens,
      JSON.stringify(input.decision),
      this.#ttlMs,
      this.keys.matterPrefix,
      this.keys.membersPrefix,
      `${this.keys.base}:nx:`,
      input.never,
      input.pairedWith.length,
      ...input.pairedWith,
    )
    if (status === -1) return 'retry'
    if (status === -2) return 'unknown'
    return mid
  }

  async decide(appealId: string, decision: Decision): Promise<boolean> {
    return (await this.#redis.matterDecide(2, this.keys.appeal(appealId), this.keys.log, appealId, JSON.stringify(decision))) === 1
  }
}
