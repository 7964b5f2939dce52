/**
 * Reading appeals. Staff (bearer token): one appeal, a citizen's history across channels.
 * Citizens: status by appeal number + last four digits of the phone, rate-limited, status only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { Redis } from 'ioredis'
import { Type } from '@sinclair/typebox'
import type { AppealQueue, CitizenKey } from '../domain/ports.ts'
import { isValidPhone, lastFour, normalizePhone } from '../domain/phone.ts'
import { GW_ERR_FORBIDDEN, GW_ERR_NOT_FOUND, GW_ERR_RATE_LIMITED, withField } from '../errors.ts'
import { CH_ERR_VALIDATION } from '../../channels/errors.ts'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { RateLimit } from './rate-limit.ts'
import { statusLabel } from './status-labels-zh.ts'

export interface AppealRoutesOptions {
  queue: AppealQueue
  redis: Redis
  keyPrefix: string
  requireStaff: onRequestAsyncHookHandler
  statusRateLimit: RateLimit
  maxFailuresPerNumber: number
  /**
   * Lets an agent (JWT) read a citizen's history, only for the citizen of an appeal the ACD lets
   * that agent read (`?appealId=`). Absent: the route is staff-only.
   */
  agentReader?: AgentReader
}

export interface AgentReader {
  /** Verifies an agent access token (throws a coded 401 when invalid). */
  verify(token: string): Promise<{ agentId: string }>
  canRead(agentId: string, appealId: string): Promise<boolean>
}

const JWT_BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when an agent token (not a staff token) admitted the request. */
    readerAgentId?: string
  }
}

const APPEAL_NUMBER = '^[0-9]{8}-[0-9]{6}$'

export async function appealRoutes(app: FastifyInstance, opts: AppealRoutesOptions): Promise<void> {
  const staff = { onRequest: opts.requireStaff, schema: { security: [{ staffToken: [] }] } }

  app.get<{ Params: { id: string } }>(
    '/v1/appeals/:id',
    {
      ...staff,
      schema: {
        ...staff.schema,
        tags: ['appeals'],
        summary: 'One appeal (staff)',
        params: Type.Object({ id: Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' }) }),
        response: { 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const appeal = await opts.queue.get(req.params.id)
      if (!appeal) throw new GW_ERR_NOT_FOUND('Appeal')
      return appeal
    },
  )

  const staffOrAgent = async (req: FastifyRequest, reply: FastifyReply) => {
    const m = opts.agentReader ? JWT_BEARER.exec(req.headers.authorization ?? '') : null
    if (!m) return (opts.requireStaff as unknown as (r: FastifyRequest, p: FastifyReply) => Promise<void>)(req, reply)
    req.readerAgentId = (await opts.agentReader!.verify(m[1])).agentId
  }

  app.get<{ Params: { key: string }; Querystring: { limit?: string; appealId?: string } }>(
    '/v1/citizens/:key/appeals',
    {
      onRequest: staffOrAgent,
      schema: {
        security: [{ staffToken: [] }, { agentToken: [] }],
        tags: ['appeals'],
        summary:
          "A citizen's appeals across channels, newest first. key: a phone number or a WeChat openid. " +
          'Staff token; or an agent token with appealId = an appeal of this citizen the agent holds or was offered',
        params: Type.Object({ key: Type.String({ minLength: 3, maxLength: 64 }) }),
        querystring: Type.Object({
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          appealId: Type.Optional(Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' })),
        }),
        response: { 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (req) => {
      const limit = Math.min(Number(req.query.limit ?? 50) || 50, 200)
      const key = citizenKey(req.params.key)
      if (req.readerAgentId) await checkAgentMayRead(req.readerAgentId, key, req.query.appealId)
      const appeals = await opts.queue.citizenAppeals(key, limit)
      return { appeals }
    },
  )

  app.get<{ Querystring: { number: string; phoneLast4: string } }>(
    '/v1/appeal-status',
    {
      config: { rateLimit: opts.statusRateLimit },
      schema: {
        tags: ['citizens'],
        summary: 'Status of an appeal for the citizen: appeal number + last 4 digits of the phone',
        querystring: Type.Object(
          {
            number: Type.String({ pattern: APPEAL_NUMBER }),
            phoneLast4: Type.String({ pattern: '^[0-9]{4}$' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            appealNumber: Type.String(),
            status: Type.String(),
            statusText: Type.String(),
            receivedAt: Type.String(),
            updatedAt: Type.String(),
          }),
          404: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (req) => {
      const { number, phoneLast4 } = req.query
      const failKey = `${opts.keyPrefix}:status-fail:${number}`
      const failures = Number(await opts.redis.get(failKey)) || 0
      if (failures >= opts.maxFailuresPerNumber) throw new GW_ERR_RATE_LIMITED()
      const appeal = await opts.queue.getByNumber(number)
      // Same answer for "no such number" and "wrong digits": the query must not reveal either.
      if (!appeal || !appeal.citizen.phone || lastFour(appeal.citizen.phone) !== phoneLast4) {
        await opts.redis.multi().incr(failKey).expire(failKey, 3600).exec()
        throw new GW_ERR_NOT_FOUND('Appeal')
      }
      const last = appeal.history[appeal.history.length - 1]
      return {
        appealNumber: appeal.appealNumber,
        status: appeal.status,
        statusText: statusLabel(appeal.status),
        receivedAt: appeal.receivedAt,
        updatedAt: last?.at ?? appeal.receivedAt,
      }
    },
  )

  async function checkAgentMayRead(agentId: string, key: CitizenKey, appealId: string | undefined): Promise<void> {
    if (!appealId) throw withField(new GW_ERR_FORBIDDEN(), '/querystring/appealId')
    const appeal = (await opts.agentReader!.canRead(agentId, appealId)) ? await opts.queue.get(appealId) : undefined
    const citizen = appeal?.citizen
    const same =
      key.kind === 'phone'
        ? citizen?.phone !== undefined && normalizePhone(citizen.phone) === key.value
        : citizen?.openid === key.value
    if (!same) throw withField(new GW_ERR_FORBIDDEN(), '/querystring/appealId')
  }
}

function citizenKey(raw: string): CitizenKey {
  const phone = normalizePhone(raw)
  if (isValidPhone(phone)) return { kind: 'phone', value: phone }
  if (/^[A-Za-z0-9_-]{6,64}$/.test(raw)) return { kind: 'openid', value: raw }
  throw withField(new CH_ERR_VALIDATION('key is neither a phone number nor an openid'), '/params/key')
}
