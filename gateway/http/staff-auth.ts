/** Staff API auth for now: bearer tokens from STAFF_API_TOKENS, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { GW_ERR_UNAUTHORIZED } from '../errors.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

export function staffAuth(tokens: readonly string[]) {
  const known = tokens.map(digest)
  return async function requireStaff(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = req.headers.authorization ?? ''
    const m = /^Bearer (.+)$/i.exec(header)
    if (!m) throw new GW_ERR_UNAUTHORIZED()
    const given = digest(m[1].trim())
    // Compare against every token so timing does not tell which one (or whether any) matched.
    let ok = false
    for (const k of known) ok = timingSafeEqual(k, given) || ok
    if (!ok) throw new GW_ERR_UNAUTHORIZED()
  }
}
