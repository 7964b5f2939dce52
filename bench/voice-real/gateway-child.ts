/**
 * The gateway, wired as gateway/main.ts wires it (queue from config with its hook-error log, matter
 * linker, alerts, ACD stack, voice path, Fastify app, maintenance sweeps), in a process of its own
 * against a real FreeSWITCH, so that its CPU (/proc/<pid>/stat, read by the parent) is the gateway's
 * alone: the bench harness, sipp and FreeSWITCH are other processes. Differences from main.ts: a
 * random Redis key prefix (deleted at stop), the log at `logLevel` (default warn) into a null
 * stream, the HTTP server not listening, offers of 15 s and no wrap-up (as the other voice benches).
 *
 * Instrumentation from outside the product, on modesl's Connection prototype (the gateway's event
 * socket is the only modesl connection in this process):
 *   - a `data` listener put on the socket before modesl's parser notes when each chunk reached JS;
 *   - `_onEvent` (the parser hands modesl a frame): a new inbound call's CHANNEL_PARK gets
 *     t0 = the arrival of the chunk that completed the frame (so modesl's parse is inside the figure);
 *     CHANNEL_HANGUP_COMPLETE marks the call gone;
 *   - `send` (modesl writes a command to the socket, first line first): t1 = the first command
 *     naming the call's uuid (`api sched_del <uuid>` from CallRouter via media.take), the first
 *     `sendmsg <uuid>` executing the hold music (the call reached the queue), and the agent leg's
 *     `bgapi originate ...user/<agent>`.
 * Times are process.hrtime (CLOCK_MONOTONIC, one clock for every process on the machine).
 *
 * IPC (bench/lib/child-clients.ts); each message answers with the key named:
 *   { start: StartOptions }           -> { started: { pid } }
 *   { count: true }                   -> { counted: { parks, music, hungUp, waiting, reconnects, wire } }
 *   { snapshot: true }                -> { snapshot: { calls: CallRecord[], lag: { p50, p99, max }, stall: { wallMs, cpuMs } } } (since last)
 *   { agent: { id, samples } }        -> { agentDone: { originateMs[], offerMs[], misses, stuck, missed[] } }
 *   { stop: true }                    -> { stopped: true }
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Writable } from 'node:stream'
import modesl from 'modesl'
import { loadConfig } from '../../config/load.ts'
import { matterNotice } from '../../agent-console/server/matter-push.ts'
import type { AcdEvent } from '../../gateway/acd/types.ts'
import { createAcdStack } from '../../gateway/acd/create-acd.ts'
import { build } from '../../gateway/app.ts'
import { createLogger } from '../../gateway/log.ts'
import { startMaintenance } from '../../gateway/maintenance.ts'
import { MatterAlerts } from '../../gateway/matter/alerts.ts'
import { MatterLinker } from '../../gateway/matter/linker.ts'
import { appealQueueFromConfig } from '../../gateway/queue/appeal-queue-from-config.ts'
import { deleteByPrefix } from '../../gateway/queue/delete-prefix.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import { createVoice } from '../../gateway/telephony/create-voice.ts'

export interface StartOptions {
  host: string
  port: number
  password: string
  promptsDir: string
  recordingsDir?: string
  redisUrl: string
  logLevel: string
  /** The log lines on stderr instead of a null stream (VOICE_REAL_LOG=1). */
  logToStderr?: boolean
}

export interface CallRecord {
  uuid: string
  /** t0, ns (CLOCK_MONOTONIC) as a decimal string */
  park: string
  /** t0 -> first command naming the call, ms */
  firstMs?: number
  firstVerb?: string
  /** t0 -> the hold music's sendmsg, ms */
  musicMs?: number
  hungUp: boolean
}

