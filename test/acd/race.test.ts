import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import { loadConfig } from '../../config/load.ts'
import { RedisAcd } from '../../gateway/acd/redis-acd.ts'
import type { AcdEvent } from '../../gateway/acd/types.ts'
import { createLogger } from '../../gateway/log.ts'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { REDIS_URL, testRedis } from '../helpers/redis.ts'
import { raceAgents } from './helpers/race-agents.ts'

const ENTRIES = 500
const AGENTS = 50
const worker = fileURLToPath(new URL('./helpers/race-worker.ts', import.meta.url))

t.test('two gateway processes, 50 agents, 500 entries: no double offer, no two calls, each answered once', async (t) => {
  const { redis, prefix } = await testRedis(t)
  const config = loadConfig({ env: {}, overrides: { env: 'test', redis: { url: REDIS_URL, keyPrefix: prefix }, acd: { offerTimeoutSeconds: 0.3, wrapUpSeconds: 0, sweepIntervalMs: 50 } } })
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 1 })
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const acd = new RedisAcd({ redis, keyPrefix: prefix, acd: config.acd, timezone: config.timezone, hotlines: config.hotlines, appeals: queue, agents: raceAgents(AGENTS), logger, timers: false })

  const violations: string[] = []
  const openOffer = new Map<string, string>() // appealId -> agentId
  const agentOffer = new Map<string, string>() // agentId -> appealId
  const kindOf = new Map<string, string>()
  const callsHeld = new Map<string, number>()
  const assigned = new Map<string, number>()
  let completed = 0
  let offers = 0
  let revoked = 0
  let onDone: () => void = () => {}
  const done = new Promise<void>((resolve) => (onDone = resolve))
  acd.subscribe((e: AcdEvent) => {
    if (e.type === 'offer') {
      offers++
      const { appealId, agentId, kind } = e.offer
      if (openOffer.has(appealId)) violations.push(`${appealId} offered to ${agentId} while open for ${openOffer.get(appealId)}`)
      if (agentOffer.has(agentId)) violations.push(`${agentId} got a second open offer`)
      if (kind === 'call' && (callsHeld.get(agentId) ?? 0) > 0) violations.push(`${agentId} offered a call while on a call`)
      openOffer.set(appealId, agentId)
      agentOffer.set(agentId, appealId)
      kindOf.set(appealId, kind)
    } else if (e.type === 'offer-revoked') {
      revoked++
      openOffer.delete(e.offer.appealId)
      agentOffer.delete(e.offer.agentId)
    } else if (e.type === 'appeal-assigned') {
      if (openOffer.get(e.appealId) !== e.agentId) violations.push(`${e.appealId} assigned to ${e.agentId} without its open offer`)
      openOffer.delete(e.appealId)
      agentOffer.delete(e.agentId)
      assigned.set(e.appealId, (assigned.get(e.appealId) ?? 0) + 1)
      if (kindOf.get(e.appealId) === 'call') {
        const n = (callsHeld.get(e.agentId) ?? 0) + 1
        if (n > 1) violations.push(`${e.agentId} holds two calls`)
        callsHeld.set(e.agentId, n)
      }
    } else if (e.type === 'appeal-completed') {
      if (kindOf.get(e.appealId) === 'call') callsHeld.set(e.agentId, (callsHeld.get(e.agentId) ?? 1) - 1)
      if (++completed === ENTRIES) onDone()
    }
  })
  await acd.start()

  const children: ChildProcess[] = []
  const ids = raceAgents(AGENTS).map((a) => a.id)
  for (const [i, share] of [ids.filter((_, j) => j % 2 === 0), ids.filter((_, j) => j % 2 === 1)].entries()) {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, prefix, share.join(','), String(1000 + i)], { stdio: ['pipe', 'pipe', 'inherit'] })
    children.push(child)
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`race worker exited with ${code}`)))
      createInterface({ input: child.stdout! }).once('line', () => resolve())
    })
  }
  t.teardown(async () => {
    for (const c of children) {
      if (c.exitCode !== null) continue
      const exited = new Promise((r) => c.once('exit', r))
      c.stdin!.end()
      await exited
    }
    await acd.close()
    await queue.close()
  })

  const started = Date.now()
  const submitted: string[] = []
  for (let i = 0; i < ENTRIES; i++) {
    const voice = i % 10 < 7
    const { appeal } = await queue.submit({
      channel: voice ? 'voice' : 'web',
      origin: voice ? '12345' : undefined,
      externalId: `race-${i}`,
      draft: { citizen: { phone: '13800138000' }, content: '咨询', category: '咨询' },
    })
    submitted.push(appeal.id)
    await acd.addEntry(appeal)
  }
  const timeout = setTimeout(() => onDone(), 50_000)
  await done
  clearTimeout(timeout)
  t.comment(`${offers} offers, ${revoked} revoked (declined or timed out), ${completed} completed in ${Date.now() - started} ms`)

  t.same(violations, [], 'no entry offered twice at once, no agent with two offers or two calls')
  t.equal(completed, ENTRIES, 'every entry was completed')
  t.equal(submitted.filter((id) => assigned.get(id) !== 1).length, 0, 'every entry answered exactly once')
  t.ok(revoked > 0, 'declines and timeouts happened')
  const stats = await acd.stats()
  t.equal(stats.today.answered, Math.round(ENTRIES * 0.7), 'the counters agree')
})
