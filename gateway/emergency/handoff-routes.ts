/**
 * The dispatcher view of a handoff record, for the partners' staff (no account: the link's token is
 * the credential; see dispatcher-link.ts):
 *   GET  /handoff/:token                 the page (agent-console/web/handoff.html, Chinese, phone-sized)
 *   GET  /v1/handoffs/:token             the record as JSON — the caller's number in full: dispatchers
 *                                        call the citizen back (never in a log line)
 *   POST /v1/handoffs/:token/answer      {answer: received | returned, reason?} -> 已接收 / 退回12345
 *   GET  /v1/handoffs/:token/recording   the call's recording (range requests), when there is one
 * A bad token is 404 EMERGENCY_ERR_LINK_INVALID, an expired one 410 EMERGENCY_ERR_LINK_EXPIRED.
 */
import { basename, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'
import { Type, type Static } from '@sinclair/typebox'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { AppealQueue } from '../domain/ports.ts'
import { GW_ERR_NOT_FOUND } from '../errors.ts'
import type { RateLimit } from '../http/rate-limit.ts'
import type { EmergencyDesk } from './emergency-desk.ts'
import { dispatcherView } from './handoff-record.ts'

export interface HandoffRoutesOptions {
  desk: EmergencyDesk
  queue: AppealQueue
  /** voice.recordingsDir, resolved. */
  recordingsDir: string
  rateLimit: RateLimit
  clock?: () => Date
}

const WEB_ROOT = fileURLToPath(new URL('../../agent-console/web/', import.meta.url))
/** The page's files; nothing else of the web folder is served under /handoff/. */
const ASSETS = new Set(['/handoff.html', '/handoff.js', '/handoff-zh.js', '/handoff.css', '/dom.js'])

/** Only our own scripts; the page talks to us alone; no referrer, so the token never leaves in one. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

const Token = Type.Object({ token: Type.String({ maxLength: 200 }) })
const AnswerBody = Type.Object(
  {
    answer: Type.Union([Type.Literal('received'), Type.Literal('returned')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)

export async function handoffRoutes(app: FastifyInstance, opts: HandoffRoutesOptions): Promise<void> {
  const { desk } = opts
  const clock = opts.clock ?? (() => new Date())
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/handoff/assets/',
    index: false,
    allowedPath: (pathname, root) => resolve(String(root)) !== resolve(WEB_ROOT) || ASSETS.has(`/${pathname.replace(/^\/+/, '')}`),
  })
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/handoff/')) {
      void reply.header('content-security-policy', CSP)
      void reply.header('x-content-type-options', 'nosniff')
      void reply.header('referrer-policy', 'no-referrer')
    }
  })
  const limited = { config: { rateLimit: opts.rateLimit } }

  app.get<{ Params: Static<typeof Token> }>('/handoff/:token', { ...limited, schema: { hide: true } }, (_req, reply) => noStore(reply).sendFile('handoff.html'))

  app.get<{ Params: Static<typeof Token> }>(
    '/v1/handoffs/:token',
    {
      ...limited,
      schema: {
        tags: ['emergency'],
        summary: 'A handoff record for the emergency dispatcher (the token of its link)',
        params: Token,
        response: { 404: ErrorSchema, 410: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const record = await desk.byLink(req.params.token)
      noStore(reply)
      return { handoff: dispatcherView(record), serverTime: clock().toISOString() }
    },
  )

  app.post<{ Params: Static<typeof Token>; Body: Static<typeof AnswerBody> }>(
    '/v1/handoffs/:token/answer',
    {
      ...limited,
      schema: {
        tags: ['emergency'],
        summary: 'The partner answers a handoff: received (已接收) or returned (退回12345, with a reason)',
        params: Token,
        body: AnswerBody,
        response: { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 410: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const record = await desk.answer(req.params.token, req.body.answer, req.body.reason)
      noStore(reply)
      return { handoff: dispatcherView(record), serverTime: clock().toISOString() }
    },
  )

  app.get<{ Params: Static<typeof Token> }>(
    '/v1/handoffs/:token/recording',
    {
      ...limited,
      schema: {
        tags: ['emergency'],
        summary: "The call's recording for the emergency dispatcher (audio/wav, range requests)",
        params: Token,
        response: { 404: ErrorSchema, 410: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const record = await desk.byLink(req.params.token)
      const appeal = record.recordingUrl ? await opts.queue.get(record.appealId) : undefined
      const file = appeal?.call?.recording ? basename(appeal.call.recording) : undefined
      if (!file || !existsSync(resolve(opts.recordingsDir, file))) throw new GW_ERR_NOT_FOUND('Recording')
      req.log.info({ handoffId: record.id, appealId: record.appealId, partner: record.partner }, 'recording played by a dispatcher')
      return noStore(reply).type('audio/wav').sendFile(file, opts.recordingsDir)
    },
  )
}
