/**
 * The browser softphone's two server pieces:
 * - GET /v1/agent/softphone: the caller's own SIP credentials (agent bearer token, as the console
 *   socket), derived from voice.softphone.secret; `Cache-Control: no-store`, never logged.
 * - GET /console/vendor/jssip.min.js: JsSIP's browser build. The npm package ships only CommonJS
 *   (lib/), so it is bundled once, on the first request, with esbuild (already installed with tsx)
 *   and kept in memory: served by the gateway itself, no CDN, no build step, same version as
 *   package.json.
 */
import { createRequire } from 'node:module'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorSchema } from '../../channels/common/draft-schema.ts'
import type { AgentConfig } from '../../config/schema.ts'
import { AUTH_ERR_TOKEN_INVALID } from '../../gateway/auth/errors.ts'
import { softphoneCredentials, type SoftphoneSettings } from '../../gateway/telephony/sip-credentials.ts'
import type { TokenVerifier } from './socket-auth.ts'

export interface SoftphoneRoutesOptions {
  settings: Readonly<SoftphoneSettings>
  agents: readonly Readonly<AgentConfig>[]
  verifyToken: TokenVerifier
}

/** The websocket origin the console page must be allowed to connect to (CSP connect-src). */
export function softphoneOrigin(wsUrl: string): string {
  const u = new URL(wsUrl)
  return `${u.protocol}//${u.host}`
}

const CredentialsSchema = Type.Object({
  wsUrl: Type.String(),
  uri: Type.String(),
  authorizationUser: Type.String(),
  password: Type.String(),
  displayName: Type.String(),
  autoAnswer: Type.Boolean(),
})

let bundle: Promise<string> | undefined

/** JsSIP as one IIFE that sets `window.JsSIP`, built once per process. */
export function jssipBundle(): Promise<string> {
  bundle ??= (async () => {
    const require = createRequire(import.meta.url)
    const { build } = await import('esbuild')
    const out = await build({
      entryPoints: [require.resolve('jssip')],
      bundle: true,
      format: 'iife',
      globalName: 'JsSIP',
      platform: 'browser',
      minify: true,
      write: false,
      logLevel: 'silent',
    })
    return out.outputFiles[0].text
  })()
  bundle.catch(() => (bundle = undefined))
  return bundle
}

export async function softphoneRoutes(app: FastifyInstance, opts: SoftphoneRoutesOptions): Promise<void> {
  const byId = new Map(opts.agents.map((a) => [a.id, a]))

  app.get(
    '/v1/agent/softphone',
    {
      onRequest: async (req) => {
        const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')
        if (!m) throw new AUTH_ERR_TOKEN_INVALID()
        try {
          req.softphoneIdentity = await opts.verifyToken(m[1].trim())
        } catch {
          throw new AUTH_ERR_TOKEN_INVALID()
        }
      },
      schema: {
        tags: ['agent'],
        summary: "The caller's own SIP credentials for the browser softphone (JsSIP over WebSocket)",
        security: [{ agentToken: [] }],
        response: { 200: CredentialsSchema, 401: ErrorSchema },
      },
    },
    async (req, reply) => {
      const who = req.softphoneIdentity!
      const agent = byId.get(who.agentId)
      // The password is in the body only: fastify logs no bodies, and this line names the agent alone.
      req.log.info({ agentId: who.agentId }, 'softphone credentials issued')
      void reply.header('cache-control', 'no-store')
      return softphoneCredentials(opts.settings, { id: who.agentId, name: agent?.name ?? who.name, phone: agent?.phone })
    },
  )

  app.get('/console/vendor/jssip.min.js', { schema: { hide: true } }, async (_req, reply) => {
    const js = await jssipBundle()
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(js)
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    softphoneIdentity?: import('./session.ts').Identity
  }
}
