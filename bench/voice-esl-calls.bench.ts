/**
 * Memory and event-loop delay of the gateway process with 1,000 simultaneous calls, beside the same
 * process idle. The whole gateway (bench/voice/gateway.ts) runs here; the FreeSWITCH peer runs in its
 * own process (bench/voice/peer-child.ts). 1,000 calls arrive at 125/s, go through the default flow
 * (answer, welcome, queue) and wait with music (no agent ready). Position announcements come every
 * ANNOUNCE seconds per call (an ACD position read and two uuid_broadcast each), so the first ANNOUNCE
 * seconds after the first call are waiting only; the window after that has the announcements running.
 * Memory is read after a forced GC; event-loop delay is perf_hooks.monitorEventLoopDelay (10 ms
 * resolution) over each window.
 * Run alone: npx tsx bench/voice-esl-calls.bench.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ChildClients } from './lib/child-clients.ts'
import { printTable, type BenchRow } from './row.ts'
import { startGateway } from './voice/gateway.ts'

export const title = 'voice (event socket): 1,000 simultaneous calls, memory and event-loop delay'

const CALLS = Math.min(2000, Number(process.env.VOICE_BENCH_CALLS || 1000))
const RATE = 125
const ANNOUNCE = 25
const WINDOW_MS = 8000
const PEER = new URL('./voice/peer-child.ts', import.meta.url).pathname

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const MiB = 2 ** 20
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Memory {
  rss: number
  heapUsed: number
  external: number
}
function memory(): Memory {
  gc()
  gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers }
}

interface Window {
  p50: number
  p99: number
  max: number
  cpuPercent: number
  seconds: number
}
/** Event-loop delay and this process's CPU over `ms`. */
async function window(ms: number): Promise<Window> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  h.enable()
  await sleep(ms)
  h.disable()
  const c = process.cpuUsage(c0)
  const seconds = (performance.now() - t0) / 1000
  // the histogram includes the 10 ms sampling period itself: subtract it, as its docs say
  const lag = (ns: number) => Math.max(0, ns / 1e6 - 10)
  return { p50: lag(h.percentile(50)), p99: lag(h.percentile(99)), max: lag(h.max), cpuPercent: ((c.user + c.system) / 1e6 / seconds) * 100, seconds }
}

