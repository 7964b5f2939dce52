/**
 * Completing an appeal's record with what the agent entered. The record hash is the queue's
 * (gateway/queue/appeal-store.ts); this one script only replaces `data` and sets status completed,
 * and only while the appeal is in progress, so a repeated completion changes nothing.
 */
import type { Redis } from 'ioredis'
import { CATEGORIES, type Appeal, type StatusChange } from '../domain/appeal.ts'
import { appealKeys } from '../queue/keys.ts'
import type { AppealStore } from '../queue/appeal-store.ts'
import { ACD_ERR_APPEAL_NOT_FOUND, ACD_ERR_INVALID_RECORD, ACD_ERR_INVALID_STATE } from './errors.ts'
import { withField } from '../errors.ts'
import type { IntakeRecord } from './types.ts'
import type { MatterSummary } from '../matter/summary.ts'

const COMPLETE_RECORD = `
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return 'missing' end
if st == 'completed' then return 'already' end
if st ~= 'in-progress' then return st end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'status', 'completed', 'history', redis.call('HGET', KEYS[1], 'history') .. ',' .. ARGV[2])
return 'ok'
`

interface RecordRedis extends Redis {
  acdCompleteRecord(key: string, data: string, change: string): Promise<string>
}

/** The appeal as handed off: the agent's intake record merged in, and its matter (并案) if linked. */
export type CompletedAppeal = Appeal & {
  intake: { summary?: string; disposition: string; agentId: string; completedAt: string }
  matter?: MatterSummary
}

/**
 * Reads an appeal's matter at completion, so agent decisions made on the card travel with it.
 * `completing` is the appeal as the agent completed it (summary, category, place): the matter side
 * may first link a call again on it (gateway/pipeline/post-completion.ts).
 */
export type MatterOf = (appealId: string, completing?: CompletedAppeal) => Promise<MatterSummary | undefined>

export class AppealRecords {
  readonly #redis: RecordRedis
  readonly #keys: ReturnType<typeof appealKeys>
  readonly #store: AppealStore
  readonly #matterOf?: MatterOf

  constructor(redis: Redis, keyPrefix: string, store: AppealStore, matterOf?: MatterOf) {
    if (!('acdCompleteRecord' in redis)) redis.defineCommand('acdCompleteRecord', { numberOfKeys: 1, lua: COMPLETE_RECORD })
    this.#redis = redis as RecordRedis
    this.#keys = appealKeys(keyPrefix)
    this.#store = store
    this.#matterOf = matterOf
  }

  async complete(appealId: string, record: IntakeRecord, agentId: string, at: string): Promise<CompletedAppeal> {
    const appeal = await this.#store.get(appealId)
    if (!appeal) throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    if (appeal.status === 'completed') return appeal as CompletedAppeal
    const completing: CompletedAppeal = {
      ...appeal,
      ...(record.category ? { category: record.category } : {}),
      ...(record.location ? { location: record.location } : {}),
      confidential: record.confidential ?? appeal.confidential,
      intake: {
        ...(record.summary ? { summary: record.summary } : {}),
        disposition: record.disposition,
        agentId,
        completedAt: at,
      },
    }
    const matter = await this.#matterOf?.(appealId, completing)
    const merged: CompletedAppeal = { ...completing, ...(matter ? { matter } : {}) }
    const { appealNumber: _n, status: _s, history: _h, ...data } = merged
    const change: StatusChange = { status: 'completed', at, by: agentId }
    const r = await this.#redis.acdCompleteRecord(this.#keys.appeal(appealId), JSON.stringify(data), JSON.stringify(change))
    if (r === 'missing') throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    if (r !== 'ok' && r !== 'already') throw new ACD_ERR_INVALID_STATE(`appeal is ${r}`)
    const stored = await this.#store.get(appealId)
    return stored as CompletedAppeal
  }
}

/** What an agent's completion must carry: a disposition, and a category the centre knows. */
export function checkRecord(record: IntakeRecord): void {
  if (!record || typeof record.disposition !== 'string' || record.disposition.trim() === '') {
    throw withField(new ACD_ERR_INVALID_RECORD('disposition is required'), '/disposition')
  }
  if (record.category !== undefined && !CATEGORIES.includes(record.category)) {
    throw withField(new ACD_ERR_INVALID_RECORD(`unknown category ${record.category}`), '/category')
  }
}
