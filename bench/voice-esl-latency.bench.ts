/**
 * The gateway's own time on the voice path, against the FreeSWITCH wire-level peer (in its own
 * process, bench/voice/peer-child.ts), with hundreds of callers waiting and no agent ready:
 *  1. a new call's first event -> its first command: t0 = the peer wrote the call's CHANNEL_PARK,
 *     t1 = the peer parsed the first command naming the call (`api sched_del <uuid>`, CallRouter via
 *     media.take), at a fixed call rate (open loop). Baseline in the same run: a bare modesl client on
 *     the same kind of socket that answers each inbound CHANNEL_PARK with `api sched_del <uuid>` at once;
 *     and the same client with Nagle off (socket.setNoDelay), which modesl never does.
 *  2. an agent becoming free -> the agent leg's originate: t0 = before acd.setState(agent, 'ready'),
 *     t1 = the peer parsed `bgapi originate ...user/<agent>`; baseline: the same setState -> the ACD's
 *     `offer` event in this process (the ACD alone). The agent's phone is busy, so each originate fails
 *     at once, the call goes back to its place and the agent is 未应答, ready for the next sample.
 * Times across the two processes are process.hrtime (CLOCK_MONOTONIC, one clock per machine).
 * Run alone: npx tsx bench/voice-esl-latency.bench.ts
 */
import modesl, { type Connection, type Event } from 'modesl'
import { pathToFileURL } from 'node:url'
import type { AcdEvent } from '../gateway/acd/types.ts'
import { SUBSCRIBED_EVENTS } from '../gateway/telephony/freeswitch/media-server.ts'
import { ChildClients } from './lib/child-clients.ts'
import { Latencies } from './lib/latency.ts'
import { printTable, type BenchRow } from './row.ts'
import { ESL_PASSWORD, eventSocketNoDelay, startGateway } from './voice/gateway.ts'

export const title = 'voice (event socket): first event -> first command, agent free -> originate'

const RATES = [20, 50, 100]
const SECONDS = Number(process.env.VOICE_BENCH_SECONDS || 3)
/** Callers already waiting when the measured rates start. */
const PRELOAD = 200
const AGENT = '1001'
const AGENT_SAMPLES = 40
const PEER = new URL('./voice/peer-child.ts', import.meta.url).pathname
/** VOICE_BENCH_NODELAY=1: what-if, the gateway's event socket with Nagle off (not what the gateway does today). */
const WHAT_IF_NO_DELAY = process.env.VOICE_BENCH_NODELAY === '1'

interface Placed {
  latencies: number[]
  firstVerbs: Record<string, number>
  missing: number
  lateStarts: number
}