export async function run(): Promise<BenchRow[]> {
  const peer = new ChildClients(PEER)
  try {
    const fs = (await peer.ask<{ started: { host: string; port: number } }>({ start: { playbackMs: 20 } }, 'started')).started
    const gw = await startGateway(fs, { waiting: { announceEverySeconds: ANNOUNCE } })
    let reconnects = 0
    gw.voice.media.subscribe((e) => {
      if (e.type === 'server-up') reconnects++
    })
    let peerLagMaxMs = 0
    const count = async () => {
      const c = (await peer.ask<{ counted: { waitingWithMusic: number; commands: number; channels: number; lagMaxMs: number } }>({ count: true }, 'counted')).counted
      peerLagMaxMs = Math.max(peerLagMaxMs, c.lagMaxMs)
      if (process.env.VOICE_BENCH_LOG) process.stderr.write(`peer: ${JSON.stringify(c)}\n`)
      return c
    }
    try {
      await sleep(1000)
      const idleMem = memory()
      const idle = await window(5000)

      const placedAt = performance.now()
      const placing = peer.ask({ place: { rate: RATE, seconds: CALLS / RATE, waitMs: 10_000 } }, 'placed')
      let waiting = 0
      const settleBy = placedAt + (ANNOUNCE - 1) * 1000 - WINDOW_MS
      while (performance.now() < settleBy) {
        waiting = (await count()).waitingWithMusic
        if (waiting >= CALLS) break
        await sleep(250)
      }
      await placing
      const settledSeconds = (performance.now() - placedAt) / 1000
      // waiting only: before the first call's first announcement
      const c0 = await count()
      const waitWindow = await window(Math.max(1000, Math.min(WINDOW_MS, placedAt + (ANNOUNCE - 0.5) * 1000 - performance.now())))
      const c1 = await count()
      const waitMem = memory()
      waiting = c1.waitingWithMusic

      // announcements running (each call's first one, spread as the calls arrived)
      const startAnnounce = placedAt + (ANNOUNCE + 0.5) * 1000 - performance.now()
      if (startAnnounce > 0) await sleep(startAnnounce)
      const a0 = await count()
      const announceWindow = await window(WINDOW_MS)
      const a1 = await count()
      const announceMem = memory()

      if (process.env.VOICE_BENCH_LOG) {
        const phases: Record<string, number> = {}
        for (const c of gw.voice.router.activeCalls()) phases[c.phase] = (phases[c.phase] ?? 0) + 1
        process.stderr.write(`router phases: ${JSON.stringify(phases)}; peer: ${JSON.stringify(await count())}\n`)
      }
      const kib = (b: number) => b / 1024
      const rows: BenchRow[] = [
        { name: `gateway RSS with ${waiting} calls waiting (after GC)`, value: waitMem.rss / MiB, unit: 'MiB', baseline: 'same process idle', baselineValue: idleMem.rss / MiB },
        { name: 'gateway RSS after the announcements', value: announceMem.rss / MiB, unit: 'MiB', baseline: 'same process idle', baselineValue: idleMem.rss / MiB },
        { name: `gateway heap used with ${waiting} calls waiting`, value: waitMem.heapUsed / MiB, unit: 'MiB', baseline: 'same process idle', baselineValue: idleMem.heapUsed / MiB },
        { name: 'gateway heap used after the announcements', value: announceMem.heapUsed / MiB, unit: 'MiB', baseline: 'same process idle', baselineValue: idleMem.heapUsed / MiB },
        { name: 'heap per waiting call (delta / calls)', value: kib((waitMem.heapUsed - idleMem.heapUsed) / Math.max(1, waiting)), unit: 'KiB' },
        { name: 'RSS per waiting call (delta / calls)', value: kib((waitMem.rss - idleMem.rss) / Math.max(1, waiting)), unit: 'KiB' },
        { name: 'external + array buffers, calls waiting', value: waitMem.external / MiB, unit: 'MiB', baseline: 'same process idle', baselineValue: idleMem.external / MiB },
        { name: `event-loop delay p50, calls waiting (${waitWindow.seconds.toFixed(1)} s)`, value: waitWindow.p50, unit: 'ms', baseline: 'idle p50', baselineValue: idle.p50 },
        { name: 'event-loop delay p99, calls waiting', value: waitWindow.p99, unit: 'ms', baseline: 'idle p99', baselineValue: idle.p99 },
        { name: 'event-loop delay max, calls waiting', value: waitWindow.max, unit: 'ms', baseline: 'idle max', baselineValue: idle.max },
        { name: `event-loop delay p50, announcements running (${announceWindow.seconds.toFixed(1)} s)`, value: announceWindow.p50, unit: 'ms', baseline: 'idle p50', baselineValue: idle.p50 },
        { name: 'event-loop delay p99, announcements running', value: announceWindow.p99, unit: 'ms', baseline: 'idle p99', baselineValue: idle.p99 },
        { name: 'event-loop delay max, announcements running', value: announceWindow.max, unit: 'ms', baseline: 'idle max', baselineValue: idle.max },
        { name: 'gateway CPU, calls waiting', value: waitWindow.cpuPercent, unit: '% core', baseline: 'idle', baselineValue: idle.cpuPercent },
        { name: 'gateway CPU, announcements running', value: announceWindow.cpuPercent, unit: '% core', baseline: 'idle', baselineValue: idle.cpuPercent },
        { name: 'commands to the peer/s, calls waiting', value: (c1.commands - c0.commands) / waitWindow.seconds, unit: '/s' },
        { name: 'commands to the peer/s, announcements running', value: (a1.commands - a0.commands) / announceWindow.seconds, unit: '/s' },
        { name: `calls placed -> ${CALLS} waiting with music`, value: settledSeconds, unit: 's', baseline: 'placing alone at 125/s', baselineValue: CALLS / RATE },
        { name: 'event-socket reconnects during the run', value: reconnects, unit: '' },
        { name: 'peer process: worst event-loop delay (its own process)', value: peerLagMaxMs, unit: 'ms' },
      ]
      return rows
    } finally {
      await gw.close()
    }
  } finally {
    peer.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(title, await run())
  process.exit(0)
}
