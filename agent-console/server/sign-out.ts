/**
 * What a logout means beyond the tokens: the user's consoles and wallboards close in every gateway
 * process, and the agent goes offline so no offer waits for someone who left. An agent who still
 * holds appeals keeps them and stays busy (nothing is lost; they are back at the next login and
 * the supervisor sees them).
 */
import type { Redis } from 'ioredis'
import type { Acd } from '../../gateway/acd/types.ts'
import { signOut } from './session-registry.ts'

export function afterLogout(o: { acd: Acd; redis: Redis; keyPrefix: string }): (agentId: string) => Promise<void> {
  return async (agentId) => {
    try {
      await o.acd.setState(agentId, 'offline', undefined, agentId)
    } catch (err) {
      // Holding appeals (ACD_ERR_INVALID_STATE) or a supervisor who is not an ACD agent: stays as is.
      if (!/^ACD_ERR_/.test(String((err as { code?: string }).code))) throw err
    }
    await signOut(o.redis, o.keyPrefix, agentId)
  }
}
