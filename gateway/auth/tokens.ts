/**
 * Access tokens: short-lived HS256 JWTs (jose). Refresh tokens: random, stored in Redis by hash,
 * rotated on every use; presenting a used one again revokes its whole family (token theft).
 * Logout revokes the refresh family and the access token's jti until it would have expired.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { SignJWT, jwtVerify } from 'jose'
import type { Role } from '../acd/types.ts'
import { AUTH_ERR_REFRESH_INVALID, AUTH_ERR_TOKEN_INVALID } from './errors.ts'

const ISSUER = 'gw-12345'
const AUDIENCE = 'agent-console'

export interface VerifiedToken {
  agentId: string
  role: Role
  /** Expiry, seconds since the epoch. */
  exp: number
  jti: string
}

export interface TokenOptions {
  secret: Uint8Array
  accessTtlSeconds: number
  refreshTtlSeconds: number
  clock: () => Date
}

interface RefreshRecord {
  agentId: string
  role: Role
  family: string
}

// KEYS: token key, used marker, successor key. ARGV: (unused), ttl, family key prefix, refresh key prefix,
// old hash, new hash. The successor carries the same record (agent, role, family).
const ROTATE = `
local rec = redis.call('GET', KEYS[1])
if not rec then
  local fam = redis.call('GET', KEYS[2])
  if fam then
    local fk = ARGV[3] .. fam
    for _, h in ipairs(redis.call('SMEMBERS', fk)) do redis.call('DEL', ARGV[4] .. h) end
    redis.call('DEL', fk)
    return {'reused', fam}
  end
  return {'invalid'}
end
local r = cjson.decode(rec)
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], r.family, 'EX', ARGV[2])
local fk = ARGV[3] .. r.family
redis.call('SREM', fk, ARGV[5])
redis.call('SADD', fk, ARGV[6])
redis.call('EXPIRE', fk, ARGV[2])
redis.call('SET', KEYS[3], rec, 'EX', ARGV[2])
return {'ok', rec}
`

interface TokenRedis extends Redis {
  authRotate(...args: (string | number)[]): Promise<string[]>
}

const sha = (s: string) => createHash('sha256').update(s).digest('base64url')

export class TokenService {
  readonly #redis: TokenRedis
  readonly #p: string
  readonly #o: TokenOptions

  constructor(redis: Redis, keyPrefix: string, opts: TokenOptions) {
    if (!('authRotate' in redis)) redis.defineCommand('authRotate', { numberOfKeys: 3, lua: ROTATE })
    this.#redis = redis as TokenRedis
    this.#p = `${keyPrefix}:auth`
    this.#o = opts
  }

  #refreshKey = (hash: string) => `${this.#p}:refresh:${hash}`
  #usedKey = (hash: string) => `${this.#p}:refresh-used:${hash}`
  #familyPrefix = () => `${this.#p}:family:`

  async issueAccess(agentId: string, role: Role): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(this.#o.clock().getTime() / 1000)
    const token = await new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(agentId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#o.accessTtlSeconds)
      .setJti(randomUUID())
      .sign(this.#o.secret)
    return { token, expiresIn: this.#o.accessTtlSeconds }
  }

  async issueRefresh(agentId: string, role: Role, family = randomUUID()): Promise<string> {
    const token = randomBytes(32).toString('base64url')
    const h = sha(token)
    const rec: RefreshRecord = { agentId, role, family }
    const ttl = this.#o.refreshTtlSeconds
    await this.#redis
      .multi()
      .set(this.#refreshKey(h), JSON.stringify(rec), 'EX', ttl)
      .sadd(`${this.#familyPrefix()}${family}`, h)
      .expire(`${this.#familyPrefix()}${family}`, ttl)
      .exec()
    return token
  }

  /** Spends a refresh token and returns its successor; a reused token revokes the family. */
  async rotate(refreshToken: string): Promise<{ agentId: string; role: Role; refreshToken: string }> {
    const h = sha(refreshToken)
    const next = randomBytes(32).toString('base64url')
    const nh = sha(next)
    const [status, data] = await this.#redis.authRotate(
      this.#refreshKey(h),
      this.#usedKey(h),
      this.#refreshKey(nh),
      '{}',
      this.#o.refreshTtlSeconds,
      this.#familyPrefix(),
      `${this.#p}:refresh:`,
      h,
      nh,
    )
    if (status !== 'ok') throw new AUTH_ERR_REFRESH_INVALID()
    const rec = JSON.parse(data) as RefreshRecord
    return { agentId: rec.agentId, role: rec.role, refreshToken: next }
  }

  /** Revokes the refresh token's family (if given and known) and the access token until its expiry. */
  async revoke(access: VerifiedToken, refreshToken?: string): Promise<void> {
    const now = Math.floor(this.#o.clock().getTime() / 1000)
    const ttl = Math.max(1, access.exp - now)
    await this.#redis.set(`${this.#p}:revoked:${access.jti}`, '1', 'EX', ttl)
    if (!refreshToken) return
    const raw = await this.#redis.get(this.#refreshKey(sha(refreshToken)))
    if (!raw) return
    const rec = JSON.parse(raw) as RefreshRecord
    if (rec.agentId !== access.agentId) return
    const fk = `${this.#familyPrefix()}${rec.family}`
    const members = await this.#redis.smembers(fk)
    await this.#redis.del(fk, ...members.map(this.#refreshKey))
  }

  /** Checks signature, issuer, audience, expiry (injected clock) and revocation. */
  async verifyAccess(token: string): Promise<VerifiedToken> {
    let payload
    try {
      ;({ payload } = await jwtVerify(token, this.#o.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.#o.clock(),
      }))
    } catch {
      throw new AUTH_ERR_TOKEN_INVALID()
    }
    const role = payload.role
    if (typeof payload.sub !== 'string' || (role !== 'agent' && role !== 'supervisor') || !payload.jti || !payload.exp) {
      throw new AUTH_ERR_TOKEN_INVALID()
    }
    if (await this.#redis.exists(`${this.#p}:revoked:${payload.jti}`)) throw new AUTH_ERR_TOKEN_INVALID()
    return { agentId: payload.sub, role, exp: payload.exp, jti: payload.jti }
  }
}
