/**
 * The AppealQueue adapter: appeal records in Redis (AppealStore) + one bullmq queue.
 *
 * Write order, and why a crash anywhere is safe:
 *   1. create the record (one Lua script; idempotent by the id derived from channel + external id)
 *   2. bullmq add with jobId = appeal id (bullmq ignores an add whose job id exists)
 *   3. mark the record 'queued' (conditional on 'received')
 *   4. the post-intake hook (matter linking, ACD entry), then drop the pending mark
 * A crash after 1 leaves a 'received' record in the pending set: the channel's retry repeats 2 and 3
 * (the citizen got no 202 yet, so it retries), and the sweeper completes it if nobody retries. A
 * crash or failure in 4 leaves it pending too: the sweeper runs the (idempotent) hook again. A process
 * without a hook (the import command) leaves its appeals pending for a gateway's sweeper to finish.
 */
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Appeal, StatusChange } from '../domain/appeal.ts'
import { priorityFor } from '../domain/appeal.ts'
import type { AppealQueue, CitizenKey, PostIntakeHook, QueueStats, Submission, SubmitResult } from '../domain/ports.ts'
import { GW_ERR_IDEMPOTENCY_MISMATCH } from '../errors.ts'
import { appealIdFor, freshExternalId, intakeHash } from './appeal-id.ts'
import { AppealStore } from './appeal-store.ts'
import { appealKeys } from './keys.ts'
import { localDate } from './local-date.ts'

export interface AppealJobData {
  appealId: string
  channel: Appeal['channel']
}

export interface RedisAppealQueueOptions {
  redis: Redis
  keyPrefix: string
  queueName: string
  timezone: string
  retentionDays: number
  clock?: () => Date
  /** Test seam: runs between the record write and the queue add (fault injection for crash tests). */
  afterRecordWritten?: (appealId: string) => Promise<void>
  /** Told when the post-intake hook failed (the appeal stays pending; the sweeper retries). */
  onHookError?: (appealId: string, err: Error) => void
}

export class RedisAppealQueue implements AppealQueue {
  readonly queue: Queue<AppealJobData>
  readonly store: AppealStore
  readonly #opts: RedisAppealQueueOptions
  readonly #clock: () => Date
  #hook?: PostIntakeHook

  constructor(opts: RedisAppealQueueOptions) {
    this.#opts = opts
    this.#clock = opts.clock ?? (() => new Date())
    const keys = appealKeys(opts.keyPrefix)
    this.store = new AppealStore(opts.redis, keys)
    this.queue = new Queue<AppealJobData>(opts.queueName, {
      connection: opts.redis,
      prefix: keys.bullPrefix,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })
  }

  async submit(s: Submission): Promise<SubmitResult> {
    const externalId = s.externalId ?? freshExternalId()
    const id = appealIdFor(s.channel, externalId)
    const receivedAt = (s.receivedAt ?? this.#clock()).toISOString()
    const ih = intakeHash({ draft: s.draft, origin: s.origin })
    const record: Omit<Appeal, 'appealNumber' | 'status' | 'history'> = {
      id,
      channel: s.channel,
      ...(s.origin ? { origin: s.origin } : {}),
      external: { channel: s.channel, id: externalId },
      ...s.draft,
      confidential: s.draft.confidential ?? false,
      receivedAt,
      priority: s.priority ?? priorityFor(s.channel),
    }
    const res = await this.store.create({
      appeal: record,
      // The number follows the day 12345 took the appeal in, not the citizen's own time: a post
      // imported weeks later must not restart an expired day sequence and reuse its numbers.
      localDate: localDate(this.#clock(), this.#opts.timezone),
      intakeHash: ih,
      retentionSeconds: this.#opts.retentionDays * 86400,
    })
    if (!res.created && res.intakeHash !== ih) throw new GW_ERR_IDEMPOTENCY_MISMATCH()
    if (res.status === 'received') {
      await this.#opts.afterRecordWritten?.(id)
      const queuedAt = await this.#enqueue(id, s.channel, record.priority)
      if (res.created && queuedAt) {
        // The answer is built from what was just written: no read-back round trip on the hot path.
        const history: StatusChange[] = [
          { status: 'received', at: receivedAt },
          { status: 'queued', at: queuedAt },
        ]
        const appeal: Appeal = { ...record, appealNumber: res.appealNumber, status: 'queued', history }
        await this.#postIntake(appeal)
        return { appeal, created: true }
      }
    }
    const appeal = await this.store.get(id)
    if (!appeal) throw new Error(`appeal ${id} vanished after intake`)
    return { appeal, created: res.created }
  }

  onQueued(hook: PostIntakeHook): void {
    this.#hook = hook
  }

  /** Runs the post-intake hook; only its success (or having none to run here) ends the pending mark. */
  async #postIntake(appeal: Appeal, dropWithoutHook = false): Promise<boolean> {
    if (!this.#hook) {
      if (dropWithoutHook) await this.store.dropPending(appeal.id)
      return dropWithoutHook
    }
    try {
      await this.#hook(appeal)
    } catch (err) {
      this.#opts.onHookError?.(appeal.id, err as Error)
      return false
    }
    await this.store.dropPending(appeal.id)
    return true
  }

  /**
   * Finishes appeals whose intake pipeline a crash (or an import without a hook) left unfinished:
   * adds the missing queue entry, runs the post-intake hook. Returns how many it finished.
   */
  async completeOrphans(olderThanSeconds: number, batch = 1000): Promise<number> {
    const ids = await this.store.pendingBefore(this.#clock().getTime() - olderThanSeconds * 1000, batch)
    let completed = 0
    for (const id of ids) {
      let appeal = await this.store.get(id)
      if (!appeal) {
        await this.store.dropPending(id)
        continue
      }
      if (appeal.status === 'received') {
        await this.#enqueue(id, appeal.channel, appeal.priority)
        appeal = (await this.store.get(id)) ?? appeal
      }
      if (await this.#postIntake(appeal, true)) completed++
    }
    return completed
  }

  /** Adds the queue entry and marks the record queued; returns when it did the marking (else undefined). */
  async #enqueue(id: string, channel: Appeal['channel'], priority: number): Promise<string | undefined> {
    await this.queue.add('appeal', { appealId: id, channel }, { jobId: id, priority })
    const at = this.#clock().toISOString()
    return (await this.store.transition(id, ['received'], 'queued', at)) ? at : undefined
  }

  get(id: string): Promise<Appeal | undefined> {
    return this.store.get(id)
  }

  async getByNumber(appealNumber: string): Promise<Appeal | undefined> {
    const id = await this.store.idByNumber(appealNumber)
    return id ? this.store.get(id) : undefined
  }

  async citizenAppeals(key: CitizenKey, limit = 50): Promise<Appeal[]> {
    const ids = await this.store.citizenAppealIds(key, limit)
    return this.store.getMany(ids)
  }

  async stats(): Promise<QueueStats> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
    }
  }

  async close(): Promise<void> {
    await this.queue.close()
  }
}
