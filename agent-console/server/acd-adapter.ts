/**
 * What the console needs from gateway/auth and gateway/acd, in the console's terms: who holds a
 * token (with the agent's display name), and the agents for the wallboard table.
 */
import type { Acd } from '../../gateway/acd/types.ts'
import type { AuthService } from '../../gateway/auth/auth-service.ts'
import type { WallboardAgent } from './fanout.ts'
import type { Identity } from './session.ts'
import type { TokenVerifier } from './socket-auth.ts'

export function tokenVerifier(auth: AuthService): TokenVerifier {
  return async (token: string): Promise<Identity> => {
    const v = await auth.verifyAccessToken(token)
    const name = auth.directory.get(v.agentId)?.profile.name ?? v.agentId
    return { agentId: v.agentId, name, role: v.role, expiresAt: new Date(v.exp * 1000) }
  }
}

/** Every configured agent with its current state; read once per process, then kept by events. */
export function agentLister(auth: AuthService, acd: Acd): () => Promise<WallboardAgent[]> {
  return () =>
    Promise.all(
      auth.directory.profiles().map(async (p) => ({ agentId: p.id, name: p.name, status: await acd.status(p.id) })),
    )
}
