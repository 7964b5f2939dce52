/**
 * ACD events -> the right sockets of this process. The ACD already fans its events out to every
 * gateway process (Redis pub/sub), so each process only delivers to the sockets it holds: an
 * agent's events to that agent's consoles, figures to the supervisors' wallboards.
 *
 * Frames for one agent go out in event order even when building one needs a Redis read (the
 * appeal of an offer): a per-agent promise chain keeps an `offer.revoked` from overtaking its offer.
 * Wallboards get a snapshot after changes (coalesced) and every wallboardRefreshMs, because the
 * longest wait grows with no event at all; stats are read once per push and serialized once.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Acd, AcdEvent, AcdStats, AgentStatus } from '../../gateway/acd/types.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import type { MatterAlert, MatterAlerts } from '../../gateway/matter/alerts.ts'
import type { MatterCards } from './matter-card.ts'
import { PROTOCOL_VERSION } from './messages.ts'
import type { ConsoleSession } from './session.ts'
import type { SessionRegistry } from './session-registry.ts'

export interface FanoutOptions {
  acd: Acd
  queue: AppealQueue
  registry: SessionRegistry
  log: FastifyBaseLogger
  refreshMs: number
  clock: () => Date
  /** Agents known at start (name + status) for the wallboard's agent table; optional. */
  listAgents?: () => Promise<WallboardAgent[]>
  /** 并案: the offer frame carries the appeal's matter (linked before the offer). */
  matters?: MatterCards
  /** 集中诉求 alerts: one subscription per process, fanned out to the wallboards it holds. */
  alerts?: MatterAlerts
  /** Today's handoffs to 110/119/120/122 (the emergency desk), on the wallboard. */
  handoffsToday?: () => Promise<Record<string, number>>
}

export interface WallboardAgent {
  agentId: string
  name?: string
  status: AgentStatus
}

/** How soon after a change the wallboards get a new snapshot (changes within it are coalesced). */
const COALESCE_MS = 100

const FRAME_OF = { 'appeal-assigned': 'appeal.assigned', 'appeal-completed': 'appeal.completed', 'appeal-released': 'appeal.released' } as const

export class Fanout {
  private unsubscribe?: () => void
  private readonly chains = new Map<string, Promise<void>>()
  private readonly agents = new Map<string, WallboardAgent>()
  private timer?: NodeJS.Timeout
  private pending?: NodeJS.Timeout
  private pushing = false
  private again = false
  private lastStats?: AcdStats
  private agentsLoaded = false
  private stopAlerts?: Promise<(() => Promise<void>) | undefined>

  constructor(private readonly o: FanoutOptions) {}

  /** Resolves once the alert subscription is live, so an alert published after start() is seen. */
  async start(): Promise<void> {
    this.unsubscribe = this.o.acd.subscribe((ev) => this.onEvent(ev))
    if (this.o.alerts) {
      this.stopAlerts = this.o.alerts.subscribe((a) => this.onAlert(a)).catch((err: Error) => {
        this.o.log.warn({ err: { message: err.message } }, 'matter alert subscription failed; wallboards get alerts on connect only')
        return undefined
      })
    }
    this.timer = setInterval(() => {
      if (this.o.registry.wallboards().size > 0) void this.pushWallboards()
    }, this.o.refreshMs)
    this.timer.unref()
    await this.stopAlerts
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    if (this.timer) clearInterval(this.timer)
    if (this.pending) clearTimeout(this.pending)
    const stop = await this.stopAlerts
    await stop?.()
  }

  /** Adds a wallboard socket and sends it a snapshot at once. */
  async watch(session: ConsoleSession): Promise<void> {
    this.o.registry.watchWallboard(session)
    await this.loadAgents()
    const frame = await this.wallboardFrame()
    session.sendRaw(frame)
    if (this.o.alerts) session.sendRaw(this.frame('matter.alerts', { alerts: await this.o.alerts.recent() }))
  }

  private onAlert(alert: MatterAlert): void {
    const frame = this.frame('matter.alert', { alert })
    for (const s of this.o.registry.wallboards()) s.sendRaw(frame)
  }

