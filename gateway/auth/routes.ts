/** POST /v1/auth/login, /v1/auth/refresh, /v1/auth/logout, and the hook that admits agent JWTs. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { AuthService, VerifiedToken } from './auth-service.ts'
import { AUTH_ERR_TOKEN_INVALID } from './errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    agentToken?: VerifiedToken
  }
}

/** onRequest hook: a valid agent/supervisor access token, or 401 AUTH_ERR_TOKEN_INVALID. */
export function requireAgent(auth: AuthService) {
  return async function (req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')
    if (!m) throw new AUTH_ERR_TOKEN_INVALID()
    req.agentToken = await auth.verifyAccessToken(m[1].trim())
  }
}

const AgentSchema = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() })
const TokensSchema = Type.Object({
  token: Type.String(),
  expiresIn: Type.Integer(),
  refreshToken: Type.String(),
  agent: AgentSchema,
})

export interface AuthRoutesOptions {
  auth: AuthService
  /** After a logout: end the user's presence elsewhere (consoles, ACD state). Failures are logged. */
  onLogout?: (agentId: string) => Promise<void>
}

export async function authRoutes(app: FastifyInstance, opts: AuthRoutesOptions): Promise<void> {
  const { auth } = opts

  app.post<{ Body: { username: string; password: string } }>(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Agent or supervisor login: short-lived access token + rotating refresh token',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: TokensSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req) => {
      const result = await auth.login(req.body.username, req.body.password, req.ip)
      req.log.info({ agentId: result.agent.id }, 'agent logged in')
      return result
    },
  )

  app.post<{ Body: { refreshToken: string } }>(
    '/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new access token and a new refresh token (the old one is spent)',
        body: Type.Object({ refreshToken: Type.String({ minLength: 16, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 200: TokensSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (req) => auth.refresh(req.body.refreshToken),
  )

  app.post<{ Body: { refreshToken?: string } | undefined }>(
    '/v1/auth/logout',
    {
      onRequest: requireAgent(auth),
      schema: {
        tags: ['auth'],
        summary: 'Revoke the access token and (if given) the refresh token family',
        security: [{ agentToken: [] }],
        body: Type.Optional(
          Type.Object({ refreshToken: Type.Optional(Type.String({ minLength: 16, maxLength: 128 })) }, { additionalProperties: false }),
        ),
        response: { 204: Type.Null(), 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      await auth.logout(req.agentToken!, req.body?.refreshToken)
      req.log.info({ agentId: req.agentToken!.agentId }, 'agent logged out')
      await opts.onLogout?.(req.agentToken!.agentId).catch((err: Error) => req.log.warn({ err: { message: err.message } }, 'after-logout step failed'))
      return reply.code(204).send()
    },
  )
}
