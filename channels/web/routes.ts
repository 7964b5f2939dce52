/**
 * Web portal channel: POST /v1/channels/web/appeals with the Appeal draft as JSON.
 * An Idempotency-Key header makes retries safe: the same key answers the same appeal.
 */
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { AppealDraft } from '../../gateway/domain/appeal.ts'
import { AcceptedSchema, AppealDraftSchema, ErrorSchema } from '../common/draft-schema.ts'
import { intake, type IntakeDeps } from '../common/intake.ts'
import { requireJson } from '../common/require-json.ts'
import type { RateLimit } from '../../gateway/http/rate-limit.ts'

export interface WebChannelOptions {
  deps: IntakeDeps
  rateLimit: RateLimit
}

export async function webChannel(app: FastifyInstance, opts: WebChannelOptions): Promise<void> {
  app.post<{ Body: AppealDraft; Headers: { 'idempotency-key'?: string } }>(
    '/v1/channels/web/appeals',
    {
      config: { channel: 'web', rateLimit: opts.rateLimit },
      preValidation: requireJson,
      schema: {
        tags: ['channels'],
        summary: 'Submit an appeal from the city website',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' })),
        }),
        body: AppealDraftSchema,
        response: { 202: AcceptedSchema, 400: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 422: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key']
      const { appeal, created } = await intake(opts.deps, req.log, {
        channel: 'web',
        externalId: key,
        draft: req.body,
      })
      if (!created) void reply.header('Idempotent-Replayed', 'true')
      return reply.code(202).send({ id: appeal.id, appealNumber: appeal.appealNumber, status: appeal.status })
    },
  )
}
