/**
 * The real gateway (ACD, auth, handoff, console) on real Redis, listening on 127.0.0.1:<random>,
 * for websocket and browser tests. Demo accounts from config/agents.json: 1001 and 1002 (agents),
 * 9001 (supervisor), password demo12345.
 */
import { createEmergency, type Emergency } from '../../../gateway/emergency/create-emergency.ts'
import { handoffNotice } from '../../../agent-console/server/emergency-push.ts'
import { createSipEdge, type SipEdgeHandle } from '../../../gateway/telephony/sip/create-sip-edge.ts'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { createAcdStack, type AcdStack } from '../../../gateway/acd/create-acd.ts'
import type { Role } from '../../../gateway/acd/types.ts'
import { build, type App } from '../../../gateway/app.ts'
import { createLogger } from '../../../gateway/log.ts'
import { RedisAppealQueue } from '../../../gateway/queue/redis-appeal-queue.ts'
import { MatterAlerts } from '../../../gateway/matter/alerts.ts'
import { MatterLinker } from '../../../gateway/matter/linker.ts'
import { matterNotice } from '../../../agent-console/server/matter-push.ts'
import { startMaintenance } from '../../../gateway/maintenance.ts'
import { createVoice, type Voice } from '../../../gateway/telephony/create-voice.ts'
import type { Submission } from '../../../gateway/domain/ports.ts'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import { testConfig } from '../../helpers/app.ts'
import { testRedis } from '../../helpers/redis.ts'
import type { Redis } from 'ioredis'

export const JWT_SECRET = 'test-console-jwt-secret-0123456789abcdef'
export const DEMO_PASSWORD = 'demo12345'

export interface ConsoleTestApp {
  app: App
  stack: AcdStack
  /** Present when the config names media servers. */
  voice?: Voice
  /** Present when the config names a drachtio-server. */
  edge?: SipEdgeHandle
  /** The 110/119/120/122 handoff desk. */
  emergency: Emergency
  linker: MatterLinker
  alerts: MatterAlerts
  queue: RedisAppealQueue
  redis: Redis
  prefix: string
  config: Readonly<Config>
  logs: Record<string, unknown>[]
  url: string
  wsUrl: string
  /** Closes the gateway (app, ACD, queue) as a shutdown would; idempotent, also run at teardown. */
  close(): Promise<void>
  /** A signed access token as gateway/auth issues it (same issuer/audience/secret); ttl may be negative. */
  token(agentId: string, role?: Role, ttlSeconds?: number): Promise<string>
  /** Submits a web appeal through the real channel; returns its id. */
  webAppeal(content?: string, phone?: string, address?: string): Promise<string>
  /** An appeal handled before the test (in the citizen's history, never routed again); returns its id. */
  pastAppeal(submission: Submission): Promise<string>
}

interface TapLike {
  teardown(fn: () => unknown): void
}

/**
 * `share`: another app's Redis and prefix, to run a second gateway process on the same data.
 * `opts.env`: secrets as the environment gives them; `opts.port`: listen there (a restarted gateway).
 * The periodic sweeps of main.ts run too (gateway/maintenance.ts); `opts.maintenance` shortens them.
 */
export async function consoleApp(
  t: TapLike,
  overrides: DeepPartial<Config> = {},
  share?: { redis: Redis; prefix: string },
  opts: { env?: NodeJS.ProcessEnv; port?: number; maintenance?: { sweepEveryMs?: number; recoverEveryMs?: number } } = {},
): Promise<ConsoleTestApp> {
  const { redis, prefix } = await testRedis(t, share?.prefix)
  const config = testConfig(prefix, { ...overrides, auth: { jwtSecret: JWT_SECRET, ...(overrides.auth ?? {}) } }, opts.env)
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    },
  })
  const logger = createLogger('info', sink)
  const queue = new RedisAppealQueue({
    redis,
    keyPrefix: prefix,
    queueName: config.queue.name,
    timezone: config.timezone,
    retentionDays: config.queue.retentionDays,
  })
  // As main.ts wires it: matter linking before the offer, 集中诉求 alerts, matter in the handoff
  // (a call linked again on its summary at completion, its cards pushed).
  const linker = new MatterLinker({ redis, keyPrefix: prefix })
  const alerts = new MatterAlerts(redis, prefix)
  const stack = await createAcdStack({ config, redis, queue, logger, linker, alerts, matterChanged: matterNotice(redis, prefix) })
  // The voice path when the test configures media servers (a FreeSWITCH peer).
  // 110/119/120/122 handoff records (no push worker unless a partner has an endpoint), as main.ts.
  const emergency = createEmergency({ config, redis, queue, logger, onChange: handoffNotice(redis, prefix) })
  const voice = await createVoice({ config, redis, queue, acd: stack.acd, logger, emergency: emergency.desk })
  // The SIP edge when the test configures a drachtio-server (a peer or a real one).
  const edge = await createSipEdge(config, logger)
  const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth, linker, alerts, voice, emergency: emergency.desk })
  const maintenance = startMaintenance({ config, queue, acd: stack.acd, logger, ...opts.maintenance })
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      maintenance.stop()
      await app.close()
      await edge?.close()
      await voice?.close()
      await emergency.close()
      await stack.close()
      await queue.close()
    })())
  t.teardown(close)
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const secret = new TextEncoder().encode(JWT_SECRET)
  return {
    app,
    stack,
    voice,
    edge,
    emergency,
    linker,
    alerts,
    queue,
    redis,
    prefix,
    config,
    logs,
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/agent/ws`,
    close,
    token: (agentId, role = 'agent', ttl = 600) => {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(agentId)
        .setIssuer('gw-12345')
        .setAudience('agent-console')
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(randomUUID())
        .sign(secret)
    },
    pastAppeal: async (submission) => {
      // A queue without the post-intake step, as the appeal predates this gateway's routing.
      const past = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 30 })
      const { appeal } = await past.submit(submission)
      await past.store.transition(appeal.id, ['queued'], 'completed', new Date().toISOString(), 'earlier-agent')
      await past.queue.remove(appeal.id)
      await past.store.dropPending(appeal.id)
      await past.close()
      return appeal.id
    },
    webAppeal: async (content = '小区门口路灯坏了一个星期，晚上很黑', phone = '13812345678', address = '幸福路12号') => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/channels/web/appeals',
        headers: { 'idempotency-key': randomUUID() },
        payload: { citizen: { phone, name: '张三' }, content, location: { address } },
      })
      if (res.statusCode !== 202) throw new Error(`web appeal refused: ${res.body}`)
      return (res.json() as { id: string }).id
    },
  }
}
