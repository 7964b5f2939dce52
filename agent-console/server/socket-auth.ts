/**
 * Who may open a console socket, and how the token arrives.
 *
 * - Origin: checked before the upgrade (a browser sends it on every websocket); same-origin by
 *   default, plus console.allowedOrigins. A request without Origin is not a browser and cannot be a
 *   cross-site hijack, so it goes on to the token check like any other client.
 * - Token: either a second subprotocol `token.<jwt>` beside `gw.v1` (the server answers `gw.v1`,
 *   never the token), or a first message `{v:1,type:'auth',token}` within console.authTimeoutMs.
 *   Never a query parameter: URLs end up in logs and browser history.
 */
import type { FastifyRequest } from 'fastify'
import type { Identity } from './session.ts'
import { CONSOLE_ERR_TOKEN_EXPIRED, CONSOLE_ERR_UNAUTHORIZED } from './errors.ts'
import { SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from './messages.ts'

/** Verifies an access token and says who holds it; throws (any error) when it is not valid. */
export type TokenVerifier = (token: string) => Promise<Identity>

export function originAllowed(req: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true
  if (allowed.includes(origin)) return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

/** The subprotocol the server answers with: gw.v1 when offered, else none (a browser then fails). */
export function handleProtocols(protocols: Set<string>): string | false {
  return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false
}

export function tokenFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined
  for (const p of header.split(',')) {
    const s = p.trim()
    if (s.startsWith(TOKEN_PROTOCOL_PREFIX) && s.length > TOKEN_PROTOCOL_PREFIX.length) {
      return s.slice(TOKEN_PROTOCOL_PREFIX.length)
    }
  }
  return undefined
}

/** Verifies and turns every failure into one of two coded errors (expired or not). */
export async function authenticate(verify: TokenVerifier, token: string, now: Date): Promise<Identity> {
  let identity: Identity
  try {
    identity = await verify(token)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    // jose says ERR_JWT_EXPIRED; the auth module may wrap it as AUTH_ERR_*_EXPIRED.
    if (typeof code === 'string' && /EXPIRED$/.test(code)) throw new CONSOLE_ERR_TOKEN_EXPIRED()
    throw new CONSOLE_ERR_UNAUTHORIZED()
  }
  if (identity.expiresAt.getTime() <= now.getTime()) throw new CONSOLE_ERR_TOKEN_EXPIRED()
  return identity
}
