/** Read-only questions about agents: state, what they hold or are offered, the state log. */
import type { Redis } from 'ioredis'
import { ACD_ERR_UNKNOWN_AGENT } from './errors.ts'
import type { AcdKeys } from './keys.ts'
import type { AgentStatus, NotReadyReason } from './types.ts'

export class AgentReads {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AcdKeys,
  ) {}

  async status(agentId: string): Promise<AgentStatus> {
    const [h, appealIds] = await Promise.all([this.redis.hgetall(this.keys.agent(agentId)), this.redis.smembers(this.keys.agentAppeals(agentId))])
    if (!h.state) throw new ACD_ERR_UNKNOWN_AGENT(agentId)
    const st: AgentStatus = { agentId, state: h.state as AgentStatus['state'], since: h.since, appealIds }
    if (h.reason) st.reason = h.reason as NotReadyReason
    if (h.offer) {
      const o = await this.redis.hgetall(this.keys.offer(h.offer))
      if (o.appealId) {
        st.offer = { offerId: h.offer, appealId: o.appealId, agentId: o.agentId, kind: o.kind as 'call' | 'written', offeredAt: o.offeredAt, expiresAt: o.expiresAt }
      }
    }
    if (st.state === 'wrap-up' && h.wrapEnds) st.wrapUpEndsAt = h.wrapEnds
    return st
  }

  async exists(agentId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.agent(agentId))) === 1
  }

  async holds(agentId: string, appealId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.agentAppeals(agentId), appealId)) === 1
  }

  held(agentId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.agentAppeals(agentId))
  }

  async canRead(agentId: string, appealId: string): Promise<boolean> {
    if (await this.holds(agentId, appealId)) return true
    const offerId = await this.redis.hget(this.keys.agent(agentId), 'offer')
    if (!offerId) return false
    return (await this.redis.hget(this.keys.offer(offerId), 'appealId')) === appealId
  }

  async holderOf(appealId: string): Promise<string | undefined> {
    const assigned = await this.redis.hget(this.keys.assigned, appealId)
    if (assigned) return assigned.split('|')[0]
    const offerId = await this.redis.hget(this.keys.entry(appealId), 'offer')
    return (offerId && (await this.redis.hget(this.keys.offer(offerId), 'agentId'))) || undefined
  }

  /** The agent's state changes on a centre-local day (YYYY-MM-DD), oldest first (for reports). */
  async stateLog(agentId: string, day: string): Promise<{ state: string; reason?: string; at: string; by?: string }[]> {
    const raw = await this.redis.lrange(this.keys.log(agentId, day.replaceAll('-', '')), 0, -1)
    return raw.map((r) => JSON.parse(r))
  }
}
