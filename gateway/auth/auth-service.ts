/**
 * Agent login, refresh, logout and token verification. `verifyAccessToken` is what the websocket
 * server uses to admit a console.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import type { Role } from '../acd/types.ts'
import { AgentDirectory } from './agent-directory.ts'
import { AUTH_ERR_INVALID_CREDENTIALS, AUTH_ERR_LOCKED } from './errors.ts'
import { Lockout } from './lockout.ts'
import { verifyPassword } from './password.ts'
import { TokenService, type VerifiedToken } from './tokens.ts'

export interface LoginResult {
  token: string
  expiresIn: number
  refreshToken: string
  agent: { id: string; name: string; role: Role }
}

export interface AuthServiceOptions {
  config: Readonly<Config>
  redis: Redis
  directory: AgentDirectory
  clock?: () => Date
}

export class AuthService {
  readonly directory: AgentDirectory
  readonly #tokens: TokenService
  readonly #lockout: Lockout
  /** True when the JWT secret was generated for this process: tokens die with it. */
  readonly ephemeralSecret: boolean

  constructor(opts: AuthServiceOptions) {
    const { config, redis } = opts
    this.directory = opts.directory
    this.ephemeralSecret = config.auth.jwtSecret === ''
    const secret = this.ephemeralSecret ? randomBytes(32) : new TextEncoder().encode(config.auth.jwtSecret)
    this.#tokens = new TokenService(redis, config.redis.keyPrefix, {
      secret,
      accessTtlSeconds: config.auth.accessTtlSeconds,
      refreshTtlSeconds: config.auth.refreshTtlSeconds,
      clock: opts.clock ?? (() => new Date()),
    })
    this.#lockout = new Lockout(redis, config.redis.keyPrefix, config.auth.lockout)
  }

  static async create(opts: Omit<AuthServiceOptions, 'directory'> & { directory?: AgentDirectory }): Promise<AuthService> {
    return new AuthService({ ...opts, directory: opts.directory ?? (await AgentDirectory.fromConfig(opts.config)) })
  }

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const wait = await this.#lockout.retryAfter(username, ip)
    if (wait > 0) throw lockedFor(wait)
    const entry = this.directory.get(username)
    // Unknown users are verified against a dummy hash: same work, same answer, same timing.
    const ok = await verifyPassword(password, entry?.passwordHash)
    if (!ok || !entry) {
      await this.#lockout.recordFailure(username, ip)
      throw new AUTH_ERR_INVALID_CREDENTIALS()
    }
    await this.#lockout.recordSuccess(username)
    const { id, name, role } = entry.profile
    const access = await this.#tokens.issueAccess(id, role)
    const refreshToken = await this.#tokens.issueRefresh(id, role)
    return { token: access.token, expiresIn: access.expiresIn, refreshToken, agent: { id, name, role } }
  }

  async refresh(refreshToken: string): Promise<Omit<LoginResult, 'agent'> & { agent: LoginResult['agent'] }> {
    const r = await this.#tokens.rotate(refreshToken)
    const entry = this.directory.get(r.agentId)
    const profile = entry?.profile ?? { id: r.agentId, name: r.agentId, role: r.role }
    const access = await this.#tokens.issueAccess(profile.id, profile.role)
    return {
      token: access.token,
      expiresIn: access.expiresIn,
      refreshToken: r.refreshToken,
      agent: { id: profile.id, name: profile.name, role: profile.role },
    }
  }

  logout(access: VerifiedToken, refreshToken?: string): Promise<void> {
    return this.#tokens.revoke(access, refreshToken)
  }

  /** {agentId, role, exp, jti} of a valid, unrevoked access token; AUTH_ERR_TOKEN_INVALID otherwise. */
  verifyAccessToken(token: string): Promise<VerifiedToken> {
    return this.#tokens.verifyAccess(token)
  }
}

function lockedFor(seconds: number): Error {
  const err = new AUTH_ERR_LOCKED() as Error & { headers?: Record<string, string> }
  err.headers = { 'retry-after': String(seconds) }
  return err
}

export type { VerifiedToken }