interface Rec {
  park: bigint
  first?: bigint
  verb?: string
  music?: bigint
  hungUp?: boolean
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
const send = (m: Record<string, unknown>) => process.send?.(m)
const calls = new Map<string, Rec>()
let musicMedia = 'local_stream://moh'
let watchOriginate: { agent: string; resolve: (at: bigint) => void } | undefined
/** What crossed the event socket: events received by name, bytes read, commands written, socket writes. */
const wire = { events: {} as Record<string, number>, bytesIn: 0, commands: 0, writes: 0 }
const lag = monitorEventLoopDelay({ resolution: 10 })
lag.enable()
/**
 * The worst gap between two ticks of a 20 ms timer since the last snapshot, and the CPU this process
 * used inside it: a gap with little CPU is a process that waited for a core (starved), a gap full of
 * CPU is long synchronous work.
 */
let stall = { wallMs: 0, cpuMs: 0 }
let lastTick = { at: performance.now(), cpu: process.cpuUsage() }
setInterval(() => {
  const now = { at: performance.now(), cpu: process.cpuUsage() }
  const wallMs = now.at - lastTick.at - 20
  if (wallMs > stall.wallMs) stall = { wallMs, cpuMs: (now.cpu.user + now.cpu.system - lastTick.cpu.user - lastTick.cpu.system) / 1000 }
  lastTick = now
}, 20).unref()

// ---- instrumentation (before the gateway connects)
type Conn = { socket: import('node:net').Socket | null; __chunkAt?: bigint }
type ModeslEvent = { getHeader(n: string): string | null }
const proto = (modesl.Connection as unknown as { prototype: Record<string, (...a: unknown[]) => unknown> }).prototype
const onConnect = proto._onConnect
proto._onConnect = function (this: Conn, ...a: unknown[]) {
  // registered before modesl's Parser adds its own `data` listener: runs first for every chunk
  this.socket?.on('data', (chunk: Buffer) => {
    this.__chunkAt = process.hrtime.bigint()
    wire.bytesIn += chunk.length
  })
  return onConnect.apply(this, a)
}
const onEvent = proto._onEvent
proto._onEvent = function (this: Conn, event: unknown, headers: unknown, body: unknown) {
  const h = headers as Record<string, string> | undefined
  if (h?.['Content-Type'] === 'text/event-plain') {
    const e = event as ModeslEvent
    const name = e.getHeader('Event-Name')
    const uuid = e.getHeader('Unique-ID')
    if (name) wire.events[name] = (wire.events[name] ?? 0) + 1
    if (uuid && name === 'CHANNEL_PARK' && e.getHeader('Call-Direction') === 'inbound' && !e.getHeader('variable_gw_leg') && !calls.has(uuid)) {
      calls.set(uuid, { park: this.__chunkAt ?? process.hrtime.bigint() })
    } else if (uuid && name === 'CHANNEL_HANGUP_COMPLETE') {
      const r = calls.get(uuid)
      if (r) r.hungUp = true
    }
  }
  return onEvent.call(this, event, headers, body)
}
const modeslSend = proto.send
proto.send = function (this: Conn, command: unknown, args: unknown) {
  const at = process.hrtime.bigint()
  const line = String(command)
  wire.commands++
  // modesl writes the command line, each header and the blank line separately
  wire.writes += 2 + (args ? Object.keys(args as object).length : 0)
  const uuid = UUID.exec(line)?.[0]
  const r = uuid ? calls.get(uuid) : undefined
  if (r) {
    if (r.first === undefined) {
      r.first = at
      r.verb = line.split(' ').slice(0, 2).join(' ')
    }
    const a = args as Record<string, string> | null
    if (r.music === undefined && line.startsWith('sendmsg') && a?.['execute-app-name'] === 'playback' && a['execute-app-arg'] === musicMedia) r.music = at
  }
  if (watchOriginate && line.startsWith('bgapi originate') && line.includes(`user/${watchOriginate.agent} `)) {
    const w = watchOriginate
    watchOriginate = undefined
    w.resolve(at)
  }
  return modeslSend.call(this, command, args)
}

// ---- the gateway
let gateway:
  | {
      close(): Promise<void>
      acd: Awaited<ReturnType<typeof createAcdStack>>['acd']
      queue: ReturnType<typeof appealQueueFromConfig>
      media: NonNullable<Awaited<ReturnType<typeof createVoice>>>['media']
    }
  | undefined
let reconnects = 0

async function start(o: StartOptions): Promise<void> {
  const prefix = `bench-real-${randomUUID()}`
  const config = loadConfig({
    env: {},
    overrides: {
      env: 'test',
      redis: { url: o.redisUrl, keyPrefix: prefix },
      auth: { jwtSecret: 'bench-voice-real-jwt-secret-0123456789abcdef' },
      log: { level: o.logLevel },
      acd: { offerTimeoutSeconds: 15, wrapUpSeconds: 0 },
      voice: {
        servers: [{ id: 'fs1', host: o.host, port: o.port }],
        eslPassword: o.password,
        promptsDir: o.promptsDir,
        recordingsDir: o.recordingsDir ?? mkdtempSync(join(tmpdir(), 'bench-real-recordings-')),
      },
    },
  })
  musicMedia = config.voice.waiting.music
  const logger = createLogger(config.log.level, o.logToStderr ? process.stderr : new Writable({ write: (_c, _e, cb) => cb() }))
  const redis = connectRedis(o.redisUrl)
  redis.on('error', () => {})
  await waitReady(redis)
  const queue = appealQueueFromConfig(config, redis, {
    onHookError: (appealId, err) => logger.warn({ appealId, err: { message: err.message } }, 'post-intake step failed; the sweeper will retry'),
  })
  const linker = config.matter.enabled ? new MatterLinker({ redis, keyPrefix: prefix, windowDays: config.matter.windowDays }) : undefined
  const alerts = new MatterAlerts(redis, prefix)
  const stack = await createAcdStack({ config, redis, queue, logger, linker, alerts, matterChanged: matterNotice(redis, prefix) })
  const voice = await createVoice({ config, redis, queue, acd: stack.acd, logger })
  if (!voice) throw new Error('voice path off')
  voice.media.subscribe((e) => {
    if (e.type === 'server-up') reconnects++
  })
  const app = await build(config, { redis, queue, logger, acd: stack.acd, auth: stack.auth, linker, alerts, voice })
  await app.ready()
  const maintenance = startMaintenance({ config, queue, acd: stack.acd, logger })
  reconnects = 0
  gateway = {
    acd: stack.acd,
    queue,
    media: voice.media,
    async close() {
      maintenance.stop()
      await app.close()
      await voice.close()
      await stack.close()
      await queue.close()
      const cleanup = connectRedis(o.redisUrl)
      try {
        await waitReady(cleanup)
        await deleteByPrefix(cleanup, prefix)
      } finally {
        cleanup.disconnect()
        if (redis.status === 'ready') await redis.quit().catch(() => undefined)
        else redis.disconnect()
      }
    },
  }
}

function counted() {
  let music = 0
  let hungUp = 0
  let waiting = 0
  for (const r of calls.values()) {
    if (r.music !== undefined) music++
    if (r.hungUp) hungUp++
    if (r.music !== undefined && !r.hungUp) waiting++
  }
  return { parks: calls.size, music, hungUp, waiting, reconnects, wire: { ...wire, events: { ...wire.events } } }
}

function snapshot() {
  const ms = (a: bigint | undefined, b: bigint) => (a === undefined ? undefined : Number(a - b) / 1e6)
  const out: CallRecord[] = []
  for (const [uuid, r] of calls) out.push({ uuid, park: String(r.park), firstMs: ms(r.first, r.park), firstVerb: r.verb, musicMs: ms(r.music, r.park), hungUp: !!r.hungUp })
  const l = { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 }
  lag.reset()
  const worst = stall
  stall = { wallMs: 0, cpuMs: 0 }
  return { calls: out, lag: l, stall: worst }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  clearTimeout(timer)
  return r
}

/**
 * Agent `id` made ready `samples` times: t0 before acd.setState(id, 'ready'), t1 = the originate of
 * its leg written to the socket; beside it the ACD's `offer` event (the ACD alone). The agent's phone
 * is not registered, so FreeSWITCH refuses the originate at once, the call goes back to its place and
 * the agent becomes 未应答 (not-ready), ready for the next sample.
 */
async function agentSamples(id: string, samples: number) {
  const acd = gateway!.acd
  const originateMs: number[] = []
  const offerMs: number[] = []
  let misses = 0
  let missedInARow = 0
  let stuck = false
  const missed: { appealId: string; callId?: string; mode?: string; status?: string; fsChannel?: string; hungUpSeen?: boolean; musicSeen?: boolean }[] = []
  let offerAt: ((t: bigint) => void) | undefined
  let offeredAppeal: string | undefined
  const unsubscribe = acd.subscribe((e: AcdEvent) => {
    if (e.type === 'offer' && e.offer.agentId === id) {
      offeredAppeal = e.offer.appealId
      offerAt?.(process.hrtime.bigint())
    }
  })
  try {
    for (let i = 0; i < samples; i++) {
      await acd.touchPresence([id])
      const originated = new Promise<bigint>((resolve) => (watchOriginate = { agent: id, resolve }))
      const offered = new Promise<bigint>((resolve) => (offerAt = resolve))
      offeredAppeal = undefined
      const t0 = process.hrtime.bigint()
      await acd.setState(id, 'ready')
      const [o, f] = await Promise.all([withTimeout(originated, 5000), withTimeout(offered, 5000)])
      if (o !== undefined) {
        originateMs.push(Number(o - t0) / 1e6)
        missedInARow = 0
      } else {
        misses++
        missedInARow++
        // what was offered and never rung: the appeal, its call, whether FreeSWITCH still has the channel
        if (offeredAppeal && missed.length < 3) {
          const appeal = await gateway!.queue.get(offeredAppeal).catch(() => undefined)
          const callId = appeal?.call?.callId
          const fsChannel = callId ? await gateway!.media.api('fs1', `uuid_exists ${callId}`).catch((err: Error) => err.message) : undefined
          const r = callId ? calls.get(callId) : undefined
          missed.push({ appealId: offeredAppeal, callId, mode: appeal?.call?.mode, status: appeal?.status, fsChannel: fsChannel?.trim(), hungUpSeen: r?.hungUp, musicSeen: r?.music !== undefined })
        }
      }
      if (f !== undefined) offerMs.push(Number(f - t0) / 1e6)
      watchOriginate = undefined
      // an overloaded FreeSWITCH may answer the originate late: stop sampling rather than fail the run
      const end = Date.now() + 20_000
      while ((await acd.status(id)).state !== 'not-ready' && Date.now() < end) await sleep(20)
      if ((await acd.status(id)).state !== 'not-ready') {
        stuck = true
        break
      }
      // three offers in a row that rang no phone: more samples would only repeat it
      if (missedInARow >= 3) break
    }
  } finally {
    unsubscribe()
  }
  return { originateMs, offerMs, misses, stuck, missed }
}

process.on('message', (m: Record<string, unknown>) => {
  void (async () => {
    try {
      if (m.start) {
        await start(m.start as StartOptions)
        send({ started: { pid: process.pid } })
      } else if (m.count) send({ counted: counted() })
      else if (m.snapshot) send({ snapshot: snapshot() })
      else if (m.agent) {
        const a = m.agent as { id: string; samples: number }
        send({ agentDone: await agentSamples(a.id, a.samples) })
      } else if (m.stop) {
        await gateway?.close()
        gateway = undefined
        // exit by itself (not killed), so that --cpu-prof (VOICE_REAL_PROFILE) writes its profile
        process.send?.({ stopped: true }, () => process.exit(0))
      }
    } catch (err) {
      send({ error: (err as Error).stack ?? String(err) })
    }
  })()
})
process.on('disconnect', () => process.exit(0))
