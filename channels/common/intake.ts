/**
 * The one way a channel hands an appeal to the queue: normalize, submit, measure, log.
 * The answer is built only after Redis holds the appeal and its queue entry.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { AppealDraft, Channel } from '../../gateway/domain/appeal.ts'
import type { AppealQueue, SubmitResult } from '../../gateway/domain/ports.ts'
import { GW_ERR_REDIS_UNAVAILABLE } from '../../gateway/errors.ts'
import type { Metrics } from '../../gateway/http/metrics.ts'
import { normalizeDraft } from './normalize-draft.ts'

export interface IntakeDeps {
  queue: AppealQueue
  metrics: Metrics
  /** false while the store's connection is down: answer 503 at once instead of waiting. */
  storeReady: () => boolean
  /** Called after an appeal is stored for the first time (matter linking, ACD offer ...). */
  onAccepted?: (result: SubmitResult, log: FastifyBaseLogger) => Promise<void> | void
}

export interface IntakeRequest {
  channel: Channel
  externalId?: string
  origin?: string
  draft: AppealDraft
  receivedAt?: Date
  /** JSON pointer prefix for field errors (batch items: /messages/3). */
  at?: string
}

export async function intake(deps: IntakeDeps, log: FastifyBaseLogger, req: IntakeRequest): Promise<SubmitResult> {
  const draft = normalizeDraft(req.draft, req.at)
  const end = deps.metrics.enqueueSeconds.startTimer({ channel: req.channel })
  const result = await storeOp(deps, () =>
    deps.queue.submit({ channel: req.channel, externalId: req.externalId, origin: req.origin, draft, receivedAt: req.receivedAt }),
  )
  end()
  const { appeal, created } = result
  if (created) deps.metrics.received.inc({ channel: req.channel })
  log.info(
    { appealId: appeal.id, appealNumber: appeal.appealNumber, channel: appeal.channel, created },
    created ? 'appeal accepted' : 'appeal re-delivered',
  )
  if (created && deps.onAccepted) {
    // The appeal is safe in Redis and queued: a failure downstream (linking, routing) must not turn
    // into an error for the citizen, whose retry would change nothing. Recovery is downstream's job.
    try {
      await deps.onAccepted(result, log)
    } catch (err) {
      log.error({ appealId: appeal.id, err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'post-intake step failed')
    }
  }
  return result
}

/** A Redis call of a channel fails like intake does when the store is down: a coded 503, at once. */
export async function storeOp<T>(deps: Pick<IntakeDeps, 'storeReady'>, op: () => Promise<T>): Promise<T> {
  if (!deps.storeReady()) throw new GW_ERR_REDIS_UNAVAILABLE()
  try {
    return await op()
  } catch (err) {
    if (!deps.storeReady()) throw new GW_ERR_REDIS_UNAVAILABLE()
    throw err
  }
}
