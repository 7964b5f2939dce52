/**
 * The real gateway with the emergency handoff (desk, push worker, dispatcher routes, partner
 * pushes) on real Redis with a random prefix; optionally the ACD (priority checks, console
 * handlers) and a listening socket (browser tests). Partners come from config/emergency-partners.json;
 * `endpoints` points some of them at local test platforms (secret: SECRETS[partner]).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import type { DeepPartial } from '../../../config/load.ts'
import type { EmergencyPartner } from '../../../config/emergency-schema.ts'
import type { Config } from '../../../config/schema.ts'
import { createAcdStack, type AcdStack } from '../../../gateway/acd/create-acd.ts'
import { build, type App } from '../../../gateway/app.ts'
import { createEmergency, type Emergency } from '../../../gateway/emergency/create-emergency.ts'
import type { HandoffRecord } from '../../../gateway/emergency/handoff-record.ts'
import { createLogger } from '../../../gateway/log.ts'
import { RedisAppealQueue } from '../../../gateway/queue/redis-appeal-queue.ts'
import { testConfig } from '../../helpers/app.ts'
import { testRedis } from '../../helpers/redis.ts'

interface TapLike {
  teardown(fn: () => unknown): void
}

export const SECRETS: Record<string, string> = {
  '110': 'partner-110-secret-4c1e9a7b',
  '119': 'partner-119-secret-8d2f0b3c',
  '120': 'partner-120-secret-1a5e7c9d',
  '122': 'partner-122-secret-6b3d8e2f',
}
export const SECRET_ENV = Object.fromEntries(Object.entries(SECRETS).map(([p, s]) => [`EMERGENCY_${p}_SECRET`, s]))

export const FILE_PARTNERS = JSON.parse(readFileSync('config/emergency-partners.json', 'utf8')) as EmergencyPartner[]

/** A clock the test moves (links expire, days change). */
export function movableClock(start = new Date()): { now: () => Date; set(d: Date): void; advance(ms: number): void } {
  let at = start.getTime()
  return { now: () => new Date(at), set: (d) => (at = d.getTime()), advance: (ms) => (at += ms) }
}

export interface EmergencyTestApp {
  app: App
  emergency: Emergency
  queue: RedisAppealQueue
  redis: Redis
  prefix: string
  config: Readonly<Config>
  stack?: AcdStack
  logs: Record<string, unknown>[]
  /** Every record change the desk published, in order. */
  changes: HandoffRecord[]
  /** Resolves with the first published change (from now on) that satisfies `pred`. */
  nextChange(pred: (r: HandoffRecord) => boolean, what: string, ms?: number): Promise<HandoffRecord>
  url?: string
  webAppeal(content?: string, phone?: string): Promise<string>
}

export interface EmergencyAppOptions {
  /** partner -> its platform's URL (the others keep no endpoint). */
  endpoints?: Record<string, string>
  config?: DeepPartial<Config>
  clock?: () => Date
  /** Build the ACD stack too (offers, positions, console handlers). */
  acd?: boolean
  listen?: boolean
  /** Which partners to configure (default: all four from the file). */
  partnerIds?: string[]
  /** Environment over SECRET_ENV (a partner without its secret). */
  env?: NodeJS.ProcessEnv
}

export async function emergencyApp(t: TapLike, o: EmergencyAppOptions = {}): Promise<EmergencyTestApp> {
  const { redis, prefix } = await testRedis(t)
  const partners = FILE_PARTNERS.filter((p) => !o.partnerIds || o.partnerIds.includes(p.id)).map((p) => ({ ...p, recordEndpoint: o.endpoints?.[p.id] ?? '' }))
  const config = testConfig(
    prefix,
    {
      ...o.config,
      emergency: {
        partners,
        push: { attempts: 40, backoffMs: 20, maxBackoffMs: 200, timeoutMs: 2000 },
        ...(o.config?.emergency ?? {}),
      } as DeepPartial<Config['emergency']>,
    },
    { ...SECRET_ENV, ...o.env },
  )
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    },
  })
  const logger = createLogger('info', sink)
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: config.queue.name, timezone: config.timezone, retentionDays: config.queue.retentionDays, clock: o.clock })
  const changes: HandoffRecord[] = []
  const waiters = new Set<(r: HandoffRecord) => void>()
  const emergency = createEmergency({
    config,
    redis,
    queue,
    logger,
    clock: o.clock,
    onChange: async (r) => {
      changes.push(r)
      for (const w of [...waiters]) w(r)
    },
  })
  const stack = o.acd ? await createAcdStack({ config, redis, queue, logger, clock: o.clock }) : undefined
  const app = await build(config, { redis, queue, logger, clock: o.clock, emergency: emergency.desk, acd: stack?.acd, auth: stack?.auth })
  t.teardown(async () => {
    await app.close()
    await emergency.close()
    await stack?.close()
    await queue.close()
  })
  let url: string | undefined
  if (o.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' })
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }
  return {
    app,
    emergency,
    queue,
    redis,
    prefix,
    config,
    stack,
    logs,
    changes,
    url,
    nextChange: (pred, what, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w)
          reject(new Error(`timed out waiting for ${what}`))
        }, ms)
        const w = (r: HandoffRecord) => {
          if (!pred(r)) return
          clearTimeout(timer)
          waiters.delete(w)
          resolve(r)
        }
        waiters.add(w)
      }),
    webAppeal: async (content = '楼下两伙人在打架，有人拿着酒瓶', phone = '13812345678') => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/channels/web/appeals',
        headers: { 'idempotency-key': randomUUID() },
        payload: { citizen: { phone, name: '张三' }, content, category: '求助', location: { address: '幸福路12号' } },
      })
      if (res.statusCode !== 202) throw new Error(`web appeal refused: ${res.body}`)
      return (res.json() as { id: string }).id
    },
  }
}

export interface PlatformRequest {
  headers: IncomingMessage['headers']
  body: Buffer
}

/**
 * A partner's platform: answers each request with the next reply of `replies` (the last one
 * repeats) and keeps what it received. `listen(port)` starts it again on the same port.
 */
export class PartnerPlatform {
  readonly requests: PlatformRequest[] = []
  server?: Server
  port = 0
  #waiters = new Set<() => void>()

  constructor(private readonly replies: { status: number; body?: unknown }[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/handoffs`
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((req, res) => this.#handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  async close(): Promise<void> {
    const s = this.server
    this.server = undefined
    if (!s) return
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  /** Resolves once `n` requests have arrived. */
  received(n: number, ms = 10_000): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the platform got ${this.requests.length} of ${n} requests`)), ms)
      const w = () => {
        if (this.requests.length < n) return
        clearTimeout(timer)
        this.#waiters.delete(w)
        resolve()
      }
      this.#waiters.add(w)
    })
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      this.requests.push({ headers: req.headers, body: Buffer.concat(chunks) })
      const reply = this.replies[Math.min(this.requests.length - 1, this.replies.length - 1)]
      res.writeHead(reply.status, { 'content-type': 'application/json', connection: 'close' })
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body))
      for (const w of [...this.#waiters]) w()
    })
  }
}

/** A port nothing listens on (refuses connections) until a platform listens there. */
export async function closedPort(): Promise<number> {
  const p = await new PartnerPlatform([{ status: 200 }]).listen()
  const port = p.port
  await p.close()
  return port
}
