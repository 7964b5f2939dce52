/**
 * Delivers work orders to the configured webhook: POST JSON `{appeal}` with
 *   X-Timestamp: <unix seconds>   X-Signature: hex HMAC-SHA256(secret, "<timestamp>.<body>")
 *   Idempotency-Key: <appeal id>
 * Any 2xx is success. 5xx, 408, 429 and network errors are retried by bullmq with exponential backoff
 * (handoff.attempts, handoff.backoffMs); other 4xx are not retried. A job that will not be retried
 * again is copied to the dead-letter queue (workorders-dead, job id = appeal id) and stays in the
 * failed set of `workorders`.
 */
import { createHmac } from 'node:crypto'
import { UnrecoverableError, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import { handoffBullPrefix, type BullmqHandoff, type WorkOrderJob } from './workorder-handoff.ts'

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

export interface WebhookWorkerOptions {
  redis: Redis
  keyPrefix: string
  config: Config['handoff']
  handoff: BullmqHandoff
  logger: Logger
  fetch?: typeof fetch
  clock?: () => Date
}

export function startWebhookWorker(opts: WebhookWorkerOptions): Worker<WorkOrderJob> {
  const { config, logger } = opts
  const doFetch = opts.fetch ?? fetch
  const clock = opts.clock ?? (() => new Date())
  const connection = opts.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })

  const processor = async (job: Job<WorkOrderJob>): Promise<void> => {
    const body = JSON.stringify({ appeal: job.data.appeal })
    const ts = Math.floor(clock().getTime() / 1000)
    try {
      let res: Response
      try {
        res = await doFetch(config.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'x-timestamp': String(ts),
            'x-signature': signWebhook(config.webhookSecret, ts, body),
            'idempotency-key': job.data.appeal.id,
          },
          body,
          signal: AbortSignal.timeout(config.timeoutMs),
        })
      } catch (err) {
        throw new Error(`webhook unreachable: ${(err as Error).message}`)
      }
      await res.body?.cancel()
      if (res.ok) return
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429
      if (!retryable) throw new UnrecoverableError(`webhook answered ${res.status}`)
      throw new Error(`webhook answered ${res.status}`)
    } catch (err) {
      const last = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      logger.warn(
        { appealId: job.data.appeal.id, attempt: job.attemptsMade + 1, last, err: { message: (err as Error).message } },
        last ? 'work-order delivery failed for good: dead-lettered' : 'work-order delivery failed; will retry',
      )
      if (last) {
        await opts.handoff.dead.add(
          'workorder',
          {
            appeal: job.data.appeal,
            error: (err as Error).message,
            attempts: job.attemptsMade + 1,
            failedAt: clock().toISOString(),
          },
          { jobId: job.data.appeal.id, removeOnComplete: false, removeOnFail: false },
        )
      }
      throw err
    }
  }

  const worker = new Worker<WorkOrderJob>(config.queueName, processor, {
    connection,
    prefix: handoffBullPrefix(opts.keyPrefix),
    concurrency: 8,
  })
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'work-order worker error'))
  worker.on('closed', () => connection.disconnect())
  return worker
}
