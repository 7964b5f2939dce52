/**
 * Appeal records in Redis. One hash per appeal:
 *   number  - the citizen-facing appeal number
 *   data    - JSON of the appeal without number/status/history
 *   status  - current status
 *   history - comma-joined JSON status changes (read as a JSON array)
 *   ih      - intake hash of what the channel sent (tells a re-delivery from a reused key)
 *   call    - (voice) the call reference as it changed after intake (call-back, recording)
 * The pending set holds every appeal whose intake pipeline (queue add, then the post-intake hook:
 * matter linking, ACD entry) has not finished; the sweeper finishes what a crash interrupted.
 * Creation is one Lua script (these are our own keys, not bullmq's): either the record, its number,
 * its citizen indexes and its pending mark all exist, or none does.
 */
import type { Redis } from 'ioredis'
import type { Appeal, AppealStatus, CallRef, StatusChange } from '../domain/appeal.ts'
import type { CitizenKey } from '../domain/ports.ts'
import type { AppealKeys } from './keys.ts'

const CREATE = `
local existing = redis.call('HMGET', KEYS[1], 'number', 'status', 'ih')
if existing[1] then return {0, existing[1], existing[2], existing[3]} end
local seq = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], 259200)
local number = ARGV[1] .. '-' .. string.rep('0', 6 - string.len(tostring(seq))) .. tostring(seq)
local ttl = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'number', number, 'data', ARGV[2], 'status', 'received', 'history', ARGV[3], 'ih', ARGV[4])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('SET', ARGV[6] .. number, ARGV[7], 'EX', ttl)
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[8], ARGV[7])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', tostring(tonumber(ARGV[8]) - ttl * 1000))
  redis.call('EXPIRE', KEYS[i], ttl)
end
return {1, number, 'received', ARGV[4]}
`

/** Moves status from one of ARGV[1] (comma-separated) to ARGV[2]; appends history. */
const TRANSITION = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == status then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'history', redis.call('HGET', KEYS[1], 'history') .. ',' .. ARGV[3])
return 1
`

interface StoreRedis extends Redis {
  appealCreate(...args: (string | number)[]): Promise<[number, string, string, string]>
  appealTransition(...args: (string | number)[]): Promise<number>
}

export interface CreateInput {
  appeal: Omit<Appeal, 'appealNumber' | 'status' | 'history'>
  localDate: string
  intakeHash: string
  retentionSeconds: number
}

export interface CreateResult {
  created: boolean
  appealNumber: string
  status: AppealStatus
  intakeHash: string
}

export class AppealStore {
  readonly #redis: StoreRedis
  readonly #keys: AppealKeys

  constructor(redis: Redis, keys: AppealKeys) {
    if (!('appealCreate' in redis)) {
      redis.defineCommand('appealCreate', { lua: CREATE })
      redis.defineCommand('appealTransition', { lua: TRANSITION })
    }
    this.#redis = redis as StoreRedis
    this.#keys = keys
  }

  async create(input: CreateInput): Promise<CreateResult> {
    const { appeal } = input
    const k = this.#keys
    const citizenKeys = citizenKeysOf(appeal.citizen).map((c) => k.citizen(c.kind, c.value))
    const first: StatusChange = { status: 'received', at: appeal.receivedAt }
    const at = Date.parse(appeal.receivedAt)
    const [created, appealNumber, status, ih] = await this.#redis.appealCreate(
      3 + citizenKeys.length,
      k.appeal(appeal.id),
      k.daySeq(input.localDate.replaceAll('-', '')),
      k.pending,
      ...citizenKeys,
      input.localDate.replaceAll('-', ''),
      JSON.stringify(appeal),
      JSON.stringify(first),
      input.intakeHash,
      input.retentionSeconds,
      k.numberIndexPrefix,
      appeal.id,
      at,
    )
    return { created: created === 1, appealNumber, status: status as AppealStatus, intakeHash: ih }
  }

  /** Applies a status change if the current status is one of `from`. Returns false if it was not. */
  async transition(id: string, from: AppealStatus[], to: AppealStatus, at: string, by?: string): Promise<boolean> {
    const change: StatusChange = by ? { status: to, at, by } : { status: to, at }
    const r = await this.#redis.appealTransition(
      2,
      this.#keys.appeal(id),
      this.#keys.pending,
      from.join(','),
      to,
      JSON.stringify(change),
      id,
    )
    return r === 1
  }

  /**
   * Replaces the call reference of a voice appeal (call-back kept, recording path). Kept in its own
   * field `call` of the hash, which overrides the one in `data`: one HSET, no read-modify-write.
   */
  async updateCall(id: string, call: CallRef): Promise<boolean> {
    const key = this.#keys.appeal(id)
    if (!(await this.#redis.hexists(key, 'data'))) return false
    await this.#redis.hset(key, 'call', JSON.stringify(call))
    return true
  }

  async get(id: string): Promise<Appeal | undefined> {
    const h = await this.#redis.hgetall(this.#keys.appeal(id))
    return fromHash(h)
  }

  async getMany(ids: string[]): Promise<Appeal[]> {
    if (ids.length === 0) return []
    const pipe = this.#redis.pipeline()
    for (const id of ids) pipe.hgetall(this.#keys.appeal(id))
    const res = (await pipe.exec()) ?? []
    return res.map(([, h]) => fromHash(h as Record<string, string>)).filter((a): a is Appeal => a !== undefined)
  }

  async idByNumber(appealNumber: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.numberIndex(appealNumber))) ?? undefined
  }

  async citizenAppealIds(key: CitizenKey, limit: number): Promise<string[]> {
    return this.#redis.zrevrange(this.#keys.citizen(key.kind, key.value), 0, limit - 1)
  }

  /** Appeals whose queue entry was never confirmed, received before `olderThanMs`. */
  async pendingBefore(olderThanMs: number, limit = 100): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#keys.pending, '-inf', olderThanMs, 'LIMIT', 0, limit)
  }

  async dropPending(id: string): Promise<void> {
    await this.#redis.zrem(this.#keys.pending, id)
  }
}

export function citizenKeysOf(c: Appeal['citizen']): CitizenKey[] {
  const keys: CitizenKey[] = []
  if (c.phone) keys.push({ kind: 'phone', value: c.phone })
  if (c.openid) keys.push({ kind: 'openid', value: c.openid })
  return keys
}

function fromHash(h: Record<string, string> | null | undefined): Appeal | undefined {
  if (!h || !h.data) return undefined
  const data = JSON.parse(h.data) as Omit<Appeal, 'appealNumber' | 'status' | 'history'>
  return {
    ...data,
    ...(h.call ? { call: JSON.parse(h.call) as CallRef } : {}),
    appealNumber: h.number,
    status: h.status as AppealStatus,
    history: JSON.parse(`[${h.history}]`) as StatusChange[],
  }
}