  private onEvent(ev: AcdEvent): void {
    switch (ev.type) {
      case 'offer':
        this.toAgent(ev.offer.agentId, async (sessions) => {
          const appeal = await this.o.queue.get(ev.offer.appealId)
          if (!appeal) return
          const matter = (await this.o.matters?.card(appeal.id).catch(() => undefined)) ?? null
          const frame = this.frame('offer', { offer: ev.offer, appeal, matter, serverTime: this.o.clock().toISOString() })
          for (const s of sessions) s.sendRaw(frame)
        })
        this.wallboardChanged()
        break
      case 'offer-revoked':
        this.toAgent(ev.offer.agentId, async (sessions) => {
          const frame = this.frame('offer.revoked', { offerId: ev.offer.offerId, appealId: ev.offer.appealId, reason: ev.reason })
          for (const s of sessions) s.sendRaw(frame)
        })
        this.wallboardChanged()
        break
      case 'agent-state': {
        const known = this.agents.get(ev.status.agentId)
        this.agents.set(ev.status.agentId, { agentId: ev.status.agentId, name: known?.name, status: ev.status })
        this.toAgent(ev.status.agentId, async (sessions) => {
          const frame = this.frame('status', { status: ev.status })
          for (const s of sessions) s.sendRaw(frame)
        })
        this.wallboardChanged()
        break
      }
      case 'appeal-assigned':
      case 'appeal-completed':
      case 'appeal-released':
        this.toAgent(ev.agentId, async (sessions) => {
          const frame = this.frame(FRAME_OF[ev.type], { appealId: ev.appealId })
          for (const s of sessions) s.sendRaw(frame)
        })
        this.wallboardChanged()
        break
      case 'stats':
        this.lastStats = ev.stats
        this.wallboardChanged()
        break
    }
  }

  private toAgent(agentId: string, deliver: (sessions: ConsoleSession[]) => Promise<void>): void {
    const sessions = [...this.o.registry.forAgent(agentId)].filter((s) => s.surface === 'console')
    if (sessions.length === 0) return
    const prev = this.chains.get(agentId) ?? Promise.resolve()
    const next = prev
      .then(() => deliver(sessions))
      .catch((err: Error) => this.o.log.warn({ agentId, err: { message: err.message } }, 'console frame not delivered'))
    this.chains.set(agentId, next)
    void next.then(() => {
      if (this.chains.get(agentId) === next) this.chains.delete(agentId)
    })
  }

  private frame(type: string, body: Record<string, unknown>): string {
    return JSON.stringify({ v: PROTOCOL_VERSION, type, ...body })
  }

  private wallboardChanged(): void {
    if (this.o.registry.wallboards().size === 0 || this.pending) return
    this.pending = setTimeout(() => {
      this.pending = undefined
      void this.pushWallboards()
    }, COALESCE_MS)
    this.pending.unref()
  }

  private async loadAgents(): Promise<void> {
    if (this.agentsLoaded || !this.o.listAgents) return
    for (const a of await this.o.listAgents()) this.agents.set(a.agentId, a)
    this.agentsLoaded = true
  }

  private async wallboardFrame(): Promise<string> {
    const stats = await this.o.acd.stats().catch(() => this.lastStats)
    // Only what the board shows: the frame goes to every wallboard, for every agent of the centre.
    const agents = [...this.agents.values()]
      .sort((a, b) => a.agentId.localeCompare(b.agentId))
      .map(({ agentId, name, status }) => ({ agentId, name, state: status.state, reason: status.reason, since: status.since, holding: status.appealIds.length }))
    const handoffs = this.o.handoffsToday ? await this.o.handoffsToday().catch(() => undefined) : undefined
    return this.frame('wallboard', { stats, agents, ...(handoffs ? { handoffs } : {}), serverTime: this.o.clock().toISOString() })
  }

  /** Public for the benchmark: one snapshot, serialized once, written to every wallboard. */
  async pushWallboards(): Promise<number> {
    if (this.pushing) {
      // A change landed while a snapshot was being read: push once more after it.
      this.again = true
      return 0
    }
    this.pushing = true
    try {
      await this.loadAgents()
      const frame = await this.wallboardFrame()
      let n = 0
      for (const s of this.o.registry.wallboards()) {
        s.sendRaw(frame)
        n++
      }
      return n
    } catch (err) {
      this.o.log.warn({ err: { message: (err as Error).message } }, 'wallboard push failed')
      return 0
    } finally {
      this.pushing = false
      if (this.again) {
        this.again = false
        void this.pushWallboards()
      }
    }
  }
}
