/** An ACD on real Redis with a random prefix, an injected clock and no timers (tests call sweep()). */
import { Writable } from 'node:stream'
import type { Config, AgentConfig } from '../../../config/schema.ts'
import type { DeepPartial } from '../../../config/load.ts'
import { createAcdStack, type AcdStack } from '../../../gateway/acd/create-acd.ts'
import type { AcdEvent } from '../../../gateway/acd/types.ts'
import type { Channel, Category } from '../../../gateway/domain/appeal.ts'
import { createLogger } from '../../../gateway/log.ts'
import { RedisAppealQueue } from '../../../gateway/queue/redis-appeal-queue.ts'
import { testConfig } from '../../helpers/app.ts'
import { testRedis } from '../../helpers/redis.ts'
import type { Redis } from 'ioredis'

interface TapLike {
  teardown(fn: () => unknown): void
}

export const T0 = Date.parse('2026-11-27T02:00:00.000Z') // 10:00 in Shanghai

export function agent(id: string, skills: string[], extra: Partial<AgentConfig> = {}): AgentConfig {
  return { id, name: `坐席${id}`, role: 'agent', demo: true, writtenCapacity: 2, skills: skills.map((skill) => ({ skill, level: 5 })), ...extra }
}

/** Skills that cover a 12345 consultation in Mandarin. */
export const GENERAL = ['hotline:general', 'category:咨询', 'language:普通话']

export interface AcdHarness extends AcdStack {
  redis: Redis
  prefix: string
  config: Readonly<Config>
  queue: RedisAppealQueue
  events: AcdEvent[]
  now(): number
  advance(ms: number): void
  set(ms: number): void
  /** Resolves with the first event (already seen or coming) that matches; rejects after timeoutMs. */
  waitFor<E extends AcdEvent>(pred: (e: AcdEvent) => e is E, timeoutMs?: number): Promise<E>
  waitFor(pred: (e: AcdEvent) => boolean, timeoutMs?: number): Promise<AcdEvent>
  submit(o?: { channel?: Channel; origin?: string; category?: Category; at?: number; key?: string }): Promise<string>
}

let seq = 0

export async function acdHarness(
  t: TapLike,
  opts: { agents: AgentConfig[]; config?: DeepPartial<Config>; redis?: { redis: Redis; prefix: string } } = { agents: [] },
): Promise<AcdHarness> {
  const { redis, prefix } = opts.redis ?? (await testRedis(t))
  let now = T0
  const clock = () => new Date(now)
  const config = testConfig(prefix, { ...opts.config, agents: opts.agents as never })
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 30, clock })
  const stack = await createAcdStack({ config, redis, queue, logger, clock, timers: false })
  const events: AcdEvent[] = []
  const waiters = new Set<() => void>()
  stack.acd.subscribe((e) => {
    events.push(e)
    for (const w of waiters) w()
  })
  t.teardown(async () => {
    await stack.close()
    await queue.close()
  })
  const waitFor = (pred: (e: AcdEvent) => boolean, timeoutMs = 2000, from = 0) =>
    new Promise<AcdEvent>((resolve, reject) => {
      const check = () => {
        const hit = events.slice(from).find(pred)
        if (hit) {
          waiters.delete(check)
          clearTimeout(timer)
          resolve(hit)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error('timed out waiting for an ACD event'))
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  return {
    ...stack,
    close: stack.close,
    redis,
    prefix,
    config,
    queue,
    events,
    now: () => now,
    advance: (ms) => (now += ms),
    set: (ms) => (now = ms),
    waitFor: waitFor as AcdHarness['waitFor'],
    async submit(o = {}) {
      const at = o.at ?? now
      const { appeal } = await queue.submit({
        channel: o.channel ?? 'voice',
        externalId: o.key ?? `k-${process.pid}-${++seq}`,
        origin: o.origin ?? (o.channel && o.channel !== 'voice' ? undefined : '12345'),
        receivedAt: new Date(at),
        draft: { citizen: { phone: '13800138000' }, content: '路灯坏了', ...(o.category ? { category: o.category } : {}) },
      })
      await stack.acd.addEntry(appeal)
      return appeal.id
    },
  }
}

export const isOffer = (agentId?: string, appealId?: string) => (e: AcdEvent): e is Extract<AcdEvent, { type: 'offer' }> =>
  e.type === 'offer' && (!agentId || e.offer.agentId === agentId) && (!appealId || e.offer.appealId === appealId)
