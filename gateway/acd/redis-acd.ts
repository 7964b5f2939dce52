/**
 * The ACD on Redis. Redis is the truth: agents, waiting entries, offers, deadlines and counters are
 * keys under `<prefix>:acd`, changed only by the Lua scripts in ./lua (match + reservation is one
 * script), and every change is published on `<prefix>:acd:events` from inside its script, so every
 * gateway process sees every event (./event-bus.ts). Any process may sweep deadlines and run the
 * matcher. This class holds the decisions; reads are in ./agent-reads.ts and ./stats.ts, the
 * rebuild after a crash in ./recovery.ts.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config, Hotline } from '../../config/schema.ts'
import type { Appeal } from '../domain/appeal.ts'
import type { RedisAppealQueue } from '../queue/redis-appeal-queue.ts'
import type { Handoff } from '../handoff/workorder-handoff.ts'
import { withField } from '../errors.ts'
import { AgentReads } from './agent-reads.ts'
import { AppealRecords, checkRecord, type CompletedAppeal, type MatterOf } from './appeal-records.ts'
import { entrySpecOf, transferSpec, type EntrySpec } from './entry-spec.ts'
import {
  ACD_ERR_APPEAL_NOT_FOUND,
  ACD_ERR_INVALID_REASON,
  ACD_ERR_INVALID_STATE,
  ACD_ERR_NOT_HOLDING,
  ACD_ERR_OFFER_NOT_FOUND,
  ACD_ERR_UNKNOWN_AGENT,
  ACD_ERR_UNKNOWN_QUEUE,
} from './errors.ts'
import { AcdEventBus } from './event-bus.ts'
import { acdKeys, type AcdKeys } from './keys.ts'
import { rebuildEntries } from './recovery.ts'
import { ScriptContext, withAcdScripts, type ScriptRedis } from './scripts.ts'
import { AcdStatsReader } from './stats.ts'
import {
  NOT_READY_REASONS,
  type Acd,
  type AcdEvent,
  type AcdStats,
  type AgentProfile,
  type AgentStatus,
  type EntryKind,
  type IntakeRecord,
  type NotReadyReason,
  type Position,
  type TransferTarget,
} from './types.ts'

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

const DEFAULT_TIMERS: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
}

export class RedisAcd implements Acd {
  readonly keys: AcdKeys
  readonly #redis: ScriptRedis
  readonly #o: RedisAcdOptions
  readonly #ctx: ScriptContext
  readonly #reads: AgentReads
  readonly #records: AppealRecords
  readonly #stats: AcdStatsReader
  readonly #events: AcdEventBus
  #timer?: unknown
  #closed = false

  constructor(opts: RedisAcdOptions) {
    this.#o = opts
    const clock = opts.clock ?? (() => new Date())
    this.keys = acdKeys(opts.keyPrefix)
    this.#redis = withAcdScripts(opts.redis)
    this.#ctx = new ScriptContext(this.keys, opts.acd, opts.timezone, clock)
    this.#reads = new AgentReads(opts.redis, this.keys)
    this.#records = new AppealRecords(opts.redis, opts.keyPrefix, opts.appeals.store, opts.matterOf)
    this.#stats = new AcdStatsReader({ redis: opts.redis, keys: this.keys, acd: opts.acd, timezone: opts.timezone, clock })
    this.#events = new AcdEventBus(opts.logger)
  }

  get #now(): string {
    return this.#ctx.clock().toISOString()
  }

  /** Registers agents, subscribes to events, rebuilds waiting entries from the queue, starts the sweep. */
  async start(): Promise<void> {
    for (const a of this.#o.agents ?? []) await this.registerAgent(a)
    await this.#events.start(this.#o.redis, this.keys.events)
    await this.recover()
    if (this.#o.timers !== false) {
      const sweep = () => void this.sweep().catch((err) => this.#o.logger?.warn({ err: { message: (err as Error).message } }, 'acd sweep failed'))
      this.#timer = (this.#o.timers ?? DEFAULT_TIMERS).setInterval(sweep, this.#o.acd.sweepIntervalMs)
    }
    await this.dispatch()
  }

  async registerAgent(p: AgentProfile): Promise<void> {
    await this.#redis.acdRegister(...this.#ctx.args(), p.id, p.name, p.role, p.writtenCapacity, ...p.skills.map((s) => s.skill))
  }

  /** Runs the matcher once; returns how many offers it made. */
  async dispatch(): Promise<number> {
    const timeoutMs = Math.round(this.#o.acd.offerTimeoutSeconds * 1000)
    const [expIso] = this.#ctx.at(timeoutMs)
    return (await this.#redis.acdDispatch(...this.#ctx.args(), this.#o.acd.maxScan, timeoutMs, expIso)) as number
  }

  /**
   * Expires offers and wrap-ups that are due, sends agents whose console is gone offline, then runs
   * the matcher (entries age into relaxed rings).
   */
  async sweep(): Promise<void> {
    if (this.#closed) return
    await this.#redis.acdSweep(...this.#ctx.args(), 500)
    await this.expirePresence()
    await this.dispatch()
  }

  /** A console of these agents is connected now (called on connect and on every heartbeat). */
  async touchPresence(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length === 0) return
    const now = this.#ctx.clock().getTime()
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
    const cutoff = this.#ctx.clock().getTime() - timeout * 1000
    const gone = (await this.#redis.acdExpirePresence(...this.#ctx.args(), cutoff, 500)) as string[]
    if (gone.length > 0) this.#o.logger?.info({ agents: gone, code: 'ACD_PRESENCE_LOST' }, 'agents without a console went offline')
    return gone
  }

  async addEntry(appeal: Appeal): Promise<void> {
    await this.#add(appeal, true)
    await this.dispatch()
  }

  async #add(appeal: Appeal, countOffered: boolean): Promise<boolean> {
    const s = entrySpecOf(appeal, this.#o.hotlines, this.#o.acd)
    const args = [appeal.id, s.queue, s.kind, s.score, s.enqueuedMs, s.skills.join('\n'), s.relax, countOffered ? 1 : 0]
    return (await this.#redis.acdAddEntry(...this.#ctx.args(), ...args)) === 1
  }

  /** Rebuilds missing waiting entries from the queue (./recovery.ts); at start and every minute. */
  async recover(opts: { olderThanMs?: number } = {}): Promise<{ added: number; removed: number }> {
    const r = await rebuildEntries(this.#o.appeals, (appeal) => this.#add(appeal, false), opts.olderThanMs)
    if (r.added || r.removed) this.#o.logger?.warn(r, 'acd rebuilt waiting entries from the queue')
    return r
  }

  async setState(agentId: string, state: 'ready' | 'not-ready' | 'offline', reason?: NotReadyReason, by?: string): Promise<AgentStatus> {
    if (state === 'not-ready' && (!reason || !NOT_READY_REASONS.includes(reason))) {
      throw withField(new ACD_ERR_INVALID_REASON(String(reason ?? '')), '/reason')
    }
    const r = await this.#redis.acdSetState(...this.#ctx.args(), agentId, state, state === 'not-ready' ? reason! : '', by ?? agentId)
    if (r === 'unknown') throw new ACD_ERR_UNKNOWN_AGENT(agentId)
    if (r === 'holds') throw new ACD_ERR_INVALID_STATE('the agent still holds appeals; complete or transfer them first')
    if (state === 'ready') await this.dispatch()
    return this.status(agentId)
  }

  async accept(agentId: string, offerId: string): Promise<Appeal> {
    const r = (await this.#redis.acdAccept(...this.#ctx.args(), agentId, offerId)) as string[]
    if (r[0] !== 'ok') throw new ACD_ERR_OFFER_NOT_FOUND()
    const appealId = r[1]
    await this.#o.appeals.store.transition(appealId, ['queued', 'offered'], 'in-progress', this.#now, agentId)
    // The job was the durable "waiting" record; the appeal now lives with the agent.
    await this.#o.appeals.queue.remove(appealId)
    const appeal = await this.#o.appeals.get(appealId)
    if (!appeal) throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    // An agent on written work stays available up to capacity.
    if (r[2] === 'written') await this.dispatch()
    return appeal
  }

  async decline(agentId: string, offerId: string): Promise<void> {
    const r = await this.#redis.acdDecline(...this.#ctx.args(), agentId, offerId)
    if (r !== 1) throw new ACD_ERR_OFFER_NOT_FOUND()
    await this.dispatch()
  }

  /** The agent's phone did not take the offered call: back at its place, the agent 未应答 (as a timeout). */
  async missed(agentId: string, offerId: string): Promise<boolean> {
    const r = await this.#redis.acdMiss(...this.#ctx.args(), agentId, offerId)
    if (r === 1) await this.dispatch()
    return r === 1
  }

  async complete(agentId: string, appealId: string, record: IntakeRecord): Promise<CompletedAppeal> {
    checkRecord(record)
    if (!(await this.#reads.holds(agentId, appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
    // Record and handoff first: a crash before the ACD step leaves the agent holding an appeal whose
    // completion is repeatable (both writes are idempotent).
    const appeal = await this.#records.complete(appealId, record, agentId, this.#now)
    await this.#o.handoff?.deliver(appeal)
    const [wrapIso, wrapMs] = this.#ctx.at(this.#o.acd.wrapUpSeconds * 1000)
    await this.#redis.acdComplete(...this.#ctx.args(), agentId, appealId, wrapIso, wrapMs)
    await this.dispatch()
    return appeal
  }

  async endWrapUp(agentId: string): Promise<AgentStatus> {
    const st = await this.status(agentId)
    if (st.state !== 'wrap-up') throw new ACD_ERR_INVALID_STATE(`agent is ${st.state}, not in wrap-up`)
    return this.setState(agentId, 'ready', undefined, agentId)
  }

  async transfer(agentId: string, appealId: string, target: TransferTarget): Promise<void> {
    if ('agentId' in target && !(await this.#reads.exists(target.agentId))) throw withField(new ACD_ERR_UNKNOWN_AGENT(target.agentId), '/agentId')
    if ('queue' in target && !this.#o.hotlines.some((h) => h.skill === target.queue)) throw withField(new ACD_ERR_UNKNOWN_QUEUE(target.queue), '/queue')
    if (!(await this.#reads.holds(agentId, appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
    await this.#requeue(agentId, appealId, transferSpec(target, this.#o.acd), agentId, false)
    await this.dispatch()
  }

  /**
   * The agent takes an appeal that nobody holds or waits for (a caller who hung up: 漏接回拨) to call
   * the citizen back; held as a call. Refused while the agent is on a call or has an offer open.
   */
  async take(agentId: string, appealId: string): Promise<Appeal> {
    const appeal = await this.#o.appeals.get(appealId)
    if (!appeal) throw new ACD_ERR_APPEAL_NOT_FOUND(appealId)
    if (appeal.status !== 'cancelled') throw new ACD_ERR_INVALID_STATE(`the appeal is ${appeal.status}: only one whose caller hung up is taken this way`)
    const r = await this.#redis.acdTake(...this.#ctx.args(), agentId, appealId)
    if (r === 'unknown') throw new ACD_ERR_UNKNOWN_AGENT(agentId)
    if (r === 'taken') throw new ACD_ERR_INVALID_STATE('another agent has it, or it waits in a queue')
    if (r === 'busy') throw new ACD_ERR_INVALID_STATE('the agent is on a call or has an offer open')
    if (r === 'offline') throw new ACD_ERR_INVALID_STATE('the agent is offline')
    await this.#o.appeals.store.transition(appealId, ['cancelled'], 'in-progress', this.#now, agentId)
    return (await this.#o.appeals.get(appealId)) ?? appeal
  }

  /**
   * The agent lets go of the appeal and it waits aside until `at`, then in its own queue at its
   * original place (a call-back the citizen did not answer, tried again later). Wrap-up follows.
   */
  async retryLater(agentId: string, appealId: string, at: Date): Promise<void> {
    const appeal = await this.#o.appeals.get(appealId)
    if (!appeal || !(await this.#reads.holds(agentId, appealId))) throw new ACD_ERR_NOT_HOLDING(appealId)
    await this.#requeue(agentId, appealId, entrySpecOf(appeal, this.#o.hotlines, this.#o.acd), agentId, false, at.getTime())
    await this.dispatch()
  }

  /**
   * A supervisor takes back every appeal an agent holds: each waits again in its own queue at its
   * original place, and the agent goes offline (no wrap-up) so nothing is offered straight back.
   */
  async reclaim(agentId: string, by: string): Promise<string[]> {
    if (!(await this.#reads.exists(agentId))) throw withField(new ACD_ERR_UNKNOWN_AGENT(agentId), '/agentId')
    const reclaimed: string[] = []
    for (const appealId of await this.#reads.held(agentId)) {
      const appeal = await this.#o.appeals.get(appealId)
      if (!appeal) continue
      try {
        await this.#requeue(agentId, appealId, entrySpecOf(appeal, this.#o.hotlines, this.#o.acd), by, true)
        reclaimed.push(appealId)
      } catch (err) {
        // Completed or transferred by the agent meanwhile: nothing to take back.
        if ((err as { code?: string }).code !== 'ACD_ERR_NOT_HOLDING') throw err
      }
    }
    if (reclaimed.length) this.#o.logger?.info({ agentId, by, appealIds: reclaimed }, 'supervisor took appeals back into their queues')
    await this.dispatch()
    return reclaimed
  }

  /**
   * The agent lets go of the appeal; it waits in `where.queue` (original time and priority) as
   * `queued` again. A transfer is the agent's own work (wrap-up follows); a supervisor's take-back is
   * not: the agent goes offline once nothing is left, so the appeals do not go straight back to them.
   */
  async #requeue(agentId: string, appealId: string, where: Pick<EntrySpec, 'queue' | 'skills' | 'relax'>, by: string, takenBack: boolean, notBeforeMs = 0): Promise<void> {
    const [wrapIso, wrapMs] = this.#ctx.at(this.#o.acd.wrapUpSeconds * 1000)
    const args = [agentId, appealId, wrapIso, wrapMs, where.queue, where.skills.join('\n'), where.relax, by, takenBack ? '1' : '0', notBeforeMs]
    if ((await this.#redis.acdTransfer(...this.#ctx.args(), ...args)) !== 1) throw new ACD_ERR_NOT_HOLDING(appealId)
    const appeal = await this.#o.appeals.get(appealId)
    if (!appeal) return
    await this.#o.appeals.store.transition(appealId, ['in-progress'], 'queued', this.#now, by)
    await this.#o.appeals.queue.add('appeal', { appealId, channel: appeal.channel }, { jobId: appealId, priority: appeal.priority })
  }

  /** The caller hung up (or the appeal was withdrawn) before an agent took it. False if it was not waiting. */
  async abandon(appealId: string): Promise<boolean> {
    const r = (await this.#redis.acdAbandon(...this.#ctx.args(), appealId)) as string[]
    if (r.length === 0) return false
    await this.#o.appeals.store.transition(appealId, ['queued', 'offered'], 'cancelled', this.#now, 'caller')
    await this.#o.appeals.queue.remove(appealId)
    await this.dispatch()
    return true
  }

  /** A waiting entry is offered as the other kind from now on; false while it is being offered or not waiting. */
  async setEntryKind(appealId: string, kind: EntryKind): Promise<boolean> {
    return (await this.#redis.acdSetKind(...this.#ctx.args(), appealId, kind)) === 1
  }

  status(agentId: string): Promise<AgentStatus> {
    return this.#reads.status(agentId)
  }

  canRead(agentId: string, appealId: string): Promise<boolean> {
    return this.#reads.canRead(agentId, appealId)
  }

  holderOf(appealId: string): Promise<string | undefined> {
    return this.#reads.holderOf(appealId)
  }

  /** The agent's state changes on a centre-local day (YYYY-MM-DD), oldest first (for reports). */
  stateLog(agentId: string, day: string): Promise<{ state: string; reason?: string; at: string; by?: string }[]> {
    return this.#reads.stateLog(agentId, day)
  }

  position(appealId: string): Promise<Position | undefined> {
    return this.#stats.position(appealId)
  }

  stats(): Promise<AcdStats> {
    return this.#stats.stats()
  }

  subscribe(listener: (event: AcdEvent) => void): () => void {
    return this.#events.subscribe(listener)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined && this.#o.timers !== false) (this.#o.timers ?? DEFAULT_TIMERS).clearInterval(this.#timer)
    await this.#events.close()
  }
}
