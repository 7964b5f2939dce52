/**
 * The signed intake channels: one implementation, three mounts.
 *   POST /v1/channels/mailbox/messages         mayor's mailbox (MAILBOX_SECRET)
 *   POST /v1/channels/message-board/messages   leadership message board (MESSAGE_BOARD_SECRET)
 *   POST /v1/channels/apps/:app/messages       any app in config.channels.signedApps (its secretEnv)
 * Order of checks, cheapest first and nothing of the body's content read before the signature holds:
 * rate limit -> source known/configured -> headers -> timestamp window -> (body bytes read, size
 * limit) -> HMAC over the exact bytes -> replay -> UTF-8/JSON -> envelope -> each message.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Redis } from 'ioredis'
import { Type } from '@sinclair/typebox'
import type { Config } from '../../config/schema.ts'
import { withField } from '../../gateway/errors.ts'
import { parseJsonBody } from '../../gateway/http/json-parser.ts'
import { ErrorSchema } from '../common/draft-schema.ts'
import type { IntakeDeps } from '../common/intake.ts'
import { CH_ERR_CHANNEL_DISABLED, CH_ERR_UNKNOWN_APP } from '../errors.ts'
import { answerOf, BatchAnswerSchema, BatchRejectedSchema } from './answer.ts'
import { envelopeOf } from './envelope.ts'
import { SignedBatchSchema, SignedMessageSchema } from './message.ts'
import { processMessages } from './process-messages.ts'
import { ReplayGuard } from './replay-guard.ts'
import { assertFresh, assertSignature, readSignedHeaders, type SignedHeaders } from './signature.ts'
import { appSource, mailboxSource, messageBoardSource, type SignedSource } from './sources.ts'

export interface SignedChannelsOptions {
  config: Readonly<Config>
  intake: IntakeDeps
  redis: Redis
  clock: () => Date
}

/** Items of one batch in flight at once: enough to overlap Redis round trips, not to hog the pool. */
const BATCH_CONCURRENCY = 8
/** Limits for an app name that is not configured (it gets 404 anyway; a flood of them still 429s). */
const UNKNOWN_APP_LIMIT = { max: 60, timeWindowMs: 60_000 }

interface Mount {
  url: string
  channel: SignedSource['channel']
  summary: string
  /** undefined: no such source (404). */
  sourceOf: (req: FastifyRequest) => SignedSource | undefined
  rateKeyOf: (req: FastifyRequest) => string
}

interface Pending {
  source: SignedSource
  headers: SignedHeaders
  replayKey?: string
}

export async function signedChannels(app: FastifyInstance, opts: SignedChannelsOptions): Promise<void> {
  const { config } = opts
  const mailbox = mailboxSource(config)
  const board = messageBoardSource(config)
  const mounts: Mount[] = [
    {
      url: '/v1/channels/mailbox/messages',
      channel: 'mailbox',
      summary: "Letters from the mayor's mailbox (市长信箱), HMAC-signed",
      sourceOf: () => mailbox,
      rateKeyOf: () => mailbox.key,
    },
    {
      url: '/v1/channels/message-board/messages',
      channel: 'message-board',
      summary: 'Posts from the leadership message board (领导留言板), HMAC-signed',
      sourceOf: () => board,
      rateKeyOf: () => board.key,
    },
    {
      url: '/v1/channels/apps/:app/messages',
      channel: 'app',
      summary: 'Messages from a government app listed in channels.signedApps, HMAC-signed',
      sourceOf: (req) => appSource(config, appName(req)),
      rateKeyOf: (req) => `app:${appName(req)}`,
    },
  ]

  // The signature covers the exact bytes: this context only collects them; parsing waits until the
  // signature has been checked (preValidation below).
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer
    done(null, undefined)
  })

  const replay = new ReplayGuard(opts.redis, config.redis.keyPrefix, config.channels.signatureWindowSeconds)
  const pending = new WeakMap<FastifyRequest, Pending>()
  for (const m of mounts) mount(app, m, { ...opts, replay, pending })
}

