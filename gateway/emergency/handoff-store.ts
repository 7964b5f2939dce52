/**
 * Handoff records in Redis, under config.redis.keyPrefix:
 *   <p>:emergency:handoff:<id>              hash {data: record JSON, v: version}
 *   <p>:emergency:appeal:<appealId>         list of the appeal's handoff ids, oldest first (its history)
 *   <p>:emergency:open:<appealId>:<partner> the id of the appeal's unreturned handoff to that partner
 *   <p>:emergency:day:<YYYYMMDD>            hash partner -> handoffs that centre-local day (wallboard)
 *   <p>:emergency:link:<sha256(token)>      {handoffId, expiresAt} of a dispatcher link
 * Creating is one script (record, list, day count, link: all or nothing; a second handoff of the
 * same appeal to the same partner while one is open returns that one). Every later change is a
 * compare-and-set on the version, retried: the status rules stay in TypeScript (handoff-record.ts)
 * and a push answer and a dispatcher's answer arriving together both land.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { localDate } from '../queue/local-date.ts'
import type { HandoffRecord } from './handoff-record.ts'
import type { PartnerId } from './partners.ts'

// KEYS: record, appeal list, open, day, link. ARGV: id, data, retention s, day retention s, partner,
// link JSON, link ttl s, record key prefix.
const CREATE = `
local open = redis.call('GET', KEYS[3])
if open and redis.call('EXISTS', ARGV[8] .. open) == 1 then return {0, open} end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
redis.call('HINCRBY', KEYS[4], ARGV[5], 1)
redis.call('EXPIRE', KEYS[4], ARGV[4])
redis.call('SET', KEYS[5], ARGV[6], 'EX', ARGV[7])
return {1, ARGV[1]}
`

// KEYS: record, open. ARGV: expected version, data, '1' to close the open mark, id.
const UPDATE = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'v', tonumber(v) + 1)
if ARGV[3] == '1' and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return 1
`

interface StoreRedis extends Redis {
  emergencyCreate(...args: (string | number)[]): Promise<[number, string]>
  emergencyUpdate(...args: (string | number)[]): Promise<number>
}

export interface LinkEntry {
  handoffId: string
  expiresAt: string
}

export interface HandoffStoreOptions {
  /** Days records and the per-appeal lists are kept (queue.retentionDays: as long as the appeal). */
  retentionDays: number
  /** Days the per-partner day counts are kept (acd.historyDays). */
  countDays: number
  timezone: string
}

/** An expired link still answers "expired" (410) this long before it is forgotten (404). */
const EXPIRED_LINK_GRACE_SECONDS = 30 * 86400
const MAX_CAS_TRIES = 20

export const linkHash = (token: string) => createHash('sha256').update(token).digest('base64url')

export function emergencyKeys(prefix: string) {
  return {
    recordPrefix: `${prefix}:emergency:handoff:`,
    record: (id: string) => `${prefix}:emergency:handoff:${id}`,
    appeal: (appealId: string) => `${prefix}:emergency:appeal:${appealId}`,
    open: (appealId: string, partner: string) => `${prefix}:emergency:open:${appealId}:${partner}`,
    day: (yyyymmdd: string) => `${prefix}:emergency:day:${yyyymmdd}`,
    link: (token: string) => `${prefix}:emergency:link:${linkHash(token)}`,
    partnerRecord: (partner: string, reference: string) => `${prefix}:emergency:partner-record:${partner}:${reference}`,
  }
}

export class HandoffStore {
  readonly #redis: StoreRedis
  readonly #keys: ReturnType<typeof emergencyKeys>
  readonly #o: HandoffStoreOptions

  constructor(redis: Redis, keyPrefix: string, opts: HandoffStoreOptions) {
    if (!('emergencyCreate' in redis)) {
      redis.defineCommand('emergencyCreate', { numberOfKeys: 5, lua: CREATE })
      redis.defineCommand('emergencyUpdate', { numberOfKeys: 2, lua: UPDATE })
    }
    this.#redis = redis as StoreRedis
    this.#keys = emergencyKeys(keyPrefix)
    this.#o = opts
  }

