/** The matter as it travels with a completed record to the work-order system. */
import type { MatterLinker } from './linker.ts'
import type { MatterLink, ReasonCode } from './types.ts'

export interface MatterSummary {
  matterId: string
  /** 重复诉求 */
  repeat: boolean
  /** Earlier appeal numbers of the same citizen in this matter, oldest first. */
  repeatOf: string[]
  /** 集中诉求 */
  concentrated: boolean
  citizens: number
  /** Reason codes of the link (labels: labels-zh.ts). */
  reasons: ReasonCode[]
}

export function summarize(link: MatterLink): MatterSummary {
  return {
    matterId: link.matterId,
    repeat: link.flags.repeat,
    repeatOf: link.flags.repeatOf,
    concentrated: link.flags.concentrated,
    citizens: link.citizens,
    reasons: link.reasons,
  }
}

/** The summary of an appeal's link as it stands now (after agent decisions); undefined if never linked. */
export function matterOf(linker: MatterLinker): (appealId: string) => Promise<MatterSummary | undefined> {
  return async (appealId) => {
    const link = await linker.get(appealId)
    return link ? summarize(link) : undefined
  }
}
