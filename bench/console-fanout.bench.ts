/**
 * Wallboard fan-out to 500 sockets, beside a bare `ws` broadcast to 500 sockets in the same run;
 * and memory per connected agent console socket (server RSS delta / 500) beside a bare ws socket.
 *
 * The server side is the product's code: the real ACD on Redis (stats read per push), the console's
 * SessionRegistry + Fanout writing one serialized frame to every wallboard socket, and for memory the
 * whole gateway app (auth, welcome snapshot, heartbeat). The 500 clients live in a child process
 * (bench/console-fanout/clients.ts) so their sockets are not counted and do not share our event loop.
 * Latency = client receive time - server push start, both wall clock with sub-ms resolution.
 *
 * Run alone: npx tsx bench/console-fanout.bench.ts
 */
import { printTable, type BenchRow } from './row.ts'
import { deleteByPrefix } from '../gateway/queue/delete-prefix.ts'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
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
import { agentLister } from '../agent-console/server/acd-adapter.ts'
import { Fanout } from '../agent-console/server/fanout.ts'
import { ConsoleSession } from '../agent-console/server/session.ts'
import { SessionRegistry } from '../agent-console/server/session-registry.ts'
import { ChildClients } from './lib/child-clients.ts'

export type { BenchRow }

const SOCKETS = 500
const PUSHES = 100
const AGENTS = 500
const JWT_SECRET = 'bench-console-jwt-secret-0123456789abcdef'
const CLIENTS = fileURLToPath(new URL('./console-fanout/clients.ts', import.meta.url))

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

interface Mem {
  rss: number
  heap: number
}

/** After full GCs: RSS (what the OS charges) and V8 heap + external (what sockets actually retain). */
function settle(): Mem {
  for (let i = 0; i < 3; i++) gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers }
}

const perSocket = (a: Mem, b: Mem) => ({ rss: (b.rss - a.rss) / SOCKETS / 1024, heap: (b.heap - a.heap) / SOCKETS / 1024 })

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/** Runs `pushes` sequential pushes; each waits until every socket got it. */
async function measure(clients: ChildClients, push: () => Promise<void> | void) {
  await clients.ask({ cmd: 'reset' }, 'reset')
  const t0: number[] = []
  const start = performance.now()
  for (let k = 0; k < PUSHES; k++) {
    const got = clients.when((m) => m.got === k)
    t0[k] = performance.timeOrigin + performance.now()
    await push()
    await got
  }
  const elapsed = (performance.now() - start) / 1000
  const { times } = await clients.ask<{ times: number[][] }>({ cmd: 'report' }, 'times')
  const lat = times.flatMap((row, k) => row.map((t) => t - t0[k]))
  return { framesPerSecond: (PUSHES * SOCKETS) / elapsed, p99: percentile(lat, 99), p50: percentile(lat, 50) }
}

