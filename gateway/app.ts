/**
 * build(config, deps) -> a fastify instance with every route. No I/O at import or in build():
 * connections are made by main.ts (or the test) and passed in.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { randomUUID } from 'node:crypto'
import type { Config } from '../config/schema.ts'
import type { AppealQueue } from './domain/ports.ts'
import { createLogger } from './log.ts'
import { registerJsonParser } from './http/json-parser.ts'
import { registerErrorHandler } from './http/error-handler.ts'
import { createMetrics, registerMetricsRoute, type Metrics } from './http/metrics.ts'
import { registerHealthRoutes } from './http/health.ts'
import { registerDrain } from './http/drain.ts'
import { registerOpenApi } from './http/openapi.ts'
import { registerRateLimit, rateLimitOf } from './http/rate-limit.ts'
import { staffAuth } from './http/staff-auth.ts'
import { appealRoutes } from './http/appeal-routes.ts'
import type { IntakeDeps } from '../channels/common/intake.ts'
import { registerChannels } from '../channels/index.ts'
import { postIntake } from './pipeline/post-intake.ts'
import type { MatterLinker } from './matter/linker.ts'
import type { MatterAlerts } from './matter/alerts.ts'
import type { Acd } from './acd/types.ts'
import type { AuthService } from './auth/auth-service.ts'
import { authRoutes } from './auth/routes.ts'
import { acdRoutes } from './acd/routes.ts'
import { registerAcdMetrics } from './acd/metrics.ts'
import { agentConsole } from '../agent-console/server/plugin.ts'
import { agentLister, tokenVerifier } from '../agent-console/server/acd-adapter.ts'
import { afterLogout } from '../agent-console/server/sign-out.ts'
import type { Voice } from './telephony/create-voice.ts'
import { voiceRoutes } from './telephony/voice-routes.ts'
import { resolve } from 'node:path'
import type { EmergencyDesk } from './emergency/emergency-desk.ts'
import { handoffRoutes } from './emergency/handoff-routes.ts'
import { emergencyChannel } from '../channels/emergency/routes.ts'

export interface AppDeps {
  redis: Redis
  queue: AppealQueue
  logger?: Logger
  /** Extra step after an HTTP intake first stored an appeal (tests observe intake with it). */
  onAccepted?: IntakeDeps['onAccepted']
  /** Outgoing HTTP (WeChat code2session ...); tests point it at a local server. */
  fetch?: typeof fetch
  clock?: () => Date
  /** The ACD (gateway/acd): accepted appeals become its entries; its routes and gauges are registered. */
  acd?: Acd
  /** Agent login and token verification (gateway/auth); required with `acd`. */
  auth?: AuthService
  /** 并案: links every queued appeal to its matter before it is offered. */
  linker?: MatterLinker
  /** 集中诉求 alerts for the wallboard. */
  alerts?: MatterAlerts
  /** The voice path (gateway/telephony), when media servers are configured. */
  voice?: Voice
  /** 110/119/120/122 handoff records (gateway/emergency): dispatcher links, partner record pushes. */
  emergency?: EmergencyDesk
}

declare module 'fastify' {
  interface FastifyContextConfig {
    channel?: string
  }
}

export interface App extends FastifyInstance {
  metrics: Metrics
  /** Present when built with deps.acd: the websocket console uses it. */
  acd?: Acd
  /** Present when built with deps.auth: `app.auth.verifyAccessToken(token)` admits consoles. */
  auth?: AuthService
}