const summary = (xs: number[]) => {
  const l = new Latencies()
  for (const x of xs) l.add(x)
  return l.summary()
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function startPeer(peer: ChildClients): Promise<{ host: string; port: number }> {
  return (await peer.ask<{ started: { host: string; port: number } }>({ start: { playbackMs: 20 } }, 'started')).started
}

async function placeAt(peer: ChildClients, rate: number, seconds: number): Promise<Placed> {
  return (await peer.ask<{ placed: Placed }>({ place: { rate, seconds, waitMs: 8000 } }, 'placed')).placed
}

/** The baseline: modesl with no gateway logic, `api sched_del` on each new inbound call at once. */
async function bareClient(fs: { host: string; port: number }, noDelay = false): Promise<{ close(): void }> {
  const conn = await new Promise<Connection>((resolve, reject) => {
    const c: Connection = new modesl.Connection(fs.host, fs.port, ESL_PASSWORD, () => resolve(c))
    c.on('error', reject)
  })
  // modesl writes a command line, each header and the blank line as separate socket writes, and
  // never turns Nagle off: the last small write waits for the peer's (delayed) ACK of the first.
  if (noDelay) conn.socket?.setNoDelay(true)
  await new Promise<void>((resolve) => conn.events('plain', [...SUBSCRIBED_EVENTS], () => resolve()))
  conn.on('esl::event::CHANNEL_PARK::*', (evt: Event) => {
    if (evt.getHeader('Call-Direction') !== 'inbound' || evt.getHeader('variable_gw_leg')) return
    conn.api(`sched_del ${evt.getHeader('Unique-ID')}`, () => {})
  })
  return { close: () => conn.socket?.destroy() }
}

export async function run(): Promise<BenchRow[]> {
  const peer = new ChildClients(PEER)
  const rows: BenchRow[] = []
  try {
    // ---- baselines: bare modesl on a fresh peer, as modesl comes (Nagle on), then with Nagle off
    const base = new Map<number, Placed>()
    const baseNoDelay = new Map<number, Placed>()
    for (const [noDelay, into] of [[false, base], [true, baseNoDelay]] as const) {
      const fs = await startPeer(peer)
      const bare = await bareClient(fs, noDelay)
      await placeAt(peer, 100, PRELOAD / 100)
      for (const rate of RATES) into.set(rate, await placeAt(peer, rate, SECONDS))
      bare.close()
    }

    // ---- the gateway on a fresh peer
    const fs = await startPeer(peer)
    const undo = WHAT_IF_NO_DELAY ? eventSocketNoDelay() : () => {}
    const gw = await startGateway(fs)
    let reconnects = 0
    gw.voice.media.subscribe((e) => {
      if (e.type === 'server-up') reconnects++
    })
    const gateway = new Map<number, Placed>()
    const agentLat: number[] = []
    const offerLat: number[] = []
    let waiting = 0
    try {
      await placeAt(peer, 100, PRELOAD / 100)
      waiting = await waitingCalls(peer, PRELOAD, 15_000)
      for (const rate of RATES) gateway.set(rate, await placeAt(peer, rate, SECONDS))
      waiting = await waitingCalls(peer, PRELOAD + RATES.reduce((s, r) => s + r * SECONDS, 0), 20_000)

      // ---- agent free -> originate, with `waiting` calls in the queue
      const acd = gw.stack.acd
      await peer.ask({ endpoint: { target: `user/${AGENT}`, behaviour: 'busy' } }, 'endpointSet')
      let offerAt: ((t: bigint) => void) | undefined
      const unsubscribe = acd.subscribe((e: AcdEvent) => {
        if (e.type === 'offer' && e.offer.agentId === AGENT) offerAt?.(process.hrtime.bigint())
      })
      for (let i = 0; i < AGENT_SAMPLES; i++) {
        await acd.touchPresence([AGENT])
        await peer.ask({ watchOriginate: AGENT }, 'watching')
        const originated = peer.when<{ originate: { at: string } }>((m) => 'originate' in m)
        const offered = new Promise<bigint>((resolve) => (offerAt = resolve))
        const t0 = process.hrtime.bigint()
        await acd.setState(AGENT, 'ready')
        const [o, t1] = await Promise.all([withTimeout(originated, 5000), withTimeout(offered, 5000)])
        if (o) agentLat.push(Number(BigInt(o.originate.at) - t0) / 1e6)
        if (t1) offerLat.push(Number(t1 - t0) / 1e6)
        // the busy phone: the call goes back, the agent becomes 未应答 (not-ready)
        await until(async () => (await acd.status(AGENT)).state === 'not-ready', 5000)
      }
      unsubscribe()
    } finally {
      await gw.close()
      undo()
    }

    for (const rate of RATES) {
      const g = gateway.get(rate)!
      const b = base.get(rate)!
      const gs = summary(g.latencies)
      const bs = summary(b.latencies)
      rows.push({ name: `first event -> first command p50, ${rate} calls/s`, value: gs.p50, unit: 'ms', baseline: 'bare modesl p50', baselineValue: bs.p50 })
      rows.push({ name: `first event -> first command p99, ${rate} calls/s`, value: gs.p99, unit: 'ms', baseline: 'bare modesl p99', baselineValue: bs.p99 })
      const n = summary(baseNoDelay.get(rate)!.latencies)
      rows.push({ name: `  bare modesl, Nagle off, p50 / p99 at ${rate}/s`, value: n.p50, unit: 'ms', baseline: 'p99', baselineValue: n.p99 })
      rows.push({ name: `  calls measured (no first command in 8 s), ${rate}/s`, value: gs.count, unit: 'calls', baseline: 'bare modesl', baselineValue: bs.count })
      const other = Object.entries(g.firstVerbs).filter(([v]) => v !== 'api sched_del').reduce((s, [, n]) => s + n, 0)
      if (g.missing || b.missing || other) {
        rows.push({ name: `  first command not sched_del (${rate}/s): ${other}; none in 8 s: ${g.missing} (bare ${b.missing})`, value: other + g.missing, unit: 'calls' })
      }
    }
    const a = summary(agentLat)
    const o = summary(offerLat)
    rows.push({ name: `agent ready -> originate at the peer p50 (${waiting} waiting)`, value: a.p50, unit: 'ms', baseline: 'setState -> ACD offer event p50', baselineValue: o.p50 })
    rows.push({ name: `agent ready -> originate at the peer p99 (${AGENT_SAMPLES} samples)`, value: a.p99, unit: 'ms', baseline: 'setState -> ACD offer event p99', baselineValue: o.p99 })
    rows.push({ name: 'callers waiting with music at the end', value: waiting, unit: 'calls' })
    rows.push({ name: 'event-socket reconnects during the run', value: reconnects, unit: '' })
    if (WHAT_IF_NO_DELAY) rows.push({ name: 'WHAT-IF run: gateway event socket with setNoDelay(true)', value: 1, unit: '' })
    return rows
  } finally {
    peer.stop()
  }
}

async function waitingCalls(peer: ChildClients, want: number, ms: number): Promise<number> {
  const end = Date.now() + ms
  let n = 0
  while (Date.now() < end) {
    n = (await peer.ask<{ counted: { waitingWithMusic: number } }>({ count: true }, 'counted')).counted.waitingWithMusic
    if (n >= want) break
    await sleep(200)
  }
  return n
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const r = await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  clearTimeout(timer)
  return r
}

async function until(fn: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out waiting for the agent to become 未应答')
    await sleep(10)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(title, await run())
  process.exit(0)
}
