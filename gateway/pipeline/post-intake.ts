/**
 * What happens to an appeal once it is queued, in every process and for every channel:
 *   1. matter linking (并案) — before the offer, so the agent sees the matter with it;
 *      a matter that first reaches three citizens raises a 集中诉求 alert;
 *   2. the ACD entry (the offer to an agent).
 * Both steps are idempotent, so the sweeper may run this again after a crash. A linking failure is
 * thrown (the appeal stays pending and is retried); an ACD failure is only logged, because the ACD's
 * own recovery rebuilds missing entries from the queue.
 */
import type { Logger } from 'pino'
import type { Appeal } from '../domain/appeal.ts'
import type { PostIntakeHook } from '../domain/ports.ts'
import type { Acd } from '../acd/types.ts'
import type { MatterLinker } from '../matter/linker.ts'
import type { MatterAlerts } from '../matter/alerts.ts'
import type { MatterLink } from '../matter/types.ts'

export interface PostIntakeOptions {
  linker?: MatterLinker
  alerts?: MatterAlerts
  acd?: Acd
  logger: Logger
}

export function postIntake(o: PostIntakeOptions): PostIntakeHook {
  return async (appeal: Appeal) => {
    if (o.linker) {
      const link = await o.linker.link(appeal)
      if (link.flags.repeat || link.related.length > 0) {
        o.logger.info(
          { appealId: appeal.id, matterId: link.matterId, repeat: link.flags.repeat, related: link.related.length, citizens: link.citizens },
          'appeal linked to a matter',
        )
      }
      if (link.becameConcentrated && o.alerts) await raiseConcentrated(o.linker, o.alerts, appeal, link, o.logger)
    }
    if (o.acd && appeal.status === 'queued') {
      try {
        await o.acd.addEntry(appeal)
      } catch (err) {
        o.logger.warn({ appealId: appeal.id, err: { message: (err as Error).message } }, 'acd entry not added; recovery will add it')
      }
    }
  }
}

/** 集中诉求: the wallboards' alert for the link (a new one, or a call's re-link) that made its matter reach three citizens. */
export async function raiseConcentrated(linker: MatterLinker, alerts: MatterAlerts, appeal: Appeal, link: MatterLink, logger: Logger): Promise<void> {
  const view = await linker.matter(link.matterId)
  await alerts.publish({
    matterId: link.matterId,
    appealId: appeal.id,
    appealNumber: appeal.appealNumber,
    citizens: link.citizens,
    appealNumbers: view.members.map((m) => m.appealNumber),
    ...(appeal.category ? { category: appeal.category } : {}),
    ...(appeal.location?.address ? { place: appeal.location.address } : {}),
    at: new Date().toISOString(),
  })
  logger.warn({ matterId: link.matterId, citizens: link.citizens }, '集中诉求: a matter reached three citizens')
}