export async function build(config: Readonly<Config>, deps: AppDeps): Promise<App> {
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(config.log.level),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID()
    },
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
    return503OnClosing: true,
  }) as unknown as App

  const metrics = createMetrics({ queueDepth: async () => (await deps.queue.stats()).waiting })
  app.decorate('metrics', metrics)
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id)
  })

  registerDrain(app)
  registerJsonParser(app)
  registerErrorHandler(app, { bodyLimit: config.server.bodyLimitBytes, metrics })
  await registerOpenApi(app)
  await registerRateLimit(app, deps.redis, config.redis.keyPrefix)
  registerHealthRoutes(app, deps.redis)
  registerMetricsRoute(app, metrics)

  const acd = deps.acd
  const intakeDeps: IntakeDeps = {
    queue: deps.queue,
    metrics,
    storeReady: () => deps.redis.status === 'ready',
    onAccepted: deps.onAccepted,
  }
  // Matter linking, then the ACD entry: run by the queue once an appeal is queued (and again by the
  // sweeper after a crash), for every channel alike.
  if (acd || deps.linker) {
    deps.queue.onQueued(postIntake({ acd, linker: deps.linker, alerts: deps.alerts, logger: app.log as unknown as Logger }))
  }
  if (deps.auth) {
    app.decorate('auth', deps.auth)
    await app.register(authRoutes, {
      auth: deps.auth,
      ...(acd ? { onLogout: afterLogout({ acd, redis: deps.redis, keyPrefix: config.redis.keyPrefix }) } : {}),
    })
  }
  if (acd) {
    if (!deps.auth) throw new Error('build(): deps.acd needs deps.auth')
    app.decorate('acd', acd)
    registerAcdMetrics(metrics.registry, acd)
    await app.register(acdRoutes, {
      acd,
      auth: deps.auth,
      requireStaff: staffAuth(config.auth.staffTokens) as never,
      positionRateLimit: rateLimitOf(config.statusQuery.rateLimit),
    })
    await app.register(agentConsole, {
      config: config.console,
      hotlines: config.hotlines,
      acd,
      queue: deps.queue,
      redis: deps.redis,
      keyPrefix: config.redis.keyPrefix,
      verifyToken: tokenVerifier(deps.auth),
      listAgents: agentLister(deps.auth, acd),
      clock: deps.clock,
      linker: deps.linker,
      alerts: deps.alerts,
      // The browser softphone exists only with the voice path (media servers configured).
      softphone: config.voice.servers.length > 0 ? { settings: config.voice.softphone, agents: config.agents } : undefined,
      callControl: deps.voice?.control,
      callBack: deps.voice?.callBack,
      emergency: deps.emergency,
      emergencyCalls: deps.voice?.emergencyCalls,
    })
  }
  if (deps.voice && acd && deps.auth) {
    await app.register(voiceRoutes, {
      queue: deps.queue,
      acd,
      auth: deps.auth,
      missed: deps.voice.missed,
      requireStaff: staffAuth(config.auth.staffTokens),
      recordingsDir: resolve(config.voice.recordingsDir),
    })
  }
  await app.register(appealRoutes, {
    queue: deps.queue,
    redis: deps.redis,
    keyPrefix: config.redis.keyPrefix,
    requireStaff: staffAuth(config.auth.staffTokens),
    statusRateLimit: rateLimitOf(config.statusQuery.rateLimit),
    maxFailuresPerNumber: config.statusQuery.maxFailuresPerNumber,
    agentReader:
      acd && deps.auth
        ? { verify: (token) => deps.auth!.verifyAccessToken(token), canRead: (agentId, appealId) => acd.canRead(agentId, appealId) }
        : undefined,
  })
  await registerChannels(app, config, {
    intake: intakeDeps,
    redis: deps.redis,
    fetch: deps.fetch ?? fetch,
    clock: deps.clock ?? (() => new Date()),
  })
  if (deps.emergency) {
    const desk = deps.emergency
    await app.register(handoffRoutes, { desk, queue: deps.queue, recordingsDir: resolve(config.voice.recordingsDir), rateLimit: rateLimitOf(config.emergency.rateLimit), clock: deps.clock })
    await app.register(emergencyChannel, { config, intake: intakeDeps, desk, redis: deps.redis, clock: deps.clock ?? (() => new Date()) })
  }
  return app
}
