/**
 * Entry enqueued -> offer frame on the agent's websocket, with 500 agent consoles connected to the
 * whole gateway app (auth, console plugin, fan-out) and 1,000 entries waiting that no ready agent may
 * take (every match scans them). The agents live in a child process (bench/console-offer/clients.ts);
 * latency = client receive time - time just before the entry is added, both wall clock.
 * Baseline in the same run: the bare shape of the same path — Redis PUBLISH -> a subscriber ->
 * `ws.send` on a bare ws server -> the client.
 *
 * Run alone: npx tsx bench/console-offer.bench.ts
 */
import { printTable, type BenchRow } from './row.ts'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import { SignJWT } from 'jose'
import { loadConfig } from '../config/load.ts'
import { createAcdStack } from '../gateway/acd/create-acd.ts'
import { build } from '../gateway/app.ts'
import { createLogger } from '../gateway/log.ts'
import { connectRedis, waitReady } from '../gateway/queue/redis.ts'
import { RedisAppealQueue } from '../gateway/queue/redis-appeal-queue.ts'
import { deleteByPrefix } from '../gateway/queue/delete-prefix.ts'
import { REDIS_URL } from './lib/machine.ts'
import { ChildClients } from './lib/child-clients.ts'

export type { BenchRow }

const AGENTS = 500
const WAITING = 1000
const SAMPLES = 300
const JWT_SECRET = 'bench-console-jwt-secret-0123456789abcdef'
const CLIENTS = fileURLToPath(new URL('./console-offer/clients.ts', import.meta.url))
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]
const now = () => performance.timeOrigin + performance.now()

export async function run(): Promise<BenchRow[]> {
  const prefix = `bench-offer-${randomUUID()}`
  const skills = ['hotline:general', 'hotline:market', 'category:咨询', 'category:投诉', 'language:普通话'].map((skill) => ({ skill, level: 5 }))
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: String(3000 + i), name: `坐席${i}`, role: 'agent' as const, demo: true, writtenCapacity: 3, skills }))
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'test',
      redis: { url: REDIS_URL, keyPrefix: prefix },
      auth: { jwtSecret: JWT_SECRET },
      agents: agents as never,
      matter: { enabled: false },
      acd: { relaxation: [], wrapUpSeconds: 0 },
    },
  })
  const redis = connectRedis(config.redis.url)
  await waitReady(redis)
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 1 })
  // Appeals are stored by a queue without the post-intake step, so the clock starts at addEntry.
  const store = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 1 })
  const stack = await createAcdStack({ config, redis, queue, logger })
  const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const clients = new ChildClients(CLIENTS)
  const secret = new TextEncoder().encode(JWT_SECRET)
  const token = (sub: string) =>
    new SignJWT({ role: 'agent' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuer('gw-12345')
      .setAudience('agent-console').setIssuedAt().setExpirationTime('1h').setJti(randomUUID()).sign(secret)
  try {
    // 1,000 waiting entries nobody ready may take (12319 complaints; relaxation off).
    for (let i = 0; i < WAITING; i++) {
      const { appeal } = await store.submit({ channel: 'voice', origin: '12319', externalId: `w-${i}`, draft: { citizen: { phone: '13800138000' }, content: '投诉' } })
      await stack.acd.addEntry(appeal)
    }
    const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/agent/ws`
    await clients.ask({ cmd: 'connect', url, tokens: await Promise.all(agents.map((a) => token(a.id))) }, 'connected')
    for (const a of agents) await stack.acd.setState(a.id, 'ready')

    const latencies: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      const { appeal } = await store.submit({ channel: 'voice', origin: '12345', externalId: `s-${i}`, draft: { citizen: { phone: '13800138000' }, content: '咨询' } })
      const got = clients.when<{ offer: { appealId: string; agentId: string; offerId: string }; at: number }>((m) => (m.offer as { appealId?: string })?.appealId === appeal.id)
      const t0 = now()
      await stack.acd.addEntry(appeal)
      const { offer, at } = await got
      latencies.push(at - t0)
      await stack.acd.accept(offer.agentId, offer.offerId)
      await stack.acd.complete(offer.agentId, appeal.id, { disposition: 'resolved-on-line' })
    }
    await clients.ask({ cmd: 'close' }, 'closed')

    // Baseline: PUBLISH -> subscriber -> bare ws.send -> client.
    const bare = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
    await new Promise((r) => bare.once('listening', r))
    let peer: WebSocket | undefined
    bare.on('connection', (ws: WebSocket) => (peer = ws))
    await clients.ask({ cmd: 'bare', url: `ws://127.0.0.1:${(bare.address() as AddressInfo).port}` }, 'connected')
    const sub = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false })
    const chan = `${prefix}:bench-ping`
    sub.on('message', (_c: string, m: string) => peer?.send(m))
    await sub.subscribe(chan)
    const baseline: number[] = []
    for (let i = 0; i < SAMPLES; i++) {
      const got = clients.when<{ bare: number }>((m) => 'bare' in m)
      const t0 = now()
      await redis.publish(chan, JSON.stringify({ type: 'offer', i }))
      baseline.push((await got).bare - t0)
    }
    await sub.quit()
    await clients.ask({ cmd: 'close' }, 'closed')
    bare.close()

    const base = (p: number) => ({ baseline: `PUBLISH->bare ws frame p${p}`, baselineValue: pct(baseline, p) })
    return [
      { name: `enqueue -> offer on the agent's websocket p50 (${AGENTS} consoles, ${WAITING} waiting)`, value: pct(latencies, 50), unit: 'ms', ...base(50) },
      { name: `enqueue -> offer on the agent's websocket p99 (${AGENTS} consoles, ${WAITING} waiting)`, value: pct(latencies, 99), unit: 'ms', ...base(99) },
    ]
  } finally {
    clients.stop()
    await app.close()
    await stack.close()
    await store.close()
    await queue.close()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable('console-offer', await run())
  process.exit(0)
}
