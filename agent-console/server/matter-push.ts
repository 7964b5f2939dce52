/**
 * 并案 decisions reach the other agents: a decision publishes the appeals whose matter changed
 * (`notify(..., 'matters')`), and every process sends the new card (`matter.changed`) to the
 * consoles it holds of the agent who holds or is offered each of them.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Acd } from '../../gateway/acd/types.ts'
import type { MatterCards } from './matter-card.ts'
import type { SessionRegistry } from './session-registry.ts'

export const MATTER_NOTICE = 'matters'

export function pushMatterChanges(registry: SessionRegistry, acd: Acd, matters: MatterCards, log: FastifyBaseLogger): void {
  registry.listen(MATTER_NOTICE, (msg) => {
    const { appealIds } = msg as { appealIds: string[] }
    void (async () => {
      for (const appealId of appealIds) {
        const agentId = await acd.holderOf(appealId)
        const sessions = agentId ? [...registry.forAgent(agentId)].filter((s) => s.surface === 'console') : []
        if (sessions.length === 0) continue
        const matter = (await matters.card(appealId)) ?? null
        for (const s of sessions) s.send('matter.changed', { appealId, matter })
      }
    })().catch((err: Error) => log.warn({ err: { message: err.message } }, 'matter change not pushed'))
  })
}
