/**
 * The ACD on Redis. Redis is the truth: agents, waiting entries, offers, deadlines and counters are
 * keys under `<prefix>:acd`, changed only by the Lua scripts in ./lua (match + reservation is one
 * script), and every change is published on `<prefix>:acd:events` from inside its script, so every
 * gateway process sees every event. Any process may sweep deadlines and run the matcher.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config, Hotline } from '../../config/schema.ts'
import { CATEGORIES, type Appeal } from '../domain/appeal.ts'
import type { RedisAppealQueue } from '../queue/redis-appeal-queue.ts'
import { localDate } from '../queue/local-date.ts'
import type { Handoff } from '../handoff/workorder-handoff.ts'
import { AppealRecords, type CompletedAppeal, type MatterOf } from './appeal-records.ts'
import { entrySpecOf, relaxationFor } from './entry-spec.ts'
import {
  ACD_ERR_APPEAL_NOT_FOUND,
  ACD_ERR_INVALID_REASON,
  ACD_ERR_INVALID_RECORD,
  ACD_ERR_INVALID_STATE,
  ACD_ERR_NOT_HOLDING,
  ACD_ERR_OFFER_NOT_FOUND,
  ACD_ERR_UNKNOWN_AGENT,
  ACD_ERR_UNKNOWN_QUEUE,
} from './errors.ts'
import { withField } from '../errors.ts'
import { acdKeys, type AcdKeys } from './keys.ts'
import { ADD_ENTRY, ACCEPT, ABANDON, DECLINE, DISPATCH, SWEEP } from './lua/routing.ts'
import { COMPLETE, EXPIRE_PRESENCE, REGISTER_AGENT, SET_STATE, TRANSFER } from './lua/agents.ts'
import { AcdStatsReader } from './stats.ts'
import {
  NOT_READY_REASONS,
  type Acd,
  type AcdEvent,
  type AcdStats,
  type AgentProfile,
  type AgentStatus,
  type IntakeRecord,
  type NotReadyReason,
  type Position,
  type TransferTarget,
} from './types.ts'

const SCRIPTS = {
  acdAddEntry: ADD_ENTRY,
  acdDispatch: DISPATCH,
  acdAccept: ACCEPT,
  acdDecline: DECLINE,
  acdAbandon: ABANDON,
  acdSweep: SWEEP,
  acdRegister: REGISTER_AGENT,
  acdSetState: SET_STATE,
  acdComplete: COMPLETE,
  acdTransfer: TRANSFER,
  acdExpirePresence: EXPIRE_PRESENCE,
} as const

type ScriptRedis = Redis & { [K in keyof typeof SCRIPTS]: (...args: (string | number)[]) => Promise<unknown> }

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export interface RedisAcdOptions {
  redis: Redis
  keyPrefix: string
  acd: Config['acd']
  timezone: string
  hotlines: readonly Hotline[]
  appeals: RedisAppealQueue
  handoff?: Handoff
  /** The appeal's matter (并案) at completion, carried in the handed-off record. */
  matterOf?: MatterOf
  agents?: AgentProfile[]
  clock?: () => Date
  logger?: Logger
  /** Timer for the deadline sweep; `false`: none (tests call sweep() with an injected clock). */
  timers?: Timers | false
}

export class RedisAcd implements Acd {
  readonly keys: AcdKeys
  readonly #redis: ScriptRedis
  readonly #o: RedisAcdOptions
  readonly #clock: () => Date
  readonly #records: AppealRecords
  readonly #stats: AcdStatsReader
  readonly #listeners = new Set<(e: AcdEvent) => void>()
  #sub?: Redis
  #timer?: unknown
  #closed = false

