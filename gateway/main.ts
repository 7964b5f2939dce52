/** The gateway process: load config -> connect -> listen; drain on SIGTERM. */
import { appealQueueFromConfig } from './queue/appeal-queue-from-config.ts'
import { loadConfig } from '../config/load.ts'
import { build } from './app.ts'
import { createLogger } from './log.ts'
import { connectRedis, waitReady } from './queue/redis.ts'
import { createAcdStack } from './acd/create-acd.ts'
import { MatterLinker } from './matter/linker.ts'
import { MatterAlerts } from './matter/alerts.ts'
import { startMaintenance } from './maintenance.ts'
import { createVoice } from './telephony/create-voice.ts'
import { createSipEdge } from './telephony/sip/create-sip-edge.ts'
import { matterNotice } from '../agent-console/server/matter-push.ts'
import { createEmergency } from './emergency/create-emergency.ts'
import { handoffNotice } from '../agent-console/server/emergency-push.ts'

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig()
  } catch (err) {
    // A bad setting stops startup with its code and the path of the field, never a stack trace.
    stopOnStartupError(createLogger('info'), err, 'invalid configuration')
  }
  const logger = createLogger(config.log.level)
  const redis = connectRedis(config.redis.url)
  redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection error'))
  try {
    await waitReady(redis, 10_000)
  } catch (err) {
    logger.fatal({ url: redactUrl(config.redis.url), err: { message: (err as Error).message } }, 'cannot reach Redis')
    process.exit(1)
  }

  const queue = appealQueueFromConfig(config, redis, {
    onHookError: (appealId, err) =>
      logger.warn({ appealId, err: { message: err.message, code: (err as { code?: string }).code } }, 'post-intake step failed; the sweeper will retry'),
  })
  const linker = config.matter.enabled
    ? new MatterLinker({ redis, keyPrefix: config.redis.keyPrefix, windowDays: config.matter.windowDays })
    : undefined
  const alerts = new MatterAlerts(redis, config.redis.keyPrefix)
  // A call completed with a summary is linked again on it: its cards pushed, 集中诉求 raised.
  const stack = await createAcdStack({ config, redis, queue, logger, linker, alerts, matterChanged: matterNotice(redis, config.redis.keyPrefix) })
  // 110/119/120/122 handoff records: every change reaches the consoles (handoff.updated).
  const emergency = createEmergency({ config, redis, queue, logger, onChange: handoffNotice(redis, config.redis.keyPrefix) })
  let voice: Awaited<ReturnType<typeof createVoice>>
  try {
    voice = await createVoice({ config, redis, queue, acd: stack.acd, logger, emergency: emergency.desk })
  } catch (err) {
    stopOnStartupError(logger, err, 'the voice path cannot start')
  }
  if (voice) logger.info({ mediaServers: config.voice.servers.map((s) => s.id), up: voice.media.upServers() }, 'voice path on')
  else logger.info('voice path off: no media server configured (FREESWITCH_SERVERS); the written channels run')
  let edge: Awaited<ReturnType<typeof createSipEdge>>
  try {
    edge = await createSipEdge(config, logger)
  } catch (err) {
    stopOnStartupError(logger, err, 'the SIP edge cannot start')
  }
  if (edge) logger.info({ drachtio: `${config.sip.drachtio.host}:${config.sip.drachtio.port}`, trunks: config.sip.trunks.map((tr) => tr.id) }, 'SIP edge on')
  const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth, linker, alerts, voice, emergency: emergency.desk })

  const maintenance = startMaintenance({ config, queue, acd: stack.acd, logger })

  await app.listen({ host: config.server.host, port: config.server.port })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'draining: no new requests, finishing in-flight ones')
    maintenance.stop()
    const deadline = setTimeout(() => {
      logger.error('drain deadline passed; exiting')
      process.exit(1)
    }, config.server.drainSeconds * 1000)
    deadline.unref()
    await app.close()
    await edge?.close()
    await emergency.close()
    await voice?.close()
    await stack.close()
    await queue.close()
    await redis.quit()
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

function stopOnStartupError(logger: ReturnType<typeof createLogger>, err: unknown, what: string): never {
  const e = err as { code?: string; message?: string }
  logger.fatal({ code: e.code ?? 'GW_ERR_INTERNAL', err: { message: e.message } }, what)
  process.stderr.write(`${e.code ?? 'error'}: ${e.message}\n`)
  process.exit(1)
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}

void main()
