/**
 * One gateway process in the race test: its own ACD on the shared prefix, driving its own agents.
 * Each offer to one of its agents is accepted (then completed), declined or left to time out, at
 * random. Prints "ready" when subscribed; exits when stdin closes.
 * argv: prefix, comma-separated agent ids, seed.
 */
import { Writable } from 'node:stream'
import { loadConfig } from '../../../config/load.ts'
import { RedisAcd } from '../../../gateway/acd/redis-acd.ts'
import { BullmqHandoff } from '../../../gateway/handoff/workorder-handoff.ts'
import { createLogger } from '../../../gateway/log.ts'
import { RedisAppealQueue } from '../../../gateway/queue/redis-appeal-queue.ts'
import { connectRedis, waitReady } from '../../../gateway/queue/redis.ts'
import { REDIS_URL } from '../../helpers/redis.ts'
import { raceAgents } from './race-agents.ts'

const [prefix, ids, seedArg] = process.argv.slice(2)
const mine = new Set(ids.split(','))
let seed = Number(seedArg)
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)

const config = loadConfig({ env: {}, overrides: { env: 'test', redis: { url: REDIS_URL, keyPrefix: prefix }, acd: { offerTimeoutSeconds: 0.3, wrapUpSeconds: 0, sweepIntervalMs: 50 } } })
const redis = connectRedis(REDIS_URL)
await waitReady(redis)
const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 1 })
const handoff = new BullmqHandoff({ redis, keyPrefix: prefix, config: config.handoff })
const acd = new RedisAcd({ redis, keyPrefix: prefix, acd: config.acd, timezone: config.timezone, hotlines: config.hotlines, appeals: queue, handoff, agents: raceAgents(50), logger })

const fail = (err: unknown) => {
  const code = (err as { code?: string }).code
  if (code !== 'ACD_ERR_OFFER_NOT_FOUND') process.stderr.write(`race worker: ${(err as Error).stack}\n`)
}

acd.subscribe((e) => {
  if (e.type === 'offer' && mine.has(e.offer.agentId)) {
    const r = random()
    const { agentId, offerId } = e.offer
    if (r < 0.7) {
      acd
        .accept(agentId, offerId)
        .then((appeal) => acd.complete(agentId, appeal.id, { disposition: 'resolved-on-line' }))
        .catch(fail)
    } else if (r < 0.85) {
      acd.decline(agentId, offerId).catch(fail)
    } // else: let it time out
  }
  if (e.type === 'agent-state' && mine.has(e.status.agentId) && e.status.state === 'not-ready') {
    acd.setState(e.status.agentId, 'ready').catch(fail)
  }
})
await acd.start()
for (const id of mine) await acd.setState(id, 'ready')
process.stdout.write('ready\n')
process.stdin.resume()
process.stdin.on('end', async () => {
  await acd.close()
  await handoff.close()
  await queue.close()
  await redis.quit()
  process.exit(0)
})
