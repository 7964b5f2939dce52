/**
 * WeChat mini-program (小程序):
 *   POST /v1/channels/wechat/mini/session  {code} from wx.login -> {sessionToken, expiresIn}
 *   POST /v1/channels/wechat/mini/appeals  Authorization: Bearer <sessionToken>, the Appeal draft
 * The citizen's openid comes only from the session (from WeChat), never from the body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { Config } from '../../config/schema.ts'
import type { AppealDraft } from '../../gateway/domain/appeal.ts'
import { GW_ERR_REDIS_UNAVAILABLE } from '../../gateway/errors.ts'
import { rateLimitOf } from '../../gateway/http/rate-limit.ts'
import { AcceptedSchema, draftProperties, ErrorSchema } from '../common/draft-schema.ts'
import { intake, storeOp } from '../common/intake.ts'
import { CH_ERR_CHANNEL_DISABLED, CH_ERR_WECHAT_SESSION_EXPIRED, CH_ERR_WECHAT_SESSION_REQUIRED } from '../errors.ts'
import type { ChannelDeps } from '../index.ts'
import { code2Session } from './code2session.ts'
import { MiniSessionStore, type MiniSession } from './session-store.ts'

export interface WechatMiniOptions {
  config: Readonly<Config['channels']['wechatMini']>
  keyPrefix: string
  deps: ChannelDeps
}

declare module 'fastify' {
  interface FastifyRequest {
    wechatMiniSession?: MiniSession
  }
}

/** The draft minus the openid: the session supplies it; phone and name may come from the citizen. */
const MiniAppealSchema = Type.Object(
  {
    ...draftProperties,
    citizen: Type.Optional(
      Type.Object(
        { phone: draftProperties.citizen.properties.phone, name: draftProperties.citizen.properties.name },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
type MiniAppealBody = Omit<AppealDraft, 'citizen'> & { citizen?: { phone?: string; name?: string } }

const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/

export async function wechatMiniChannel(app: FastifyInstance, opts: WechatMiniOptions): Promise<void> {
  const { config, deps } = opts
  const sessions = new MiniSessionStore(deps.redis, opts.keyPrefix, config.sessionTtlSeconds)
  const enabled = () => Boolean(config.appId && config.secret)

  app.post<{ Body: { code: string } }>(
    '/v1/channels/wechat/mini/session',
    {
      config: { channel: 'wechat-mini', rateLimit: rateLimitOf(config.rateLimit) },
      schema: {
        tags: ['channels'],
        summary: 'Mini-program login: exchange a wx.login code for a gateway session token',
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ sessionToken: Type.String(), expiresIn: Type.Integer() }),
          400: ErrorSchema,
          403: ErrorSchema,
          429: ErrorSchema,
          502: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (req) => {
      if (!enabled()) throw new CH_ERR_CHANNEL_DISABLED('wechat-mini')
      // A wx.login code works once: do not spend it while the session cannot be stored.
      if (!deps.intake.storeReady()) throw new GW_ERR_REDIS_UNAVAILABLE()
      const { openid } = await code2Session(
        { apiBase: config.apiBase, appId: config.appId, secret: config.secret, timeoutMs: config.apiTimeoutMs, fetch: deps.fetch },
        req.body.code,
      )
      const sessionToken = await storeOp(deps.intake, () => sessions.create(openid, deps.clock()))
      req.log.info('wechat mini session created')
      return { sessionToken, expiresIn: sessions.ttlSeconds }
    },
  )

  app.post<{ Body: MiniAppealBody; Headers: { 'idempotency-key'?: string } }>(
    '/v1/channels/wechat/mini/appeals',
    {
      config: {
        channel: 'wechat-mini',
        rateLimit: {
          ...rateLimitOf(config.rateLimit),
          hook: 'preHandler',
          keyGenerator: (req: FastifyRequest) => `wx-mini:${req.wechatMiniSession?.openid ?? req.ip}`,
        } as never,
      },
      schema: {
        tags: ['channels'],
        summary: 'Submit an appeal from the mini-program (session from /session; openid is taken from it)',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' })),
        }),
        body: MiniAppealSchema,
        response: {
          202: AcceptedSchema,
          400: ErrorSchema,
          401: ErrorSchema,
          413: ErrorSchema,
          415: ErrorSchema,
          422: ErrorSchema,
          429: ErrorSchema,
          503: ErrorSchema,
        },
      },
      onRequest: async (req, reply) => {
        if (!enabled()) throw new CH_ERR_CHANNEL_DISABLED('wechat-mini')
        const m = BEARER.exec(req.headers.authorization ?? '')
        if (!m) {
          void reply.header('www-authenticate', 'Bearer')
          throw new CH_ERR_WECHAT_SESSION_REQUIRED()
        }
        const session = await storeOp(deps.intake, () => sessions.get(m[1]))
        if (!session) {
          void reply.header('www-authenticate', 'Bearer error="invalid_token"')
          throw new CH_ERR_WECHAT_SESSION_EXPIRED()
        }
        req.wechatMiniSession = session
      },
    },
    async (req, reply) => {
      const { openid } = req.wechatMiniSession!
      const key = req.headers['idempotency-key']
      const { citizen, ...rest } = req.body
      const { appeal, created } = await intake(deps.intake, req.log, {
        channel: 'wechat-mini',
        // Keys are the citizen's own: scoped by openid so two citizens' keys never meet.
        externalId: key ? `${openid}:${key}` : undefined,
        draft: { ...rest, citizen: { ...citizen, openid } },
      })
      if (!created) void reply.header('Idempotent-Replayed', 'true')
      return reply.code(202).send({ id: appeal.id, appealNumber: appeal.appealNumber, status: appeal.status })
    },
  )
}

