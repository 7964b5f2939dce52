/**
 * Pushes handoff records to the partners' platforms: bullmq queue `emergency-records` (job id =
 * handoff id, so a record is queued once) and a Worker in every gateway process.
 *
 * The POST carries `{"handoff": <record>}` signed as the project's other webhooks are:
 *   X-Timestamp: <unix seconds>   X-Signature: hex HMAC-SHA256(partner secret, "<timestamp>.<body>")
 *   Idempotency-Key: <handoff id>
 * (channels/signed/signature.ts: the same function checks the partners' pushes to us.)
 * 2xx = delivered; a 2xx body `{"status":"acknowledged"}` = acknowledged as well. Anything else —
 * network error, timeout, any status — is tried again with doubling delays capped at
 * push.maxBackoffMs, up to push.attempts tries (defaults: about 55 minutes): a partner platform that
 * is down for ten minutes gets the record when it is back. Other 4xx are retried too: a partner's
 * platform is not ours, and its maintenance page answering 404 must not lose a record. A record the
 * partner already answered (through the link) is not pushed again.
 */
import { Queue, Worker, type Job } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { pushDelayMs, type EmergencyConfig } from '../../config/emergency-schema.ts'
import { sign } from '../../channels/signed/signature.ts'
import { partnerView, type HandoffRecord } from './handoff-record.ts'
import type { EmergencyPartner } from './partners.ts'

export interface PushJob {
  handoffId: string
}

const BACKOFF_TYPE = 'emergency-capped'
/** A partner's answer is read only this far (it says "acknowledged" or not). */
const MAX_ANSWER_BYTES = 64 * 1024

export function pushBullPrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`
}

export class RecordPush {
  readonly queue: Queue<PushJob>
  readonly #cfg: EmergencyConfig['push']

  constructor(opts: { redis: Redis; keyPrefix: string; config: EmergencyConfig['push'] }) {
    this.#cfg = opts.config
    this.queue = new Queue<PushJob>(opts.config.queueName, { connection: opts.redis, prefix: pushBullPrefix(opts.keyPrefix) })
  }

  /** Idempotent: the same handoff queued twice is pushed once. */
  async enqueue(handoffId: string): Promise<void> {
    await this.queue.add(
      'record',
      { handoffId },
      {
        jobId: handoffId,
        attempts: this.#cfg.attempts,
        backoff: { type: BACKOFF_TYPE, delay: this.#cfg.backoffMs },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    )
  }

  async close(): Promise<void> {
    await this.queue.close()
  }
}

/** What the worker reads and writes: the desk (emergency-desk.ts). */
export interface PushLedger {
  get(handoffId: string): Promise<HandoffRecord | undefined>
  partnerById(id: string): EmergencyPartner | undefined
  delivered(handoffId: string, attempts: number, acknowledged: boolean): Promise<void>
  pushFailed(handoffId: string, attempts: number, error: string, final: boolean): Promise<void>
}

export interface PushWorkerOptions {
  redis: Redis
  keyPrefix: string
  config: EmergencyConfig['push']
  ledger: PushLedger
  logger: Logger
  fetch?: typeof fetch
  clock?: () => Date
}

class PushError extends Error {}

export function startRecordPushWorker(opts: PushWorkerOptions): Worker<PushJob> {
  const { config, ledger, logger } = opts
  const doFetch = opts.fetch ?? fetch
  const clock = opts.clock ?? (() => new Date())
  const connection = opts.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false })

  const processor = async (job: Job<PushJob>): Promise<void> => {
    const { handoffId } = job.data
    const attempt = job.attemptsMade + 1
    const record = await ledger.get(handoffId)
    // Gone (retention), answered through the link meanwhile, or delivered by another try: done.
    if (!record || record.status === 'acknowledged' || record.status === 'returned' || record.delivery.state === 'delivered') return
    const partner = ledger.partnerById(record.partner)
    if (!partner?.recordEndpoint || !partner.secret) return
    const log = logger.child({ handoffId, appealId: record.appealId, partner: record.partner })
    try {
      const acknowledged = await post(doFetch, partner, record, clock(), config.timeoutMs)
      await ledger.delivered(handoffId, attempt, acknowledged)
      log.info({ attempt, acknowledged }, acknowledged ? 'handoff record delivered and acknowledged' : 'handoff record delivered')
    } catch (err) {
      const message = err instanceof PushError ? err.message : 'unreachable'
      const final = attempt >= (job.opts.attempts ?? 1)
      await ledger.pushFailed(handoffId, attempt, message, final)
      const fields = { attempt, final, error: message, cause: err instanceof PushError ? undefined : (err as Error).message }
      if (final) log.error(fields, 'handoff record could not be delivered: every try failed')
      else log.warn(fields, 'handoff record push failed; will retry')
      throw err
    }
  }

  const worker = new Worker<PushJob>(config.queueName, processor, {
    connection,
    prefix: pushBullPrefix(opts.keyPrefix),
    concurrency: config.concurrency,
    settings: { backoffStrategy: (attemptsMade: number) => pushDelayMs(config, attemptsMade) },
  })
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'emergency record worker error'))
  worker.on('closed', () => connection.disconnect())
  return worker
}

/** POSTs the signed record; resolves with "the body acknowledged it", throws on anything but 2xx. */
async function post(doFetch: typeof fetch, partner: EmergencyPartner, record: HandoffRecord, now: Date, timeoutMs: number): Promise<boolean> {
  const body = JSON.stringify({ handoff: partnerView(record) })
  const ts = Math.floor(now.getTime() / 1000)
  const res = await doFetch(partner.recordEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-timestamp': String(ts),
      'x-signature': sign(partner.secret, ts, body),
      'idempotency-key': record.id,
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) {
    await res.body?.cancel()
    throw new PushError(`HTTP ${res.status}`)
  }
  return acknowledges(await readCapped(res))
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.length
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

function acknowledges(text: string): boolean {
  try {
    return (JSON.parse(text) as { status?: unknown } | null)?.status === 'acknowledged'
  } catch {
    return false
  }
}
