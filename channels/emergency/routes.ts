/**
 * POST /v1/emergency/:partner/records — a record pushed by 110/119/120/122 without a call, signed
 * with that partner's secret (its `secretEnv`) exactly as the signed channels are
 * (docs/channels-signed.md): X-Timestamp + X-Signature = hex HMAC-SHA256 over `<ts>.<raw body>`,
 * timestamp window, constant-time check, replay guard shared by every gateway process.
 * Order of checks, cheapest first, nothing of the body read before the signature holds:
 * rate limit -> partner configured -> secret set -> headers -> window -> HMAC -> replay -> JSON -> schema.
 * 202 {id, appealNumber, status, created}; a re-delivery (same reference) is the same appeal.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyReply } from 'fastify'
import type { Redis } from 'ioredis'
import { Type } from '@sinclair/typebox'
import type { Config } from '../../config/schema.ts'
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import { partnerExternalId } from '../../gateway/emergency/partner-record.ts'
import { partnerOf, type EmergencyPartner } from '../../gateway/emergency/partners.ts'
import { withField } from '../../gateway/errors.ts'
import { parseJsonBody } from '../../gateway/http/json-parser.ts'
import { AcceptedSchema, ErrorSchema } from '../common/draft-schema.ts'
import { intake, type IntakeDeps } from '../common/intake.ts'
import { CH_ERR_CHANNEL_DISABLED } from '../errors.ts'
import { ReplayGuard } from '../signed/replay-guard.ts'
import { assertFresh, assertSignature, readSignedHeaders, type SignedHeaders } from '../signed/signature.ts'
import { PartnerMessageSchema, validatePartnerMessage } from './partner-message.ts'

export interface EmergencyChannelOptions {
  config: Readonly<Config>
  intake: IntakeDeps
  desk: EmergencyDesk
  redis: Redis
  clock: () => Date
}

/** Where the appeal draft's fields came from in the partner's body (field paths of errors). */
const FIELD_OF: Record<string, string> = {
  '/citizen/phone': '/callerNumber',
  '/citizen': '/callerNumber',
  '/citizen/name': '/callerName',
  '/content': '/summary',
}

interface Pending {
  partner: EmergencyPartner
  headers: SignedHeaders
  replayKey?: string
}

export async function emergencyChannel(app: FastifyInstance, opts: EmergencyChannelOptions): Promise<void> {
  const { config, desk } = opts
  // The signature covers the exact bytes: collect them; parse only once the signature holds.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer
    done(null, undefined)
  })
  const replay = new ReplayGuard(opts.redis, config.redis.keyPrefix, config.channels.signatureWindowSeconds)
  const pending = new WeakMap<FastifyRequest, Pending>()
  const partnerParam = (req: FastifyRequest) => String((req.params as { partner?: string }).partner ?? '')
  const limit = config.emergency.rateLimit

  app.post<{ Params: { partner: string } }>(
    '/v1/emergency/:partner/records',
    {
      config: {
        channel: 'emergency',
        rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs, keyGenerator: (req: FastifyRequest) => `emergency:${partnerParam(req)}:${req.ip}` },
      },
      // Documented for OpenAPI, validated in code after the signature.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['emergency'],
        summary: 'A record an emergency partner hands to 12345 without a call (HMAC-signed with its secret)',
        params: Type.Object({ partner: Type.String({ description: '110, 119, 120 or 122' }) }),
        headers: Type.Object({
          'x-timestamp': Type.String({ description: 'Unix seconds' }),
          'x-signature': Type.String({ description: 'hex HMAC-SHA256 over `<X-Timestamp>.<raw body>`' }),
        }),
        body: PartnerMessageSchema,
        response: {
          202: Type.Object({ ...AcceptedSchema.properties, created: Type.Boolean() }),
          400: ErrorSchema,
          401: ErrorSchema,
          404: ErrorSchema,
          413: ErrorSchema,
          422: ErrorSchema,
          429: ErrorSchema,
          503: ErrorSchema,
        },
      },
      preParsing: async (req: FastifyRequest) => {
        const partner = withFieldOnError(() => partnerOf(config.emergency.partners, partnerParam(req)), '/params/partner')
        if (!partner.secret) throw new CH_ERR_CHANNEL_DISABLED(`emergency:${partner.id}`)
        const headers = readSignedHeaders(req.headers)
        assertFresh(headers.timestamp, opts.clock(), config.channels.signatureWindowSeconds)
        pending.set(req, { partner, headers })
      },
      preValidation: async (req: FastifyRequest) => {
        const p = pending.get(req)!
        const raw = req.rawBody ?? Buffer.alloc(0)
        assertSignature(p.partner.secret, p.headers, raw)
        p.replayKey = await replay.claim(`emergency:${p.partner.id}`, p.headers.signature)
        req.body = parseJsonBody(raw)
      },
      onResponse: async (req: FastifyRequest, reply: FastifyReply) => {
        const key = pending.get(req)?.replayKey
        // Our failure: forget the signature so the partner's verbatim retry is not called a replay.
        if (key && reply.statusCode >= 500) await releaseQuietly(replay, key, req.log)
      },
    },
    async (req, reply) => {
      const { partner } = pending.get(req)!
      const now = opts.clock()
      const { message, time, draft } = validatePartnerMessage(req.body, now)
      const { appeal, created } = await renamingFields(() =>
        intake(opts.intake, req.log, {
          channel: 'emergency',
          externalId: partnerExternalId(partner.id, message.reference),
          origin: partner.id,
          draft,
          receivedAt: time,
        }),
      )
      await desk.partnerRecords.save({
        partner: partner.id,
        reference: message.reference,
        callerNumber: appeal.citizen.phone ?? message.callerNumber,
        ...(message.callerName ? { callerName: message.callerName } : {}),
        ...(appeal.location ? { location: appeal.location } : {}),
        summary: appeal.content,
        ...(message.category ? { category: message.category } : {}),
        time: time.toISOString(),
        appealId: appeal.id,
        appealNumber: appeal.appealNumber,
        receivedAt: appeal.receivedAt,
      })
      req.log.info({ appealId: appeal.id, partner: partner.id, created }, created ? 'emergency partner handed a record to 12345' : 'emergency partner record re-delivered')
      return reply.code(202).send({ id: appeal.id, appealNumber: appeal.appealNumber, status: appeal.status, created })
    },
  )
}

function withFieldOnError<T>(fn: () => T, field: string): T {
  try {
    return fn()
  } catch (err) {
    throw withField(err as Error, field)
  }
}

/** intake() names the draft's fields; the partner sent callerNumber and summary. */
async function renamingFields<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const e = err as { field?: string }
    if (e.field && FIELD_OF[e.field]) e.field = FIELD_OF[e.field]
    throw err
  }
}

async function releaseQuietly(replay: ReplayGuard, key: string, log: FastifyBaseLogger): Promise<void> {
  try {
    await replay.release(key)
  } catch (err) {
    log.warn({ err: { message: (err as Error).message } }, 'could not release a replay mark after a failure')
  }
}