  constructor(opts: RedisAcdOptions) {
    this.#o = opts
    this.#clock = opts.clock ?? (() => new Date())
    this.keys = acdKeys(opts.keyPrefix)
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in opts.redis)) opts.redis.defineCommand(name, { numberOfKeys: 0, lua })
    }
    this.#redis = opts.redis as ScriptRedis
    this.#records = new AppealRecords(opts.redis, opts.keyPrefix, opts.appeals.store, opts.matterOf)
    this.#stats = new AcdStatsReader({ redis: opts.redis, keys: this.keys, acd: opts.acd, timezone: opts.timezone, clock: this.#clock })
  }

  /** Registers agents, subscribes to events, rebuilds waiting entries from the queue, starts the sweep. */
  async start(): Promise<void> {
    for (const a of this.#o.agents ?? []) await this.registerAgent(a)
    this.#sub = this.#o.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false })
    this.#sub.on('error', (err) => this.#o.logger?.warn({ err: { message: err.message } }, 'acd event subscriber error'))
    this.#sub.on('message', (_channel: string, message: string) => this.#emit(message))
    await this.#sub.subscribe(this.keys.events)
    await this.recover()
    if (this.#o.timers !== false) {
      const timers = this.#o.timers ?? { setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref(), clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout) }
      this.#timer = timers.setInterval(() => void this.sweep().catch((err) => this.#o.logger?.warn({ err: { message: (err as Error).message } }, 'acd sweep failed')), this.#o.acd.sweepIntervalMs)
    }
    await this.dispatch()
  }

  #ctx(): (string | number)[] {
    const now = this.#clock()
    const a = this.#o.acd
    return [
      this.keys.base,
      now.getTime(),
      now.toISOString(),
      localDate(now, this.#o.timezone).replaceAll('-', ''),
      a.historyDays * 86400,
      Math.round(a.serviceLevelSeconds * 1000),
      Math.round(a.shortAbandonSeconds * 1000),
      Math.round(a.writtenTargetSeconds * 1000),
    ]
  }

  #at(offsetMs: number): [string, number] {
    const ms = this.#clock().getTime() + offsetMs
    return [new Date(ms).toISOString(), ms]
  }

  #emit(message: string): void {
    let event: AcdEvent
    try {
      event = normalizeEvent(JSON.parse(message))
    } catch {
      return
    }
    for (const l of this.#listeners) {
      try {
        l(event)
      } catch (err) {
        this.#o.logger?.error({ err }, 'acd event listener threw')
      }
    }
  }

  async registerAgent(p: AgentProfile): Promise<void> {
    await this.#redis.acdRegister(...this.#ctx(), p.id, p.name, p.role, p.writtenCapacity, ...p.skills.map((s) => s.skill))
  }

  /** Runs the matcher once; returns how many offers it made. */
  async dispatch(): Promise<number> {
    const [expIso] = this.#at(this.#o.acd.offerTimeoutSeconds * 1000)
    return (await this.#redis.acdDispatch(
      ...this.#ctx(),
      this.#o.acd.maxScan,
      Math.round(this.#o.acd.offerTimeoutSeconds * 1000),
      expIso,
    )) as number
  }

  /**
   * Expires offers and wrap-ups that are due, sends agents whose console is gone offline, then runs
   * the matcher (entries age into relaxed rings).
   */
  async sweep(): Promise<void> {
    if (this.#closed) return
    await this.#redis.acdSweep(...this.#ctx(), 500)
    await this.expirePresence()
    await this.dispatch()
  }

  /** A console of these agents is connected now (called on connect and on every heartbeat). */
  async touchPresence(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return
    const now = this.#clock().getTime()
    await this.#redis.zadd(this.keys.presence, ...agentIds.flatMap((a) => [now, a]))
  }

  /**
   * Agents with no console for acd.presenceTimeoutSeconds go offline (unless they hold appeals):
   * a closed browser or a dead PC must not keep receiving offers it will miss. Only agents that
   * ever had a console are watched. Returns the agents sent offline.
   */
  async expirePresence(): Promise<string[]> {
    const timeout = this.#o.acd.presenceTimeoutSeconds
    if (!timeout) return []
    const cutoff = this.#clock().getTime() - timeout * 1000
    const gone = (await this.#redis.acdExpirePresence(...this.#ctx(), cutoff, 500)) as string[]
    if (gone.length > 0) this.#o.logger?.info({ agents: gone, code: 'ACD_PRESENCE_LOST' }, 'agents without a console went offline')
    return gone
  }

  async addEntry(appeal: Appeal): Promise<void> {
    await this.#add(appeal, true)
    await this.dispatch()
  }

  async #add(appeal: Appeal, countOffered: boolean): Promise<boolean> {
    const s = entrySpecOf(appeal, this.#o.hotlines, this.#o.acd)
    const r = await this.#redis.acdAddEntry(
      ...this.#ctx(),
      appeal.id,
      s.queue,
      s.kind,
      s.score,
      s.enqueuedMs,
      s.skills.join('\n'),
      s.relax,
      countOffered ? 1 : 0,
    )
    return r === 1
  }

  /**
   * Rebuilds waiting entries after a crash or restart. The bullmq job (jobId = appeal id) is the
   * durable record of "waiting": a job whose appeal is queued but has no ACD entry (and no agent)
   * becomes an entry again with its original time; a job whose appeal was already taken is removed.
   */
  async recover(opts: { olderThanMs?: number } = {}): Promise<{ added: number; removed: number }> {
    let added = 0
    let removed = 0
    const q = this.#o.appeals.queue
    // A periodic run skips young jobs: their intake may still be between the job add and addEntry.
    // (bullmq stamps jobs with the wall clock, so this compares against Date.now, not the injected clock.)
    const before = opts.olderThanMs === undefined ? Infinity : Date.now() - opts.olderThanMs
    for (let start = 0; ; start += 500) {
      const jobs = await q.getJobs(['prioritized', 'waiting'], start, start + 499, true)
      for (const job of jobs) {
        if (!job?.id || job.timestamp > before) continue
        const appeal = await this.#o.appeals.get(job.id)
        if (!appeal || ['in-progress', 'completed', 'cancelled'].includes(appeal.status)) {
          if ((await q.remove(job.id)) === 1) removed++
          continue
        }
        if (appeal.status === 'queued' && (await this.#add(appeal, false))) added++
      }
      if (jobs.length < 500) break
    }
    if (added || removed) this.#o.logger?.warn({ added, removed }, 'acd rebuilt waiting entries from the queue')
    return { added, removed }
  }

  async setState(agentId: string, state: 'ready' | 'not-ready' | 'offline', reason?: NotReadyReason, by?: string): Promise<AgentStatus> {
    if (state === 'not-ready' && (!reason || !NOT_READY_REASONS.includes(reason))) {
      throw withField(new ACD_ERR_INVALID_REASON(String(reason ?? '')), '/reason')
    }
    const r = await this.#redis.acdSetState(...this.#ctx(), agentId, state, state === 'not-ready' ? reason! : '', by ?? agentId)
    if (r === 'unknown') throw new ACD_ERR_UNKNOWN_AGENT(agentId)
    if (r === 'holds') throw new ACD_ERR_INVALID_STATE('the agent still holds appeals; complete or transfer them first')
    if (state === 'ready') await this.dispatch()
    return this.status(agentId)
  }

  async accept(agentId: string, offerId: string): Promise<Appeal> {
    const r = (await this.#redis.acdAccept(...this.#ctx(), agentId, offerId)) as string[]
    if (r[0] !== 'ok') throw new ACD_ERR_OFFER_NOT_FOUND()
    const appealId = r[1]
    const at = this.#clock().toISOString()
    await this.#o.appeals.store.transition(appealId, ['queued', 'offered'], 'in-progress', at, agentId)
    // The job was the durable "waiting" record; the appeal now lives with the agent.
    await this.#o.appeals.queue.remove(appealId)
    const appeal = await this.#o.appeals.get(appealId)
    if (!appeal) throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    // An agent on written work stays available up to capacity.
    if (r[2] === 'written') await this.dispatch()
    return appeal
  }

  async decline(agentId: string, offerId: string): Promise<void> {
    const r = await this.#redis.acdDecline(...this.#ctx(), agentId, offerId)
    if (r !== 1) throw new ACD_ERR_OFFER_NOT_FOUND()
    await this.dispatch()
  }

  async #holds(agentId: string, appealId: string): Promise<boolean> {
    return (await this.#redis.sismember(this.keys.agentAppeals(agentId), appealId)) === 1
  }

  async complete(agentId: string, appealId: string, record: IntakeRecord): Promise<CompletedAppeal> {
    checkRecord(record)
    if (!(await this.#holds(agentId, appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
    // Record and handoff first: a crash before the ACD step leaves the agent holding an appeal whose
    // completion is repeatable (both writes are idempotent).
    const appeal = await this.#records.complete(appealId, record, agentId, this.#clock().toISOString())
    await this.#o.handoff?.deliver(appeal)
    const [wrapIso, wrapMs] = this.#at(this.#o.acd.wrapUpSeconds * 1000)
    await this.#redis.acdComplete(...this.#ctx(), agentId, appealId, wrapIso, wrapMs)
    await this.dispatch()
    return appeal
  }

  async endWrapUp(agentId: string): Promise<AgentStatus> {
    const st = await this.status(agentId)
    if (st.state !== 'wrap-up') throw new ACD_ERR_INVALID_STATE(`agent is ${st.state}, not in wrap-up`)
    return this.setState(agentId, 'ready', undefined, agentId)
  }

  async transfer(agentId: string, appealId: string, target: TransferTarget): Promise<void> {
    let queue: string
    let skills: string[]
    let relax: string
    if ('agentId' in target) {
      if (!(await this.#redis.exists(this.keys.agent(target.agentId)))) {
        throw withField(new ACD_ERR_UNKNOWN_AGENT(target.agentId), '/agentId')
      }
      queue = `agent-${target.agentId}`
      skills = [`agent:${target.agentId}`]
      relax = ''
    } else {
      if (!this.#o.hotlines.some((h) => h.skill === target.queue)) throw withField(new ACD_ERR_UNKNOWN_QUEUE(target.queue), '/queue')
      queue = target.queue
      skills = [`hotline:${queue}`, `language:${this.#o.acd.defaultLanguage}`]
      relax = relaxationFor(this.#o.acd, queue)
    }
    if (!(await this.#holds(agentId, appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
    await this.#requeue(agentId, appealId, queue, skills, relax, agentId, false)
  }

  async reclaim(agentId: string, by: string): Promise<string[]> {
    if (!(await this.#redis.exists(this.keys.agent(agentId)))) throw withField(new ACD_ERR_UNKNOWN_AGENT(agentId), '/agentId')
    const reclaimed: string[] = []
    for (const appealId of await this.#redis.smembers(this.keys.agentAppeals(agentId))) {
      const appeal = await this.#o.appeals.get(appealId)
      if (!appeal) continue
      const s = entrySpecOf(appeal, this.#o.hotlines, this.#o.acd)
      try {
        await this.#requeue(agentId, appealId, s.queue, s.skills, s.relax, by, true)
        reclaimed.push(appealId)
      } catch (err) {
        // Completed or transferred by the agent meanwhile: nothing to take back.
        if ((err as { code?: string }).code !== 'ACD_ERR_NOT_HOLDING') throw err
      }
    }
    if (reclaimed.length) this.#o.logger?.info({ agentId, by, appealIds: reclaimed }, 'supervisor took appeals back into their queues')
    return reclaimed
  }

  /**
   * The agent lets go of the appeal; it waits in `queue` (original time and priority) as `queued`
   * again. A transfer is the agent's own work (wrap-up follows); a supervisor's take-back is not: the
   * agent goes offline once nothing is left, so the appeals do not go straight back to them.
   */
  async #requeue(agentId: string, appealId: string, queue: string, skills: string[], relax: string, by: string, takenBack: boolean): Promise<void> {
    const [wrapIso, wrapMs] = this.#at(this.#o.acd.wrapUpSeconds * 1000)
    const r = await this.#redis.acdTransfer(...this.#ctx(), agentId, appealId, wrapIso, wrapMs, queue, skills.join('\n'), relax, by, takenBack ? '1' : '0')
    if (r !== 1) throw new ACD_ERR_NOT_HOLDING(appealId)
    const appeal = await this.#o.appeals.get(appealId)
    if (appeal) {
      await this.#o.appeals.store.transition(appealId, ['in-progress'], 'queued', this.#clock().toISOString(), by)
      await this.#o.appeals.queue.add('appeal', { appealId, channel: appeal.channel }, { jobId: appealId, priority: appeal.priority })
    }
    await this.dispatch()
  }

  /** The caller hung up (or the appeal was withdrawn) before an agent took it. False if it was not waiting. */
  async abandon(appealId: string): Promise<boolean> {
    const r = (await this.#redis.acdAbandon(...this.#ctx(), appealId)) as string[]
    if (r.length === 0) return false
    await this.#o.appeals.store.transition(appealId, ['queued', 'offered'], 'cancelled', this.#clock().toISOString(), 'caller')
    await this.#o.appeals.queue.remove(appealId)
    await this.dispatch()
    return true
  }

  async status(agentId: string): Promise<AgentStatus> {
    const [h, appealIds] = await Promise.all([
      this.#redis.hgetall(this.keys.agent(agentId)),
      this.#redis.smembers(this.keys.agentAppeals(agentId)),
    ])
    if (!h.state) throw new ACD_ERR_UNKNOWN_AGENT(agentId)
    const st: AgentStatus = { agentId, state: h.state as AgentStatus['state'], since: h.since, appealIds }
    if (h.reason) st.reason = h.reason as NotReadyReason
    if (h.offer) {
      const o = await this.#redis.hgetall(this.keys.offer(h.offer))
      if (o.appealId) {
        st.offer = { offerId: h.offer, appealId: o.appealId, agentId: o.agentId, kind: o.kind as 'call' | 'written', offeredAt: o.offeredAt, expiresAt: o.expiresAt }
      }
    }
    if (st.state === 'wrap-up' && h.wrapEnds) st.wrapUpEndsAt = h.wrapEnds
    return st
  }

  async canRead(agentId: string, appealId: string): Promise<boolean> {
    if (await this.#holds(agentId, appealId)) return true
    const offerId = await this.#redis.hget(this.keys.agent(agentId), 'offer')
    if (!offerId) return false
    return (await this.#redis.hget(this.keys.offer(offerId), 'appealId')) === appealId
  }

  async holderOf(appealId: string): Promise<string | undefined> {
    const assigned = await this.#redis.hget(this.keys.assigned, appealId)
    if (assigned) return assigned.split('|')[0]
    const offerId = await this.#redis.hget(this.keys.entry(appealId), 'offer')
    return (offerId && (await this.#redis.hget(this.keys.offer(offerId), 'agentId'))) || undefined
  }

  position(appealId: string): Promise<Position | undefined> {
    return this.#stats.position(appealId)
  }

  stats(): Promise<AcdStats> {
    return this.#stats.stats()
  }

  /** The agent's state changes on a centre-local day (YYYY-MM-DD), oldest first (for reports). */
  async stateLog(agentId: string, day: string): Promise<{ state: string; reason?: string; at: string; by?: string }[]> {
    const raw = await this.#redis.lrange(this.keys.log(agentId, day.replaceAll('-', '')), 0, -1)
    return raw.map((r) => JSON.parse(r))
  }

  subscribe(listener: (event: AcdEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined && this.#o.timers !== false) {
      const timers = this.#o.timers ?? { clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout) }
      timers.clearInterval(this.#timer)
    }
    this.#listeners.clear()
    if (this.#sub) {
      await this.#sub.quit().catch(() => this.#sub?.disconnect())
    }
  }
}

function checkRecord(record: IntakeRecord): void {
  if (!record || typeof record.disposition !== 'string' || record.disposition.trim() === '') {
    throw withField(new ACD_ERR_INVALID_RECORD('disposition is required'), '/disposition')
  }
  if (record.category !== undefined && !CATEGORIES.includes(record.category)) {
    throw withField(new ACD_ERR_INVALID_RECORD(`unknown category ${record.category}`), '/category')
  }
}

/** cjson writes an empty Lua table as {}: turn the agent's appealIds back into an array. */
function normalizeEvent(e: AcdEvent): AcdEvent {
  if (e.type === 'agent-state' && !Array.isArray(e.status.appealIds)) e.status.appealIds = []
  return e
}
