/**
 * The periodic work every gateway process runs beside serving requests (any process may; the steps
 * are idempotent):
 * - the orphan sweep (every 10 s): finishes appeals whose intake or post-intake step was cut
 *   (pending longer than queue.orphanAfterSeconds);
 * - ACD recovery (every 60 s): an appeal whose ACD entry was never added becomes an entry again,
 *   not only at the next restart.
 */
import type { Logger } from 'pino'
import type { Config } from '../config/schema.ts'
import type { RedisAppealQueue } from './queue/redis-appeal-queue.ts'
import type { RedisAcd } from './acd/redis-acd.ts'

export interface MaintenanceOptions {
  config: Readonly<Config>
  queue: RedisAppealQueue
  acd?: RedisAcd
  logger: Logger
  sweepEveryMs?: number
  recoverEveryMs?: number
}

export interface Maintenance {
  /** One orphan sweep now; resolves with how many appeals it finished. */
  sweep(): Promise<number>
  stop(): void
}

export function startMaintenance(o: MaintenanceOptions): Maintenance {
  const once = async () => {
    try {
      const n = await o.queue.completeOrphans(o.config.queue.orphanAfterSeconds)
      if (n > 0) o.logger.warn({ completed: n }, 'completed appeals whose queue entry was missing')
      return n
    } catch (err) {
      o.logger.warn({ err: { message: (err as Error).message } }, 'orphan sweep failed')
      return 0
    }
  }
  // One sweep at a time: a slow one (a cold linker, a loaded Redis) must not be overtaken by the
  // next tick, which would run the same appeals' steps twice at once.
  let running: Promise<number> | undefined
  const sweep = () => (running ??= once().finally(() => (running = undefined)))
  const sweeper = setInterval(() => void sweep(), o.sweepEveryMs ?? 10_000)
  sweeper.unref()
  void sweep()
  const acd = o.acd
  const recovery = acd
    ? setInterval(() => {
        acd.recover({ olderThanMs: 30_000 }).catch((err: Error) => o.logger.warn({ err: { message: err.message } }, 'acd recovery failed'))
      }, o.recoverEveryMs ?? 60_000)
    : undefined
  recovery?.unref()
  return {
    sweep,
    stop() {
      clearInterval(sweeper)
      if (recovery) clearInterval(recovery)
    },
  }
}
