/**
 * Voice HTTP routes:
 *   GET /v1/appeals/:id/recording  the call's recording, with range requests. Same rule as the
 *       appeal: a staff token; or an agent token of the agent who holds (or is offered) the appeal;
 *       or a supervisor's token.
 *   GET /v1/voice/missed           漏接回拨: callers who hung up while waiting, numbers masked
 *       (supervisors and agents; a staff token too).
 */
import { basename, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { Acd } from '../acd/types.ts'
import type { AuthService } from '../auth/auth-service.ts'
import type { AppealQueue } from '../domain/ports.ts'
import { GW_ERR_FORBIDDEN, GW_ERR_NOT_FOUND, GW_ERR_UNAUTHORIZED, withField } from '../errors.ts'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { MissedCalls } from './missed-calls.ts'

export interface VoiceRoutesOptions {
  queue: AppealQueue
  acd: Acd
  auth: AuthService
  missed: MissedCalls
  requireStaff: onRequestAsyncHookHandler
  /** Where recordings are (voice.recordingsDir, resolved). */
  recordingsDir: string
}

const JWT_BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i

type Reader = { kind: 'staff' } | { kind: 'agent'; agentId: string; role: string }

export async function voiceRoutes(app: FastifyInstance, opts: VoiceRoutesOptions): Promise<void> {
  // reply.sendFile (ranges, ETag, 304) from the recordings folder; nothing is served by itself.
  await app.register(fastifyStatic, { root: opts.recordingsDir, serve: false })
  const reader = async (req: FastifyRequest, reply: FastifyReply): Promise<Reader> => {
    const m = JWT_BEARER.exec(req.headers.authorization ?? '')
    if (m) {
      const v = await opts.auth.verifyAccessToken(m[1]).catch(() => {
        throw new GW_ERR_UNAUTHORIZED()
      })
      return { kind: 'agent', agentId: v.agentId, role: v.role }
    }
    await (opts.requireStaff as unknown as (r: FastifyRequest, p: FastifyReply) => Promise<void>)(req, reply)
    return { kind: 'staff' }
  }

  app.get<{ Params: { id: string } }>(
    '/v1/appeals/:id/recording',
    {
      schema: {
        tags: ['voice'],
        summary: "The call's recording (audio/wav, range requests). Staff, the agent holding the appeal, or a supervisor",
        security: [{ staffToken: [] }, { agentToken: [] }],
        params: Type.Object({ id: Type.String({ pattern: '^ap_[A-Za-z0-9_-]{24}$' }) }),
        response: { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (req, reply) => {
      const who = await reader(req, reply)
      const appealId = req.params.id
      if (who.kind === 'agent' && who.role !== 'supervisor' && (await opts.acd.holderOf(appealId)) !== who.agentId) {
        throw withField(new GW_ERR_FORBIDDEN(), '/params/id')
      }
      const appeal = await opts.queue.get(appealId)
      const file = appeal?.call?.recording ? basename(appeal.call.recording) : undefined
      if (!file || !existsSync(resolve(opts.recordingsDir, file))) throw new GW_ERR_NOT_FOUND('Recording')
      req.log.info({ appealId, by: who.kind === 'agent' ? who.agentId : 'staff' }, 'recording played')
      void reply.header('cache-control', 'private, no-store')
      return reply.type('audio/wav').sendFile(file, opts.recordingsDir)
    },
  )

  app.get<{ Querystring: { limit?: string } }>(
    '/v1/voice/missed',
    {
      schema: {
        tags: ['voice'],
        summary: '漏接回拨: callers who hung up while waiting, newest first, numbers masked',
        security: [{ staffToken: [] }, { agentToken: [] }],
        querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })) }),
        response: { 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      await reader(req, reply)
      return { missed: await opts.missed.list(Math.min(Number(req.query.limit ?? 100) || 100, 500)) }
    },
  )
}
