/**
 * ACD routes besides the websocket: the agent's own view, supervisor state changes, queue position
 * for the web channel / IVR, and the stats for wallboards.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { AuthService } from '../auth/auth-service.ts'
import { AUTH_ERR_FORBIDDEN } from '../auth/errors.ts'
import { requireAgent } from '../auth/routes.ts'
import { GW_ERR_NOT_FOUND } from '../errors.ts'
import type { RateLimit } from '../http/rate-limit.ts'
import { NOT_READY_REASONS, type Acd, type NotReadyReason } from './types.ts'

export interface AcdRoutesOptions {
  acd: Acd
  auth: AuthService
  /** Staff bearer-token check (STAFF_API_TOKENS); throws when the token is not a staff token. */
  requireStaff: (req: never, reply: never) => Promise<void>
  positionRateLimit: RateLimit
}

export async function acdRoutes(app: FastifyInstance, opts: AcdRoutesOptions): Promise<void> {
  const { acd, auth } = opts
  const agentOnly = requireAgent(auth)

  app.get(
    '/v1/agents/me',
    {
      onRequest: agentOnly,
      schema: { tags: ['agents'], summary: 'The logged-in agent: profile and ACD status', security: [{ agentToken: [] }], response: { 401: ErrorSchema } },
    },
    async (req) => {
      const id = req.agentToken!.agentId
      const entry = auth.directory.get(id)
      if (!entry) throw new GW_ERR_NOT_FOUND('Agent')
      return { agent: entry.profile, status: await acd.status(id) }
    },
  )

  app.post<{ Params: { id: string }; Body: { state: 'ready' | 'not-ready' | 'offline'; reason?: NotReadyReason } }>(
    '/v1/agents/:id/state',
    {
      onRequest: agentOnly,
      schema: {
        tags: ['agents'],
        summary: "Set an agent's state (a supervisor for anyone, an agent for themself)",
        security: [{ agentToken: [] }],
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{3,8}$' }) }),
        body: Type.Object(
          {
            state: Type.Union([Type.Literal('ready'), Type.Literal('not-ready'), Type.Literal('offline')]),
            reason: Type.Optional(Type.Union(NOT_READY_REASONS.map((r) => Type.Literal(r)))),
          },
          { additionalProperties: false },
        ),
        response: { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (req) => {
      const who = req.agentToken!
      if (who.role !== 'supervisor' && who.agentId !== req.params.id) throw new AUTH_ERR_FORBIDDEN('only a supervisor may change another agent')
      const status = await acd.setState(req.params.id, req.body.state, req.body.reason, who.agentId)
      req.log.info({ agentId: req.params.id, state: req.body.state, by: who.agentId }, 'agent state set')
      return status
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/appeals/:id/position',
    {
      config: { rateLimit: opts.positionRateLimit },
      schema: {
        tags: ['appeals'],
        summary: 'Position and estimated wait of a waiting appeal (web channel, IVR)',
        params: Type.Object({ id: Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' }) }),
        response: {
          200: Type.Object({ appealId: Type.String(), position: Type.Integer(), estimatedWaitSeconds: Type.Integer() }),
          404: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (req) => {
      const p = await acd.position(req.params.id)
      if (!p) throw new GW_ERR_NOT_FOUND('Waiting appeal')
      return p
    },
  )

  app.get(
    '/v1/stats',
    {
      onRequest: async (req: FastifyRequest, reply) => {
        const header = req.headers.authorization ?? ''
        // A JWT has two dots; a staff token is an opaque string.
        if (/^Bearer [^.]+\.[^.]+\.[^.]+$/i.test(header)) {
          await agentOnly(req, reply)
          if (req.agentToken!.role !== 'supervisor') throw new AUTH_ERR_FORBIDDEN('supervisors only')
          return
        }
        await (opts.requireStaff as (r: FastifyRequest, p: typeof reply) => Promise<void>)(req, reply)
      },
      schema: {
        tags: ['stats'],
        summary: 'Live queue and agent figures and today’s KPIs (staff token or supervisor)',
        security: [{ staffToken: [] }, { agentToken: [] }],
        response: { 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async () => acd.stats(),
  )
}