interface Shared extends SignedChannelsOptions {
  replay: ReplayGuard
  pending: WeakMap<FastifyRequest, Pending>
}

function mount(app: FastifyInstance, m: Mount, s: Shared): void {
  const limitOf = (req: FastifyRequest) => m.sourceOf(req)?.rateLimit ?? UNKNOWN_APP_LIMIT
  app.post(
    m.url,
    {
      bodyLimit: s.config.channels.signedBodyLimitBytes,
      config: {
        channel: m.channel,
        rateLimit: {
          max: (req: FastifyRequest) => limitOf(req).max,
          timeWindow: (req: FastifyRequest) => limitOf(req).timeWindowMs,
          // Per source and sender address: a flood without the secret must not lock the real sender out.
          keyGenerator: (req: FastifyRequest) => `signed:${m.rateKeyOf(req)}:${req.ip}`,
        },
      },
      // Documented for OpenAPI, validated in code: the signature is checked before the body's content,
      // and one bad message must not fail the batch at the route level.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['channels'],
        summary: m.summary,
        ...(m.channel === 'app' ? { params: Type.Object({ app: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }) }) } : {}),
        headers: Type.Object({
          'x-timestamp': Type.String({ description: 'Unix seconds' }),
          'x-signature': Type.String({ description: 'hex HMAC-SHA256 over `<X-Timestamp>.<raw body>`' }),
        }),
        body: Type.Union([SignedMessageSchema, SignedBatchSchema]),
        response: {
          202: BatchAnswerSchema,
          207: BatchAnswerSchema,
          400: BatchRejectedSchema,
          401: ErrorSchema,
          404: ErrorSchema,
          413: ErrorSchema,
          415: ErrorSchema,
          422: BatchRejectedSchema,
          429: ErrorSchema,
          503: ErrorSchema,
        },
      },
      preParsing: async (req: FastifyRequest) => {
        const source = m.sourceOf(req)
        if (!source) throw withField(new CH_ERR_UNKNOWN_APP(JSON.stringify(appName(req))), '/params/app')
        if (!source.secret) throw new CH_ERR_CHANNEL_DISABLED(source.key)
        const headers = readSignedHeaders(req.headers)
        assertFresh(headers.timestamp, s.clock(), s.config.channels.signatureWindowSeconds)
        s.pending.set(req, { source, headers })
      },
      preValidation: async (req: FastifyRequest) => {
        const p = s.pending.get(req)!
        const raw = req.rawBody ?? Buffer.alloc(0)
        assertSignature(p.source.secret, p.headers, raw)
        p.replayKey = await s.replay.claim(p.source.key, p.headers.signature)
        req.body = parseJsonBody(raw)
      },
      onResponse: async (req: FastifyRequest, reply: FastifyReply) => {
        const key = s.pending.get(req)?.replayKey
        if (key && reply.statusCode >= 500) await releaseQuietly(s.replay, key, req.log)
      },
    },
    async (req, reply) => {
      const { source } = s.pending.get(req)!
      const env = envelopeOf(req.body)
      const outcomes = await processMessages(s.intake, req.log, env.items, {
        source,
        pointer: env.pointer,
        clock: s.clock,
        concurrency: BATCH_CONCURRENCY,
      })
      const { status, body } = answerOf(outcomes)
      return reply.code(status as 202).send(body)
    },
  )
}

function appName(req: FastifyRequest): string {
  return String((req.params as { app?: string }).app ?? '')
}

async function releaseQuietly(replay: ReplayGuard, key: string, log: FastifyBaseLogger): Promise<void> {
  try {
    await replay.release(key)
  } catch (err) {
    log.warn({ err: { message: (err as Error).message } }, 'could not release a replay mark after a failure')
  }
}
