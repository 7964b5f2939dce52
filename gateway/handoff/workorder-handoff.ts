/**
 * The handoff port: a completed appeal leaves for the work-order system through the bullmq queue
 * `workorders` (job id = appeal id, so a repeated completion adds nothing). The work-order system
 * consumes that queue itself, or - when handoff.webhookUrl is set - this gateway's webhook worker
 * (webhook-worker.ts) delivers each job as a signed POST.
 */
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import type { Appeal } from '../domain/appeal.ts'

export interface Handoff {
  /** Idempotent: the same appeal handed off twice is one work order. */
  deliver(appeal: Appeal): Promise<void>
  close(): Promise<void>
}

export interface WorkOrderJob {
  appeal: Appeal
}

export interface DeadLetterJob {
  appeal: Appeal
  error: string
  attempts: number
  failedAt: string
}

export function handoffBullPrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`
}

export class BullmqHandoff implements Handoff {
  readonly queue: Queue<WorkOrderJob>
  readonly dead: Queue<DeadLetterJob>
  readonly #cfg: Config['handoff']

  constructor(opts: { redis: Redis; keyPrefix: string; config: Config['handoff'] }) {
    this.#cfg = opts.config
    const prefix = handoffBullPrefix(opts.keyPrefix)
    this.queue = new Queue<WorkOrderJob>(opts.config.queueName, { connection: opts.redis, prefix })
    this.dead = new Queue<DeadLetterJob>(opts.config.deadLetterQueueName, { connection: opts.redis, prefix })
  }

  async deliver(appeal: Appeal): Promise<void> {
    await this.queue.add(
      'workorder',
      { appeal },
      {
        jobId: appeal.id,
        attempts: this.#cfg.attempts,
        backoff: { type: 'exponential', delay: this.#cfg.backoffMs },
        removeOnComplete: { age: 7 * 24 * 3600 },
        // Failed jobs stay (bullmq's failed set) besides the copy in the dead-letter queue.
        removeOnFail: false,
      },
    )
  }

  async close(): Promise<void> {
    await this.queue.close()
    await this.dead.close()
  }
}
