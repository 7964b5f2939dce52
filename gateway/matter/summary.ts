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

/** `alone`: the appeal is the only member now (split off by an agent): no reason links it to anything. */
export function summarize(link: MatterLink, alone = false): MatterSummary {
  return {
    matterId: link.matterId,
    repeat: link.flags.repeat,
    repeatOf: link.flags.repeatOf,
    concentrated: link.flags.concentrated,
    citizens: link.citizens,
    reasons: alone ? [] : link.reasons,
  }
}

/** The summary of an appeal's link as it stands now (after agent decisions); undefined if never linked. */
export function matterOf(linker: MatterLinker): (appealId: string) => Promise<MatterSummary | undefined> {
  return async (appealId) => {
    const link = await linker.get(appealId)
    if (!link) return undefined
    // The stored link keeps the reasons of its first match; after a split they no longer hold.
    const members = (await linker.matter(link.matterId)).members.length
    return summarize(link, members <= 1)
  }
}
