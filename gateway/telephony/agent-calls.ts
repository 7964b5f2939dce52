/**
 * The call an agent is on, in Redis, so that any gateway process can carry out the agent's call
 * control (the console's socket may be on another process than the one driving the call).
 */
import type { Redis } from 'ioredis'

export interface AgentCall {
  agentId: string
  appealId: string
  serverId: string
  /** The citizen's leg. */
  callId: string
  /** The agent's leg. */
  legId: string
  /** Set once the call was moved into a three-party conference. */
  conference?: string
  /** An emergency dispatcher's leg in that conference (110/119/120/122), and its handoff record. */
  partnerLeg?: string
  handoffId?: string
}

const TTL_SECONDS = 12 * 3600

export class AgentCalls {
  readonly #redis: Redis
  readonly #prefix: string

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis
    this.#prefix = `${keyPrefix}:voice:agent-call:`
  }

  async set(c: AgentCall): Promise<void> {
    await this.#redis.set(this.#prefix + c.agentId, JSON.stringify(c), 'EX', TTL_SECONDS)
  }

  async get(agentId: string): Promise<AgentCall | undefined> {
    const raw = await this.#redis.get(this.#prefix + agentId)
    return raw ? (JSON.parse(raw) as AgentCall) : undefined
  }

  /** Clears the agent's record if it is still about this call. */
  async clear(agentId: string, callId: string): Promise<void> {
    const c = await this.get(agentId)
    if (c && (c.callId === callId || c.legId === callId)) await this.#redis.del(this.#prefix + agentId)
  }
}
