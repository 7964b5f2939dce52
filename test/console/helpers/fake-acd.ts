/**
 * TEMPORARY scaffold until the acd branch lands: an in-memory Acd for protocol tests only.
 * The browser tests and the final protocol tests run against the real ACD on Redis.
 */
import { randomUUID } from 'node:crypto'
import type { Acd, AcdEvent, AcdStats, AgentStatus, IntakeRecord, Offer } from '../../../gateway/acd/types.ts'
import type { Appeal } from '../../../gateway/domain/appeal.ts'
import type { AppealQueue } from '../../../gateway/domain/ports.ts'

export class FakeAcd implements Acd {
  listeners = new Set<(e: AcdEvent) => void>()
  statuses = new Map<string, AgentStatus>()
  constructor(private queue: AppealQueue) {}
  private st(id: string): AgentStatus {
    let s = this.statuses.get(id)
    if (!s) this.statuses.set(id, (s = { agentId: id, state: 'offline', since: new Date().toISOString(), appealIds: [] }))
    return s
  }
  private emit(e: AcdEvent) {
    for (const l of this.listeners) l(e)
  }
  async addEntry(appeal: Appeal) {
    const agent = [...this.statuses.values()].find((s) => s.state === 'ready')
    if (!agent) return
    const offer: Offer = {
      offerId: `of_${randomUUID()}`,
      appealId: appeal.id,
      agentId: agent.agentId,
      kind: 'written',
      offeredAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 15000).toISOString(),
    }
    agent.offer = offer
    agent.state = 'reserved'
    this.emit({ type: 'offer', offer })
  }
  async setState(agentId: string, state: 'ready' | 'not-ready' | 'offline', reason?: AgentStatus['reason']) {
    const s = this.st(agentId)
    Object.assign(s, { state, reason, since: new Date().toISOString() })
    this.emit({ type: 'agent-state', status: s })
    return s
  }
  async accept(agentId: string, offerId: string) {
    const s = this.st(agentId)
    if (s.offer?.offerId !== offerId) throw Object.assign(new Error('no'), { code: 'ACD_ERR_OFFER_NOT_FOUND' })
    const appealId = s.offer.appealId
    s.offer = undefined
    s.appealIds.push(appealId)
    s.state = 'busy'
    return (await this.queue.get(appealId))!
  }
  async decline(agentId: string) {
    this.st(agentId).offer = undefined
  }
  async complete(agentId: string, appealId: string, _r: IntakeRecord) {
    const s = this.st(agentId)
    s.appealIds = s.appealIds.filter((x) => x !== appealId)
    s.state = 'wrap-up'
    return (await this.queue.get(appealId))!
  }
  async endWrapUp(agentId: string) {
    return this.setState(agentId, 'ready')
  }
  async transfer() {}
  async status(agentId: string) {
    return { ...this.st(agentId) }
  }
  async canRead(agentId: string, appealId: string) {
    const s = this.st(agentId)
    return s.appealIds.includes(appealId) || s.offer?.appealId === appealId
  }
  async position() {
    return undefined
  }
  async stats(): Promise<AcdStats> {
    return {
      at: new Date().toISOString(),
      queues: [],
      agentsByState: { offline: 0, ready: 0, reserved: 0, busy: 0, 'wrap-up': 0, 'not-ready': 0 },
      today: {
        offered: 0,
        answered: 0,
        abandoned: 0,
        answeredWithin15sRate: 0,
        abandonRate: 0,
        averageSpeedOfAnswerSeconds: 0,
        averageHandleTimeSeconds: 0,
        writtenWithin3minRate: 0,
      },
    }
  }
  subscribe(l: (e: AcdEvent) => void) {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }
  async close() {}
}