export async function run(): Promise<BenchRow[]> {
  const prefix = `bench-console-${randomUUID()}`
  const agents = Array.from({ length: AGENTS }, (_, i) => ({
    id: String(2000 + i),
    name: `坐席${2000 + i}`,
    role: 'agent' as const,
    demo: true,
    writtenCapacity: 2,
    skills: [{ skill: 'hotline:general', level: 5 }],
  }))
  const config = loadConfig({
    overrides: {
      env: 'test',
      redis: { keyPrefix: prefix },
      log: { level: 'warn' },
      auth: { jwtSecret: JWT_SECRET },
      agents: [...agents, { id: '9001', name: '张主任', role: 'supervisor', demo: true, writtenCapacity: 0, skills: [] }] as never,
      // Wallboards here are pushed by the bench, not by the refresh timer.
      console: { wallboardRefreshMs: 600_000 },
    },
  })
  const redis = connectRedis(config.redis.url)
  await waitReady(redis)
  const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }))
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: 1 })
  const stack = await createAcdStack({ config, redis, queue, logger })
  const clients = new ChildClients(CLIENTS)
  const secret = new TextEncoder().encode(JWT_SECRET)
  const token = (sub: string, role: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuer('gw-12345')
      .setAudience('agent-console')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti(randomUUID())
      .sign(secret)

  try {
    // --- memory first, on a fresh process, sockets kept open so no freed memory is reused ---------
    // Baseline: 500 bare ws sockets; then 500 agent consoles on the whole app (auth, welcome, heartbeat).
    const bare = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
    await new Promise((r) => bare.once('listening', r))
    const bareUrl = `ws://127.0.0.1:${(bare.address() as AddressInfo).port}`
    const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const appUrl = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/agent/ws`
    // Tokens up front: signing is not part of a socket's footprint.
    const tokens = await Promise.all(agents.map((a) => token(a.id, 'agent')))
    let rss0 = settle()
    await clients.ask({ cmd: 'connect', url: bareUrl, protocols: [], n: SOCKETS, waitFirstFrame: false }, 'connected')
    const bareMem = perSocket(rss0, settle())
    rss0 = settle()
    for (let i = 0; i < SOCKETS; i++) {
      await clients.ask({ cmd: 'connect', url: appUrl, protocols: ['gw.v1', `token.${tokens[i]}`], n: 1, waitFirstFrame: true }, 'connected')
    }
    const consoleMem = perSocket(rss0, settle())
    await clients.ask({ cmd: 'close' }, 'closed')
    await app.close()

    // --- baseline: bare ws server, broadcast of a same-size frame ---------------------------------
    const registry = new SessionRegistry(redis, prefix, logger, () => {})
    await registry.start()
    const fanout = new Fanout({
      acd: stack.acd,
      queue,
      registry,
      log: logger,
      refreshMs: 600_000,
      clock: () => new Date(),
      listAgents: agentLister(stack.auth, stack.acd),
    })
    // One real frame to size the baseline's payload the same.
    const probe: string[] = []
    const fakeSocket = { readyState: 1, OPEN: 1, send: (s: string) => probe.push(s) } as unknown as WebSocket
    const probeSession = new ConsoleSession(fakeSocket, { agentId: 'probe', name: 'probe', role: 'supervisor', expiresAt: new Date(Date.now() + 3600_000) }, 'wallboard', logger)
    registry.watchWallboard(probeSession)
    await fanout.pushWallboards()
    registry.remove(probeSession)
    const frameBytes = Buffer.byteLength(probe[0])

    const payload = probe[0]
    await clients.ask({ cmd: 'connect', url: bareUrl, protocols: [], n: SOCKETS, waitFirstFrame: false }, 'connected')
    const bareRes = await measure(clients, () => {
      for (const ws of bare.clients) ws.send(payload)
    })
    await clients.ask({ cmd: 'close' }, 'closed')
    bare.close()

    // --- console fan-out: the product's Fanout + SessionRegistry, real ACD stats per push ---------
    const fanServer = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
    await new Promise((r) => fanServer.once('listening', r))
    fanServer.on('connection', (ws: WebSocket) => {
      const s = new ConsoleSession(ws, { agentId: '9001', name: '张主任', role: 'supervisor', expiresAt: new Date(Date.now() + 3600_000) }, 'wallboard', logger)
      void registry.add(s).then(() => registry.watchWallboard(s))
      ws.on('close', () => registry.remove(s))
    })
    const fanUrl = `ws://127.0.0.1:${(fanServer.address() as AddressInfo).port}`
    await clients.ask({ cmd: 'connect', url: fanUrl, protocols: [], n: SOCKETS, waitFirstFrame: false }, 'connected')
    while (registry.wallboards().size < SOCKETS) await new Promise((r) => setTimeout(r, 10))
    const fanRes = await measure(clients, async () => {
      await fanout.pushWallboards()
    })
    await clients.ask({ cmd: 'close' }, 'closed')
    fanServer.close()
    fanout.stop()
    await registry.close()

    return [
      { name: 'wallboard fan-out to 500 sockets', value: fanRes.framesPerSecond, unit: 'frames/s', baseline: 'bare ws broadcast', baselineValue: bareRes.framesPerSecond },
      { name: 'wallboard fan-out p99 delivery', value: fanRes.p99, unit: 'ms', baseline: 'bare ws broadcast p99', baselineValue: bareRes.p99 },
      { name: 'wallboard fan-out p50 delivery', value: fanRes.p50, unit: 'ms', baseline: 'bare ws broadcast p50', baselineValue: bareRes.p50 },
      { name: 'wallboard frame size (500 agents)', value: frameBytes, unit: 'bytes' },
      { name: 'memory per agent console socket (RSS delta / 500)', value: consoleMem.rss, unit: 'KiB', baseline: 'bare ws socket', baselineValue: bareMem.rss },
      { name: 'memory per agent console socket (heap+external delta / 500)', value: consoleMem.heap, unit: 'KiB', baseline: 'bare ws socket', baselineValue: bareMem.heap },
    ]
  } finally {
    clients.stop()
    await stack.close()
    await queue.close()
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable('console-fanout', await run())
  process.exit(0)
}
