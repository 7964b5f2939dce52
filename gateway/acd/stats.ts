/**
 * Live and daily ACD figures, read from Redis (every process sees the same numbers).
 * Daily counters (hash <base>:stats:<yyyymmdd>, centre's time zone, day of the event):
 *   offered        calls that entered the queue (transfers are not counted again)
 *   answered       calls accepted by an agent; answeredSl those accepted within serviceLevelSeconds
 *   abandoned      calls that left the queue unanswered; abandonedShort those within shortAbandonSeconds
 *   asaMs          sum of waits of answered calls; handled / handleMs: completed calls, accept -> complete
 *   writtenTaken / writtenInTarget: written appeals accepted, and accepted within writtenTargetSeconds
 * Rates (docs/acd.md):
 *   answeredWithin15sRate = answeredSl / (answered + abandoned - abandonedShort)
 *   abandonRate           = (abandoned - abandonedShort) / (answered + abandoned - abandonedShort)
 *   answerRate            = answered / (answered + abandoned)   (GB/T 33358 接通率: every abandon counts)
 */
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import { localDate } from '../queue/local-date.ts'
import { PRIORITY } from '../domain/appeal.ts'
import { scoreOf } from './entry-spec.ts'
import { estimatedWaitSeconds } from './ewt.ts'
import type { AcdKeys } from './keys.ts'
import type { AcdStats, AgentState, IntervalStats, Position, QueueStatsView } from './types.ts'

const STATES: AgentState[] = ['offline', 'ready', 'reserved', 'busy', 'wrap-up', 'not-ready']
const STAFFED = new Set<string>(['ready', 'reserved', 'busy', 'wrap-up'])

export interface StatsReaderOptions {
  redis: Redis
  keys: AcdKeys
  acd: Config['acd']
  timezone: string
  clock: () => Date
}

export function intervalStats(h: Record<string, string>): IntervalStats {
  const n = (k: string) => Number(h[k] ?? 0)
  const answered = n('answered')
  const abandoned = n('abandoned')
  const short = n('abandonedShort')
  const base = answered + abandoned - short
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0)
  return {
    offered: n('offered'),
    answered,
    abandoned,
    answeredWithin15sRate: ratio(n('answeredSl'), base),
    answerRate: ratio(answered, answered + abandoned),
    abandonRate: ratio(abandoned - short, base),
    averageSpeedOfAnswerSeconds: ratio(n('asaMs') / 1000, answered),
    averageHandleTimeSeconds: ratio(n('handleMs') / 1000, n('handled')),
    writtenWithin3minRate: ratio(n('writtenInTarget'), n('writtenTaken')),
  }
}

export class AcdStatsReader {
  readonly #o: StatsReaderOptions

  constructor(opts: StatsReaderOptions) {
    this.#o = opts
  }

  async stats(): Promise<AcdStats> {
    const { redis, keys } = this.#o
    const now = this.#o.clock()
    const queues = await this.queues()
    const agentIds = await redis.smembers(keys.agents)
    const pipe = redis.pipeline()
    for (const id of agentIds) pipe.hget(keys.agent(id), 'state')
    const states = ((await pipe.exec()) ?? []).map(([, s]) => s as string | null)
    const agentsByState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AgentState, number>
    for (const s of states) if (s && s in agentsByState) agentsByState[s as AgentState]++
    const day = localDate(now, this.#o.timezone).replaceAll('-', '')
    const today = intervalStats(await redis.hgetall(keys.stats(day)))
    return { at: now.toISOString(), queues, agentsByState, today }
  }

  async queues(): Promise<QueueStatsView[]> {
    const { redis, keys } = this.#o
    const nowMs = this.#o.clock().getTime()
    const names = (await redis.smembers(keys.queues)).sort()
    const out: QueueStatsView[] = []
    for (const queue of names) {
      const k = keys.waiting(queue)
      const waiting = await redis.zcard(k)
      let oldest = Infinity
      // One band per priority: the head of each band is its oldest entry.
      for (const p of Object.values(PRIORITY)) {
        const head = await redis.zrangebyscore(k, scoreOf(p, 0), scoreOf(p + 1, 0) - 1, 'WITHSCORES', 'LIMIT', 0, 1)
        if (head.length === 2) oldest = Math.min(oldest, Number(head[1]) - scoreOf(p, 0))
      }
      out.push({ queue, waiting, longestWaitSeconds: oldest === Infinity ? 0 : Math.max(0, Math.round((nowMs - oldest) / 1000)) })
    }
    return out
  }

  async position(appealId: string): Promise<Position | undefined> {
    const { redis, keys } = this.#o
    const e = await redis.hmget(keys.entry(appealId), 'queue', 'kind', 'offer')
    const [queue, kind, offer] = e
    if (!queue) return undefined
    if (offer) return { appealId, position: 1, estimatedWaitSeconds: 0 }
    const rank = await redis.zrank(keys.waiting(queue), appealId)
    if (rank === null) return undefined
    const position = rank + 1
    const skillAgents = await redis.smembers(keys.skillAgents(`hotline:${queue}`))
    let staffed = 0
    let ready = 0
    if (skillAgents.length) {
      const pipe = redis.pipeline()
      for (const a of skillAgents) {
        pipe.hget(keys.agent(a), 'state')
        pipe.zscore(keys.avail, a)
      }
      const res = (await pipe.exec()) ?? []
      for (let i = 0; i < res.length; i += 2) {
        if (STAFFED.has(res[i][1] as string)) staffed++
        if (res[i + 1][1] !== null) ready++
      }
    }
    const aht = Number((await redis.hget(keys.aht, kind ?? 'call')) ?? this.#o.acd.defaultHandleSeconds)
    return { appealId, position, estimatedWaitSeconds: estimatedWaitSeconds(position, ready, staffed, aht) }
  }
}
