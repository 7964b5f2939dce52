/** Wires the emergency handoff for one gateway process (main.ts and tests): desk, push queue, worker. */
import type { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import type { AppealQueue } from '../domain/ports.ts'
import { EmergencyDesk } from './emergency-desk.ts'
import type { HandoffRecord } from './handoff-record.ts'
import { RecordPush, startRecordPushWorker, type PushJob } from './record-push.ts'

export interface Emergency {
  desk: EmergencyDesk
  push: RecordPush
  worker?: Worker<PushJob>
  close(): Promise<void>
}

export interface EmergencyOptions {
  config: Readonly<Config>
  redis: Redis
  queue: AppealQueue
  logger: Logger
  clock?: () => Date
  fetch?: typeof fetch
  /** Every change of a record: agent-console/server/emergency-push.ts `handoffNotice` tells the consoles. */
  onChange?: (record: HandoffRecord) => Promise<void>
  /** Run the push worker here (default: when some partner takes pushes). */
  worker?: boolean
}

export function createEmergency(o: EmergencyOptions): Emergency {
  const { config, redis } = o
  const logger = o.logger.child({ component: 'emergency' })
  const push = new RecordPush({ redis, keyPrefix: config.redis.keyPrefix, config: config.emergency.push })
  const desk = new EmergencyDesk({ config, redis, queue: o.queue, push, clock: o.clock, logger, onChange: o.onChange })
  const wanted = o.worker ?? config.emergency.partners.some((p) => p.recordEndpoint)
  const worker = wanted
    ? startRecordPushWorker({ redis, keyPrefix: config.redis.keyPrefix, config: config.emergency.push, ledger: desk, logger, fetch: o.fetch, clock: o.clock })
    : undefined
  return {
    desk,
    push,
    worker,
    async close() {
      await worker?.close()
      await push.close()
    },
  }
}
