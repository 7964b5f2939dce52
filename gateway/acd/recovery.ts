/**
 * Rebuilding waiting entries after a crash or restart. The bullmq job (jobId = appeal id) is the
 * durable record of "waiting": a job whose appeal is queued but has no ACD entry (and no agent)
 * becomes an entry again with its original time; a job whose appeal was already taken is removed.
 */
import type { Appeal } from '../domain/appeal.ts'
import type { RedisAppealQueue } from '../queue/redis-appeal-queue.ts'

const PAGE = 500

export async function rebuildEntries(
  appeals: RedisAppealQueue,
  /** Adds the entry unless it exists or the appeal is held; true when it was added. */
  addEntry: (appeal: Appeal) => Promise<boolean>,
  olderThanMs?: number,
): Promise<{ added: number; removed: number }> {
  let added = 0
  let removed = 0
  const q = appeals.queue
  // A periodic run skips young jobs: their intake may still be between the job add and addEntry.
  // (bullmq stamps jobs with the wall clock, so this compares against Date.now, not an injected clock.)
  const before = olderThanMs === undefined ? Infinity : Date.now() - olderThanMs
  for (let start = 0; ; start += PAGE) {
    const jobs = await q.getJobs(['prioritized', 'waiting'], start, start + PAGE - 1, true)
    for (const job of jobs) {
      if (!job?.id || job.timestamp > before) continue
      const appeal = await appeals.get(job.id)
      if (!appeal || ['in-progress', 'completed', 'cancelled'].includes(appeal.status)) {
        if ((await q.remove(job.id)) === 1) removed++
        continue
      }
      if (appeal.status === 'queued' && (await addEntry(appeal))) added++
    }
    if (jobs.length < PAGE) break
  }
  return { added, removed }
}
