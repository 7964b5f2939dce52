/** Wires the ACD, agent auth and the work-order handoff for one gateway process (main.ts and tests). */
import type { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import type { RedisAppealQueue } from '../queue/redis-appeal-queue.ts'
import { AuthService } from '../auth/auth-service.ts'
import { BullmqHandoff } from '../handoff/workorder-handoff.ts'
import { startWebhookWorker } from '../handoff/webhook-worker.ts'
import { RedisAcd, type Timers } from './redis-acd.ts'
import type { WorkOrderJob } from '../handoff/workorder-handoff.ts'
import type { MatterLinker } from '../matter/linker.ts'
import type { MatterAlerts } from '../matter/alerts.ts'
import { matterAtCompletion } from '../pipeline/post-completion.ts'

export interface AcdStack {
  acd: RedisAcd
  auth: AuthService
  handoff: BullmqHandoff
  worker?: Worker<WorkOrderJob>
  close(): Promise<void>
}

export interface AcdStackOptions {
  config: Readonly<Config>
  redis: Redis
  queue: RedisAppealQueue
  logger: Logger
  clock?: () => Date
  timers?: Timers | false
  fetch?: typeof fetch
  /** 并案: a completed record carries its matter to the work-order system; a call is first linked again on its summary. */
  linker?: MatterLinker
  /** 集中诉求 alerts raised by a call's re-link. */
  alerts?: MatterAlerts
  /** A call's re-link changed these appeals' matter cards (the console pushes them). */
  matterChanged?: (appealIds: string[]) => Promise<void>
  /** Start the webhook worker when handoff.webhookUrl is set (default true). */
  worker?: boolean
}

export async function createAcdStack(o: AcdStackOptions): Promise<AcdStack> {
  const { config, redis, logger } = o
  const auth = await AuthService.create({ config, redis, clock: o.clock })
  if (auth.ephemeralSecret) logger.warn('AUTH_JWT_SECRET is not set: agent tokens are signed with a per-process key and die with this process')
  const handoff = new BullmqHandoff({ redis, keyPrefix: config.redis.keyPrefix, config: config.handoff })
  const acd = new RedisAcd({
    redis,
    keyPrefix: config.redis.keyPrefix,
    acd: config.acd,
    timezone: config.timezone,
    hotlines: config.hotlines,
    appeals: o.queue,
    handoff,
    ...(o.linker
      ? { matterOf: matterAtCompletion({ linker: o.linker, alerts: o.alerts, matterChanged: o.matterChanged, logger: logger.child({ component: 'matter' }) }) }
      : {}),
    agents: auth.directory.profiles(),
    clock: o.clock,
    logger: logger.child({ component: 'acd' }),
    timers: o.timers,
  })
  await acd.start()
  const worker =
    config.handoff.webhookUrl && o.worker !== false
      ? startWebhookWorker({ redis, keyPrefix: config.redis.keyPrefix, config: config.handoff, handoff, logger, fetch: o.fetch, clock: o.clock })
      : undefined
  return {
    acd,
    auth,
    handoff,
    worker,
    async close() {
      await worker?.close()
      await acd.close()
      await handoff.close()
    },
  }
}
