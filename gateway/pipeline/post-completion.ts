/**
 * What happens when an agent completes an appeal, before the record is handed off: a call, linked
 * (并案) at intake by the caller's number only because its text was our placeholder, is linked
 * again on the agent's summary (MatterLinker.relink), so the work order carries the matter as it
 * now is. A change is announced as a link's is: the matter cards of the appeals of the matters it
 * touched go to the consoles that hold them, and a matter that now reaches three citizens raises
 * the 集中诉求 alert. A failure is logged and never fails the completion: the call keeps its link.
 */
import type { Logger } from 'pino'
import type { CompletedAppeal, MatterOf } from '../acd/appeal-records.ts'
import type { MatterAlerts } from '../matter/alerts.ts'
import type { MatterLinker } from '../matter/linker.ts'
import { matterOf } from '../matter/summary.ts'
import { raiseConcentrated } from './post-intake.ts'

export interface PostCompletionOptions {
  linker: MatterLinker
  alerts?: MatterAlerts
  /** These appeals' matter cards changed: pushed to the consoles holding them (matter-push.ts). */
  matterChanged?: (appealIds: string[]) => Promise<void>
  logger: Logger
}

/** The matter an appeal is handed off with: a completed call's is first re-linked on its summary. */
export function matterAtCompletion(o: PostCompletionOptions): MatterOf {
  const current = matterOf(o.linker)
  return async (appealId, completing) => {
    if (completing) await relinkOnSummary(o, completing)
    return current(appealId)
  }
}

/** Never throws. Logs ids and counts only: no text, no phone. */
export async function relinkOnSummary(o: PostCompletionOptions, appeal: CompletedAppeal): Promise<void> {
  const summary = appeal.intake.summary
  if (!summary) return
  try {
    const r = await o.linker.relink(appeal, summary)
    if (!r || r.changed.length === 0) return
    o.logger.info({ appealId: appeal.id, from: r.from, matterId: r.link.matterId, citizens: r.link.citizens }, 'call linked again on its summary')
    if (r.link.becameConcentrated && o.alerts) await raiseConcentrated(o.linker, o.alerts, appeal, r.link, o.logger)
    if (o.matterChanged) {
      const touched = new Set<string>()
      for (const matterId of r.changed) {
        const view = await o.linker.matter(matterId).catch(() => undefined)
        for (const m of view?.members ?? []) if (m.appealId !== appeal.id) touched.add(m.appealId)
      }
      if (touched.size > 0) await o.matterChanged([...touched])
    }
  } catch (err) {
    const e = err as { message?: string; code?: string }
    o.logger.warn({ appealId: appeal.id, err: { message: e.message, code: e.code } }, 'call not linked again on its summary; it keeps its link')
  }
}
