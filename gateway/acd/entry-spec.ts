/**
 * What an appeal needs from an agent. Queue = the skill of the hotline the appeal came in on
 * (origin; written appeals without one belong to 12345, 'general'). Required skills:
 *   hotline:<queue>, category:<appeal category or the hotline's default>, language:<language>.
 * Relaxation (per queue, config acd.queues.<queue>.relaxation, else acd.relaxation) is stored on
 * the entry as "after:kind,kind;after:..." so the matcher needs no config.
 */
import type { Config, Hotline } from '../../config/schema.ts'
import type { Appeal } from '../domain/appeal.ts'
import type { EntryKind, TransferTarget } from './types.ts'

export interface EntrySpec {
  queue: string
  kind: EntryKind
  /** priority * 1e13 + enqueue ms: calls before written, then oldest first. */
  score: number
  enqueuedMs: number
  skills: string[]
  relax: string
}

const PRIORITY_FACTOR = 1e13

export function scoreOf(priority: number, enqueuedMs: number): number {
  return priority * PRIORITY_FACTOR + enqueuedMs
}

export function hotlineOf(hotlines: readonly Hotline[], origin: string | undefined): Hotline | undefined {
  return hotlines.find((h) => h.number === origin) ?? hotlines.find((h) => h.status === 'main')
}

export function encodeRelaxation(steps: Config['acd']['relaxation']): string {
  return [...steps]
    .sort((a, b) => a.afterSeconds - b.afterSeconds)
    .map((s) => `${s.afterSeconds}:${s.keep.join(',')}`)
    .join(';')
}

export function relaxationFor(acd: Config['acd'], queue: string): string {
  return encodeRelaxation(acd.queues[queue]?.relaxation ?? acd.relaxation)
}

export function entrySpecOf(appeal: Appeal, hotlines: readonly Hotline[], acd: Config['acd']): EntrySpec {
  const hotline = hotlineOf(hotlines, appeal.origin)
  const queue = hotline?.skill ?? 'general'
  const category = appeal.category ?? hotline?.category
  // Appeals carry no language yet (IVR language detection would set it); the centre's default applies.
  const language = (appeal as Appeal & { language?: string }).language ?? acd.defaultLanguage
  const skills = [`hotline:${queue}`, ...(category ? [`category:${category}`] : []), `language:${language}`]
  const enqueuedMs = Date.parse(appeal.receivedAt)
  return {
    queue,
    kind: appeal.channel === 'voice' && appeal.call?.mode !== 'message' ? 'call' : 'written',
    score: scoreOf(appeal.priority, enqueuedMs),
    enqueuedMs,
    skills,
    relax: relaxationFor(acd, queue),
  }
}

/** Where a transferred appeal waits: an agent's own queue, or a hotline queue (hotline + language). */
export function transferSpec(target: TransferTarget, acd: Config['acd']): Pick<EntrySpec, 'queue' | 'skills' | 'relax'> {
  if ('agentId' in target) return { queue: `agent-${target.agentId}`, skills: [`agent:${target.agentId}`], relax: '' }
  return { queue: target.queue, skills: [`hotline:${target.queue}`, `language:${acd.defaultLanguage}`], relax: relaxationFor(acd, target.queue) }
}
