/**
 * 并案 decisions reach the other agents: a decision, or a call's re-link on its summary at
 * completion (`matterNotice`), publishes the appeals whose matter changed (`notify(..., 'matters')`),
 * and every process sends the new card (`matter.changed`) to the consoles it holds of the agent
 * who holds or is offered each of them. `close()` stops taking
 * notices and waits for the pushes under way, so none runs on a closing Redis connection.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Acd } from '../../gateway/acd/types.ts'
import type { MatterCards } from './matter-card.ts'
import { notify, type SessionRegistry } from './session-registry.ts'

export const MATTER_NOTICE = 'matters'

/**
 * Publishes that these appeals' matter cards changed, to the consoles of every process: what an
 * agent's 并案 decision does, and a call's re-link on its summary at completion.
 */
export function matterNotice(redis: Redis, keyPrefix: string): (appealIds: string[]) => Promise<void> {
  return (appealIds) => notify(redis, keyPrefix, MATTER_NOTICE, { appealIds })
}

export function pushMatterChanges(registry: SessionRegistry, acd: Acd, matters: MatterCards, log: FastifyBaseLogger): { close(): Promise<void> } {
  const underWay = new Set<Promise<void>>()
  let closed = false
  const push = async (appealIds: string[]) => {
    for (const appealId of appealIds) {
      if (closed) return
      const agentId = await acd.holderOf(appealId)
      const sessions = agentId ? [...registry.forAgent(agentId)].filter((s) => s.surface === 'console') : []
      if (sessions.length === 0) continue
      const matter = (await matters.card(appealId)) ?? null
      for (const s of sessions) s.send('matter.changed', { appealId, matter })
    }
  }
  registry.listen(MATTER_NOTICE, (msg) => {
    if (closed) return
    const p = push((msg as { appealIds: string[] }).appealIds).catch((err: Error) => log.warn({ err: { message: err.message } }, 'matter change not pushed'))
    underWay.add(p)
    void p.finally(() => underWay.delete(p))
  })
  return {
    async close() {
      closed = true
      await Promise.allSettled([...underWay])
    },
  }
}
