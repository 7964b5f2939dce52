/**
 * Handoff records reach the agents' consoles live: every change of a record (created, delivered,
 * acknowledged, returned, push failed, first receiver) is published (`handoffNotice`, the desk's
 * onChange), and every process sends `handoff.updated {appealId, record}` to the consoles it holds
 * of the agent who made the handoff and of the agent who holds the appeal now (after a one-key
 * transfer the maker is often in wrap-up or on the next call). `close()` stops taking notices.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Acd } from '../../gateway/acd/types.ts'
import type { HandoffRecord } from '../../gateway/emergency/handoff-record.ts'
import { notify, type SessionRegistry } from './session-registry.ts'

export const HANDOFF_NOTICE = 'handoffs'

/** The desk's onChange: publishes the record to the consoles of every process. */
export function handoffNotice(redis: Redis, keyPrefix: string): (record: HandoffRecord) => Promise<void> {
  return (record) => notify(redis, keyPrefix, HANDOFF_NOTICE, { record })
}

/** Listens for handoff changes (call before registry.start()) and pushes `handoff.updated`. */
export function pushHandoffUpdates(registry: SessionRegistry, acd: Acd, log: FastifyBaseLogger): { close(): Promise<void> } {
  const underWay = new Set<Promise<void>>()
  let closed = false
  const push = async (record: HandoffRecord) => {
    const holder = await acd.holderOf(record.appealId)
    const agents = new Set([record.agent.id, ...(holder ? [holder] : [])])
    for (const agentId of agents) {
      for (const s of registry.forAgent(agentId)) {
        if (s.surface === 'console') s.send('handoff.updated', { appealId: record.appealId, record })
      }
    }
  }
  registry.listen(HANDOFF_NOTICE, (msg) => {
    if (closed) return
    const p = push((msg as { record: HandoffRecord }).record).catch((err: Error) => log.warn({ err: { message: err.message } }, 'handoff update not pushed'))
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