  /**
   * Stores a new record and its link token. Returns the record stored: this one, or the appeal's
   * handoff to the same partner that is still open (not returned), with created false.
   */
  async create(record: HandoffRecord, token: string, now: Date): Promise<{ record: HandoffRecord; created: boolean }> {
    const k = this.#keys
    const link: LinkEntry = { handoffId: record.id, expiresAt: record.linkExpiresAt }
    const linkTtl = Math.max(1, Math.ceil((Date.parse(record.linkExpiresAt) - now.getTime()) / 1000)) + EXPIRED_LINK_GRACE_SECONDS
    const day = localDate(new Date(record.time), this.#o.timezone).replaceAll('-', '')
    const [created, id] = await this.#redis.emergencyCreate(
      k.record(record.id),
      k.appeal(record.appealId),
      k.open(record.appealId, record.partner),
      k.day(day),
      k.link(token),
      record.id,
      JSON.stringify(record),
      this.#o.retentionDays * 86400,
      this.#o.countDays * 86400,
      record.partner,
      JSON.stringify(link),
      linkTtl,
      k.recordPrefix,
    )
    if (created === 1) return { record, created: true }
    const existing = await this.get(id)
    if (!existing) throw new Error(`handoff ${id} vanished`)
    return { record: existing, created: false }
  }

  async get(id: string): Promise<HandoffRecord | undefined> {
    return (await this.#read(id))?.record
  }

  async #read(id: string): Promise<{ record: HandoffRecord; v: string } | undefined> {
    const [data, v] = await this.#redis.hmget(this.#keys.record(id), 'data', 'v')
    return data && v ? { record: JSON.parse(data) as HandoffRecord, v } : undefined
  }

  /**
   * Applies `change` to the current record atomically (compare-and-set on its version, retried).
   * `change` may throw (a refused answer) or return the same record (nothing to write).
   * undefined: no such record.
   */
  async update(id: string, change: (r: HandoffRecord) => HandoffRecord): Promise<{ record: HandoffRecord; changed: boolean } | undefined> {
    for (let i = 0; i < MAX_CAS_TRIES; i++) {
      const cur = await this.#read(id)
      if (!cur) return undefined
      const next = change(cur.record)
      if (next === cur.record) return { record: cur.record, changed: false }
      const closes = next.status === 'returned' ? '1' : '0'
      const r = await this.#redis.emergencyUpdate(this.#keys.record(id), this.#keys.open(next.appealId, next.partner), cur.v, JSON.stringify(next), closes, id)
      if (r === 1) return { record: next, changed: true }
      if (r === -1) return undefined
    }
    throw new Error(`handoff ${id}: too many concurrent changes`)
  }

  /** The appeal's handoffs, oldest first. */
  async forAppeal(appealId: string): Promise<HandoffRecord[]> {
    const ids = await this.#redis.lrange(this.#keys.appeal(appealId), 0, -1)
    if (ids.length === 0) return []
    const pipe = this.#redis.pipeline()
    for (const id of ids) pipe.hget(this.#keys.record(id), 'data')
    const rows = (await pipe.exec()) ?? []
    return rows.flatMap(([err, data]) => (!err && typeof data === 'string' ? [JSON.parse(data) as HandoffRecord] : []))
  }

  /** Handoffs per partner on the centre-local day of `at`. */
  async dayCounts(at: Date): Promise<Partial<Record<PartnerId, number>>> {
    const day = localDate(at, this.#o.timezone).replaceAll('-', '')
    const raw = await this.#redis.hgetall(this.#keys.day(day))
    return Object.fromEntries(Object.entries(raw).map(([p, n]) => [p, Number(n)]))
  }

  /** The link token's entry (even when expired: the caller says so), or undefined. */
  async link(token: string): Promise<LinkEntry | undefined> {
    const raw = await this.#redis.get(this.#keys.link(token))
    return raw ? (JSON.parse(raw) as LinkEntry) : undefined
  }
}
