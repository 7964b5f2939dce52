/**
 * The whole gateway with the voice path, wired as gateway/main.ts wires it (queue, matter linker,
 * ACD stack, voice, Fastify app, maintenance sweeps) against a FreeSWITCH peer, for the voice benches.
 * Differences from main.ts, all to keep the measured process honest: a random Redis key prefix
 * (deleted at close), log level `info` into a null stream (pino still serialises every line, as in
 * production; nothing is kept in memory, unlike the test helper's parsed log array), prompt files
 * are empty stand-ins (test/voice/helpers/voice-scene.ts), the HTTP server is not listening, and the
 * event-socket health probe waits 3 s for its answer (default 1.5 s; probe every 0.5 s instead of 1 s,
 * down after 1.5 s instead of 2 s, to stay within the 5 s the config allows): the peer runs in one
 * Node process that this busy 2-core VM starves for up to ~1 s at a time, and a probe timeout makes the
 * gateway reconnect mid-run (a real behaviour, reported in docs/benchmarks.md, but not what these
 * benches measure). VOICE_BENCH_DEFAULT_HEALTH=1 runs with the defaults.
 */
import { mkdtempSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import { loadConfig, type DeepPartial } from '../../config/load.ts'
import type { Config } from '../../config/schema.ts'
import { createAcdStack, type AcdStack } from '../../gateway/acd/create-acd.ts'
import { build, type App } from '../../gateway/app.ts'
import { createLogger } from '../../gateway/log.ts'
import { startMaintenance } from '../../gateway/maintenance.ts'
import { MatterAlerts } from '../../gateway/matter/alerts.ts'
import { MatterLinker } from '../../gateway/matter/linker.ts'
import { deleteByPrefix } from '../../gateway/queue/delete-prefix.ts'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import { createVoice, type Voice } from '../../gateway/telephony/create-voice.ts'
import { promptStandIns } from '../../test/voice/helpers/voice-scene.ts'
import { REDIS_URL } from '../lib/machine.ts'

export const ESL_PASSWORD = 'ClueCon'
const HEALTH = process.env.VOICE_BENCH_DEFAULT_HEALTH === '1' ? {} : { healthIntervalMs: 500, healthTimeoutMs: 3000, downAfterMs: 1500 }

export interface BenchGateway {
  app: App
  stack: AcdStack
  voice: Voice
  queue: RedisAppealQueue
  redis: Redis
  prefix: string
  config: Readonly<Config>
  close(): Promise<void>
}

export async function startGateway(fs: { host: string; port: number }, voice: DeepPartial<Config['voice']> = {}, acd: DeepPartial<Config['acd']> = {}): Promise<BenchGateway> {
  const prefix = `bench-${randomUUID()}`
  const redis = connectRedis(REDIS_URL)
  await waitReady(redis)
  redis.on('error', () => {}) // as main.ts: connection errors are logged there, retried by ioredis
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'test',
      redis: { url: REDIS_URL, keyPrefix: prefix },
      auth: { jwtSecret: 'bench-voice-jwt-secret-0123456789abcdef' },
      log: { level: 'info' },
      acd: { offerTimeoutSeconds: 15, wrapUpSeconds: 0, ...acd },
      voice: {
        servers: [{ id: 'fs1', host: fs.host, port: fs.port }],
        eslPassword: ESL_PASSWORD,
        promptsDir: promptStandIns(),
        recordingsDir: mkdtempSync(join(tmpdir(), 'bench-recordings-')),
        eventSocket: HEALTH,
        ...voice,
        waiting: { announceEverySeconds: 0, callbackOfferAfterSeconds: 0, maxWaitSeconds: 0, ...(voice.waiting ?? {}) },
      },
    },
  })
  // VOICE_BENCH_LOG=warn (or any level): the gateway's log lines at that level and above on stderr
  const logger = process.env.VOICE_BENCH_LOG
    ? createLogger(process.env.VOICE_BENCH_LOG, process.stderr)
    : createLogger(config.log.level, new Writable({ write: (_c, _e, cb) => cb() }))
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: config.queue.retentionDays })
  const linker = config.matter.enabled ? new MatterLinker({ redis, keyPrefix: prefix, windowDays: config.matter.windowDays }) : undefined
  const stack = await createAcdStack({ config, redis, queue, logger, linker })
  const alerts = new MatterAlerts(redis, prefix)
  const voicePath = await createVoice({ config, redis, queue, acd: stack.acd, logger })
  if (!voicePath) throw new Error('voice path off: no media server in the config')
  const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth, linker, alerts, voice: voicePath })
  await app.ready()
  const maintenance = startMaintenance({ config, queue, acd: stack.acd, logger })
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      maintenance.stop()
      await app.close()
      await voicePath.close()
      await stack.close()
      await queue.close()
      // a fresh connection for the cleanup: the shared one may be closed or broken by now
      const cleanup = connectRedis(REDIS_URL)
      try {
        await waitReady(cleanup)
        await deleteByPrefix(cleanup, prefix)
      } finally {
        cleanup.disconnect()
        if (redis.status === 'ready') await redis.quit().catch(() => undefined)
        else redis.disconnect()
      }
    })())
  return { app, stack, voice: voicePath, queue, redis, prefix, config, close }
}

/**
 * What-if, bench only: every socket opened with net.connect in this process (modesl's event socket;
 * ioredis uses net.createConnection) gets setNoDelay(true), i.e. Nagle off. Returns the undo.
 */
export function eventSocketNoDelay(): () => void {
  const original = net.connect
  net.connect = function (this: unknown, ...args: unknown[]) {
    const socket = (original as (...a: unknown[]) => net.Socket).apply(net, args)
    socket.setNoDelay(true)
    return socket
  } as typeof net.connect
  return () => {
    net.connect = original
  }
}
