/**
 * The voice path against a REAL FreeSWITCH (the project's config/freeswitch) with sipp callers at a
 * fixed rate, everything on 127.0.0.1 and sharing this machine's cores: FreeSWITCH, sipp, Redis, the
 * gateway (in its own process, bench/voice-real/gateway-child.ts, so its CPU is its own) and this
 * harness. The default IVR flow (answer, the 7 s welcome, queue) and the production waiting settings
 * (position every 30 s, call-back offer at 60 s); no agent ready, so callers wait with music.
 *   1. preload: PRELOAD callers (20/s, each from its own number, sending a tone as RTP) who wait with
 *      music until the end: the hundreds waiting;
 *   2. quiet window (6 s): what the waiting callers cost FreeSWITCH, the gateway, Redis and sipp;
 *   3. rate steps (5, 10, 20, 30, 40, 60, 80, 120, 160 calls/s): each rate held STEP_SECONDS (8 s;
 *      sipp -r <rate> -m <rate x 8>), each caller hanging up 5 s after the greeting ends (they reached
 *      the queue and heard music), while the preload keeps waiting. A step is SUSTAINED when sipp counts
 *      no failed call, every call is answered (sipp: INVITE -> 200 OK, p99) within 5 s and every call
 *      reaches the queue (the gateway's hold-music sendmsg) within greeting + 5 s of its CHANNEL_PARK.
 *      Stepping stops after the first step that is not; the highest sustained rate is the one before.
 *      Per step: the gateway's first event -> first command (t0 = the socket chunk that completed the
 *      call's CHANNEL_PARK reached the gateway's JS, so modesl's parse is inside; t1 = the first command
 *      naming the call written to the socket: `api sched_del`, after the claim in Redis), beside a
 *      bare modesl `api status` round trip to the same FreeSWITCH every 50 ms during the same step;
 *      CPU (user+sys, all threads, /proc/<pid>/stat) of the gateway, FreeSWITCH, Redis and sipp over
 *      the step, per call of the step.
 *   4. agent free -> originate, with the preload waiting: AGENT_SAMPLES times acd.setState('1001',
 *      'ready') -> the agent leg's `bgapi originate` written to the socket; baseline: setState -> the
 *      ACD's offer event (the ACD alone). 1001's phone is not registered: FreeSWITCH refuses the
 *      originate at once, the caller keeps their place, 1001 goes 未应答 and is made ready again.
 * No FreeSWITCH binary (or no sipp / espeak-ng / sox): no rows, one line saying why.
 * Knobs: VOICE_REAL_RATES=5,10,20 VOICE_REAL_PRELOAD=300 VOICE_REAL_STEP_SECONDS=8 VOICE_REAL_AUDIO=0
 * (silent callers) VOICE_REAL_LOG_LEVEL=info (default warn) VOICE_REAL_LOG=1 (gateway log on stderr)
 * VOICE_REAL_PROFILE=<dir> (the gateway process writes a .cpuprofile there).
 * Run alone: npx tsx bench/voice-real.bench.ts (Redis at REDIS_URL), or npm run bench -- voice-real
 */
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import { promptMs, realSuiteSkipReason } from '../test/real/helpers/freeswitch.ts'
import { Latencies } from './lib/latency.ts'
import { REDIS_URL } from './lib/machine.ts'
import { printTable, type BenchRow } from './row.ts'
import { Callers, type CallerRun } from './voice-real/callers.ts'
import { endedChildrenCpuSeconds, machineCpuSeconds, processCpuSeconds, runQueueWaitSeconds, schedulingOf, startBenchFreeswitch, Teardowns, type BenchFreeswitch } from './voice-real/freeswitch.ts'
import { GatewayProcess, type Snapshot } from './voice-real/gateway-process.ts'

export const title = 'voice (real FreeSWITCH + sipp): sustained call rate, first event -> first command, agent free -> originate, CPU per call'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const RATES = (process.env.VOICE_REAL_RATES ?? '5,10,20,30,40,60,80,120,160').split(',').filter(Boolean).map(Number)
const PRELOAD = num(process.env.VOICE_REAL_PRELOAD, 300)
const PRELOAD_RATE = 20
/** Each rate is held this long: rate x STEP_SECONDS calls. */
const STEP_SECONDS = num(process.env.VOICE_REAL_STEP_SECONDS, 8)
/** A step's callers hang up this long after the greeting ends (they reached the queue and heard music). */
const MUSIC_MS = 5000
const AUDIO = process.env.VOICE_REAL_AUDIO !== '0'
const AGENT = '1001'
const AGENT_SAMPLES = 40
/** A call must be answered within this of its INVITE and reach the queue within greeting + this. */
const SLACK_MS = 5000
const RTP_PORTS = 4000
/** VOICE_REAL_FS_NORMAL_PRIORITY=1: what-if, FreeSWITCH with -np (SCHED_OTHER) instead of its own real-time default. */
const FS_NORMAL_PRIORITY = process.env.VOICE_REAL_FS_NORMAL_PRIORITY === '1'

interface Cpu {
  at: bigint
  gateway: number
  fs: number
  redis: number
  sipp: number
  busy: number
  /** the gateway's main thread: seconds waited on a run queue for a CPU */
  gwRunWait: number
}

interface Step {
  rate: number
  placed: number
  failed: number
  failures: Record<string, number>
  retransmissions: number
  answered: number[]
  parks: number
  inQueue: number
  first: number[]
  firstVerbs: Record<string, number>
  statusRtt: number[]
  gatewayCpu: number
  fsCpu: number
  redisCpu: number
  sippCpu: number
  runWait: number
  busy: number
  seconds: number
  peakWaiting: number
  reconnects: number
  lag: Snapshot['lag']
  stall: Snapshot['stall']
  sustained: boolean
  why: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pct = (xs: number[]) => {
  const l = new Latencies()
  for (const x of xs) l.add(x)
  return l.summary()
}

export async function run(): Promise<BenchRow[]> {
  const skip = realSuiteSkipReason()
  if (skip) {
    process.stdout.write(`voice-real: skipped, ${skip}\n`)
    return []
  }
  const t = new Teardowns()
  const rows: BenchRow[] = []
  const load = os.loadavg()[0]
  const started = Date.now()
  try {
    const fs = await startBenchFreeswitch(t, RTP_PORTS, { normalPriority: FS_NORMAL_PRIORITY })
    const sched = schedulingOf(fs.pid)
    let fsThreadsMax = sched?.threads ?? 0
    const threadWatch = setInterval(() => (fsThreadsMax = Math.max(fsThreadsMax, schedulingOf(fs.pid)?.threads ?? 0)), 500)
    t.teardown(() => clearInterval(threadWatch))
    const greetingMs = promptMs(fs.promptsDir, 'welcome')
    const redisPid = await redisProcessId()
    const gw = new GatewayProcess()
    t.teardown(() => gw.stop())
    await gw.start({
      host: '127.0.0.1',
      port: fs.ports.esl,
      password: fs.eslPassword,
      promptsDir: fs.promptsDir,
      recordingsDir: fs.recordingsDir,
      redisUrl: REDIS_URL,
      logLevel: process.env.VOICE_REAL_LOG_LEVEL ?? 'warn',
      logToStderr: process.env.VOICE_REAL_LOG === '1',
    })
    const callers = new Callers(t, fs.ports.carrier)
    let preloadPid: number | undefined
    let preloadLast = 0
    const cpu = (): Cpu => {
      preloadLast = (preloadPid && processCpuSeconds(preloadPid)) || preloadLast
      return {
        at: process.hrtime.bigint(),
        gateway: processCpuSeconds(gw.pid) ?? Number.NaN,
        fs: processCpuSeconds(fs.pid) ?? Number.NaN,
        redis: redisPid ? (processCpuSeconds(redisPid) ?? Number.NaN) : Number.NaN,
        // the preload's sipp while it lives, plus every sipp of a finished step (reaped children)
        sipp: preloadLast + endedChildrenCpuSeconds(),
        busy: machineCpuSeconds().busy,
        gwRunWait: runQueueWaitSeconds(gw.pid) ?? Number.NaN,
      }
    }

    // ---- idle baseline: api status round trips, nothing else running
    const idleRtt: number[] = []
    for (let i = 0; i < 100; i++) idleRtt.push(await fs.control.statusRtt())

    // ---- preload: callers who wait with music until the end
    const c0 = cpu()
    const w0 = (await gw.count()).wire
    const preload = await callers.start('preload', { rate: PRELOAD_RATE, count: PRELOAD, audio: AUDIO })
    preloadPid = preload.process.pid
    const preloadDeadline = Date.now() + (PRELOAD / PRELOAD_RATE) * 1000 + greetingMs + 30_000
    let counted = await gw.count()
    while (counted.waiting < PRELOAD && Date.now() < preloadDeadline && preload.process.exitCode === null) {
      await sleep(500)
      counted = await gw.count()
    }
    const preloadSeconds = (Date.now() - started) / 1000
    const preloadStats = preload.stats()
    const c1 = cpu()
    const preloadSnap = await gw.snapshot()
    const preloadFirst = preloadSnap.calls.filter((c) => c.firstMs !== undefined).map((c) => c.firstMs!)
    const waitingAfterPreload = counted.waiting
    if (counted.waiting < PRELOAD) process.stderr.write(`voice-real: only ${counted.waiting} of ${PRELOAD} preload callers waiting with music\n${preload.dump()}\n`)

    // ---- quiet window: what the waiting callers cost with no new call
    await sleep(2000)
    const q0 = cpu()
    await sleep(6000)
    const q1 = cpu()
    const quietSeconds = Number(q1.at - q0.at) / 1e9

    // ---- rate steps
    const quiet = { gw: (q1.gateway - q0.gateway) / quietSeconds, fs: (q1.fs - q0.fs) / quietSeconds }
    const steps: Step[] = []
    for (const rate of RATES) {
      const step = await runStep(rate, { gw, fs, callers, cpu, greetingMs, preloadWaiting: waitingAfterPreload })
      steps.push(step)
      process.stderr.write(`voice-real: ${rate}/s ${step.sustained ? 'sustained' : `NOT sustained (${step.why})`}\n`)
      if (!step.sustained) {
        // let FreeSWITCH and the gateway drain the failed step before the agent samples
        await settle(fs, waitingAfterPreload)
        break
      }
      await sleep(1000)
    }
    const c2 = cpu()
    const w2 = (await gw.count()).wire

    // ---- agent free -> originate, with the preload waiting
    const waitingForAgent = (await gw.count()).waiting
    const agent = await gw.agent(AGENT, AGENT_SAMPLES)
    const end = await gw.count()
    const finalLag = (await gw.snapshot()).lag

    // ---- rows
    const idle = pct(idleRtt)
    rows.push({ name: 'bare modesl `api status` round trip p50, idle', value: idle.p50, unit: 'ms', baseline: 'p99', baselineValue: idle.p99 })
    const pre = pct(preloadFirst)
    rows.push({ name: `preload ${PRELOAD} callers at ${PRELOAD_RATE}/s: first event -> first command p50`, value: pre.p50, unit: 'ms', baseline: 'p99', baselineValue: pre.p99 })
    rows.push({ name: `  preload: waiting with music / sipp failed`, value: waitingAfterPreload, unit: 'calls', baseline: `failed ${preloadStats?.failed ?? '?'}; placed`, baselineValue: PRELOAD })
    const preCalls = PRELOAD
    rows.push({ name: '  preload: gateway CPU per call', value: ((c1.gateway - c0.gateway) / preCalls) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call', baselineValue: ((c1.fs - c0.fs) / preCalls) * 1e6 })
    rows.push({ name: `quiet ${quietSeconds.toFixed(0)} s, ${waitingAfterPreload} waiting: gateway CPU`, value: ((q1.gateway - q0.gateway) / quietSeconds) * 100, unit: '% core', baseline: 'FreeSWITCH % core', baselineValue: ((q1.fs - q0.fs) / quietSeconds) * 100 })
    rows.push({ name: `  quiet: Redis CPU`, value: ((q1.redis - q0.redis) / quietSeconds) * 100, unit: '% core', baseline: 'machine busy, % of one core', baselineValue: ((q1.busy - q0.busy) / quietSeconds) * 100 })
    rows.push({ name: `  quiet: sipp (callers' side) CPU`, value: ((q1.sipp - q0.sipp) / quietSeconds) * 100, unit: '% core', baseline: 'machine busy, % of one core', baselineValue: ((q1.busy - q0.busy) / quietSeconds) * 100 })

    for (const s of steps) {
      const f = pct(s.first)
      const r = pct(s.statusRtt)
      const a = pct(s.answered)
      const tag = `${s.rate}/s for ${STEP_SECONDS} s (${s.placed} calls, ${waitingAfterPreload} + up to ${s.peakWaiting} waiting)`
      rows.push({ name: `${tag}: ${s.sustained ? 'SUSTAINED' : 'NOT SUSTAINED'}`, value: s.failed, unit: 'failed', baseline: 'placed', baselineValue: s.placed })
      if (!s.sustained) rows.push({ name: `  ${s.rate}/s: why: ${s.why}`, value: s.placed - s.inQueue, unit: 'calls late', baseline: 'placed', baselineValue: s.placed })
      if (s.reconnects) rows.push({ name: `  ${s.rate}/s: gateway event-socket reconnects (health probe unanswered)`, value: s.reconnects, unit: '' })
      rows.push({ name: `  ${s.rate}/s: reached the queue within greeting + ${SLACK_MS / 1000} s`, value: s.inQueue, unit: 'calls', baseline: 'CHANNEL_PARKs seen', baselineValue: s.parks })
      rows.push({ name: `  ${s.rate}/s: INVITE -> 200 OK (answer) p50 (sipp)`, value: a.p50, unit: 'ms', baseline: 'p99', baselineValue: a.p99 })
      rows.push({ name: `  ${s.rate}/s: first event -> first command p50`, value: f.p50, unit: 'ms', baseline: 'api status round trip p50, same step', baselineValue: r.p50 })
      rows.push({ name: `  ${s.rate}/s: first event -> first command p99`, value: f.p99, unit: 'ms', baseline: 'api status round trip p99, same step', baselineValue: r.p99 })
      rows.push({ name: `  ${s.rate}/s: gateway CPU per call`, value: (s.gatewayCpu / s.placed) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call (target <= 0.25x)', baselineValue: (s.fsCpu / s.placed) * 1e6 })
      rows.push({
        name: `  ${s.rate}/s: gateway CPU per call above the quiet window's rate`,
        value: ((s.gatewayCpu - quiet.gw * s.seconds) / s.placed) * 1e6,
        unit: 'µs',
        baseline: 'FreeSWITCH, same (its own greeting and music left in)',
        baselineValue: ((s.fsCpu - quiet.fs * s.seconds) / s.placed) * 1e6,
      })
      rows.push({ name: `  ${s.rate}/s: Redis CPU per call`, value: (s.redisCpu / s.placed) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call', baselineValue: (s.fsCpu / s.placed) * 1e6 })
      rows.push({ name: `  ${s.rate}/s: FreeSWITCH CPU over the step (${s.seconds.toFixed(0)} s)`, value: (s.fsCpu / s.seconds) * 100, unit: '% core', baseline: 'machine busy, % of one core (2 cores: 200)', baselineValue: (s.busy / s.seconds) * 100 })
      rows.push({ name: `  ${s.rate}/s: gateway / Redis / sipp CPU over the step`, value: (s.gatewayCpu / s.seconds) * 100, unit: '% core', baseline: `Redis ${((s.redisCpu / s.seconds) * 100).toFixed(1)}; sipp`, baselineValue: (s.sippCpu / s.seconds) * 100 })
      const rest = s.busy - s.fsCpu - s.gatewayCpu - s.redisCpu - s.sippCpu
      rows.push({ name: `  ${s.rate}/s: rest of the machine's busy CPU (kernel softirq for loopback RTP, the harness, other jobs)`, value: (rest / s.seconds) * 100, unit: '% core' })
      rows.push({ name: `  ${s.rate}/s: gateway event-loop delay p99`, value: s.lag.p99, unit: 'ms', baseline: 'max', baselineValue: s.lag.max })
      rows.push({ name: `  ${s.rate}/s: gateway's worst stall (20 ms timer gap) / its CPU in that gap`, value: s.stall.wallMs, unit: 'ms', baseline: 'process CPU used in it, ms', baselineValue: s.stall.cpuMs })
      rows.push({ name: `  ${s.rate}/s: gateway main thread waiting for a CPU (run queue)`, value: (s.runWait / s.seconds) * 100, unit: '% of step', baseline: 'its CPU, % of the step', baselineValue: (s.gatewayCpu / s.seconds) * 100 })
      if (s.retransmissions) rows.push({ name: `  ${s.rate}/s: sipp retransmissions`, value: s.retransmissions, unit: 'messages' })
      const other = Object.entries(s.firstVerbs).filter(([v]) => v !== 'api sched_del')
      if (other.length) rows.push({ name: `  ${s.rate}/s: first command not sched_del: ${other.map(([v, n]) => `${v} x${n}`).join(', ')}`, value: other.reduce((x, [, n]) => x + n, 0), unit: 'calls' })
    }
    const sustained = steps.filter((s) => s.sustained)
    const best = sustained.at(-1)
    const firstFail = steps.find((s) => !s.sustained)
    rows.push({
      name: best ? `HIGHEST SUSTAINED CALL RATE${firstFail ? ` (${firstFail.rate}/s was not)` : ' (every rate tried)'}` : 'HIGHEST SUSTAINED CALL RATE: none of the rates tried',
      value: best?.rate ?? 0,
      unit: 'calls/s',
      baseline: 'highest rate tried',
      baselineValue: steps.at(-1)?.rate ?? 0,
    })
    if (best) {
      const f = pct(best.first)
      const r = pct(best.statusRtt)
      rows.push({ name: `first event -> first command p50 at ${best.rate}/s`, value: f.p50, unit: 'ms', baseline: 'api status round trip p50', baselineValue: r.p50 })
      rows.push({ name: `first event -> first command p99 at ${best.rate}/s`, value: f.p99, unit: 'ms', baseline: 'api status round trip p99', baselineValue: r.p99 })
    }
    const o = pct(agent.originateMs)
    const off = pct(agent.offerMs)
    rows.push({ name: `agent ready -> originate written p50 (${waitingForAgent} waiting)`, value: o.p50, unit: 'ms', baseline: 'setState -> ACD offer event p50', baselineValue: off.p50 })
    rows.push({ name: `agent ready -> originate written p99 (${agent.originateMs.length} samples, ${agent.misses} missed${agent.stuck ? ', STOPPED: agent not 未应答 20 s after a refused originate' : ''})`, value: o.p99, unit: 'ms', baseline: 'setState -> ACD offer event p99', baselineValue: off.p99 })
    for (const m of agent.missed) {
      rows.push({ name: `  offer that rang no phone: appeal ${m.appealId} (${m.status ?? '?'}, call ${m.callId ?? '?'} ${m.mode ?? ''}; FreeSWITCH uuid_exists ${m.fsChannel ?? '?'}; music seen ${m.musicSeen}, hang-up seen ${m.hungUpSeen})`, value: 1, unit: '' })
    }
    const allCalls = PRELOAD + steps.reduce((n, s) => n + s.placed, 0)
    rows.push({
      name: `WHOLE RUN (${allCalls} calls, ${(Number(c2.at - c0.at) / 1e9).toFixed(0)} s): gateway CPU per call`,
      value: ((c2.gateway - c0.gateway) / allCalls) * 1e6,
      unit: 'µs',
      baseline: 'FreeSWITCH CPU per call (target <= 0.25x)',
      baselineValue: ((c2.fs - c0.fs) / allCalls) * 1e6,
    })
    rows.push({ name: '  whole run: Redis CPU per call', value: ((c2.redis - c0.redis) / allCalls) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call', baselineValue: ((c2.fs - c0.fs) / allCalls) * 1e6 })
    rows.push({ name: '  whole run: sipp (callers) CPU per call', value: ((c2.sipp - c0.sipp) / allCalls) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call', baselineValue: ((c2.fs - c0.fs) / allCalls) * 1e6 })
    const rest = c2.busy - c0.busy - (c2.fs - c0.fs) - (c2.gateway - c0.gateway) - (c2.redis - c0.redis) - (c2.sipp - c0.sipp)
    rows.push({ name: '  whole run: rest of the busy CPU (kernel, harness, other jobs) per call', value: (rest / allCalls) * 1e6, unit: 'µs', baseline: 'FreeSWITCH CPU per call', baselineValue: ((c2.fs - c0.fs) / allCalls) * 1e6 })
    rows.push({ name: '  whole run: machine busy', value: ((c2.busy - c0.busy) / (Number(c2.at - c0.at) / 1e9)) * 100, unit: '% core', baseline: 'cores x 100', baselineValue: os.availableParallelism() * 100 })
    const events = Object.entries(w2.events).map(([k, v]) => [k, v - (w0.events[k] ?? 0)] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
    const nEvents = events.reduce((x, [, v]) => x + v, 0)
    rows.push({ name: `event socket, whole run: events received per call`, value: nEvents / allCalls, unit: 'events', baseline: 'commands written per call', baselineValue: (w2.commands - w0.commands) / allCalls })
    rows.push({ name: `  of which: ${events.slice(0, 5).map(([k, v]) => `${k} ${(v / allCalls).toFixed(1)}`).join(', ')}`, value: events.slice(0, 5).reduce((x, [, v]) => x + v, 0) / allCalls, unit: 'events' })
    rows.push({ name: '  bytes received per call', value: (w2.bytesIn - w0.bytesIn) / allCalls, unit: 'B', baseline: 'bytes per event', baselineValue: (w2.bytesIn - w0.bytesIn) / Math.max(1, nEvents) })
    rows.push({ name: '  socket writes per command (modesl writes line, headers, blank line apart)', value: (w2.writes - w0.writes) / Math.max(1, w2.commands - w0.commands), unit: 'writes' })
    rows.push({ name: 'gateway event-loop delay p99 during the agent samples', value: finalLag.p99, unit: 'ms', baseline: 'max', baselineValue: finalLag.max })
    rows.push({ name: 'event-socket reconnects during the run', value: end.reconnects, unit: '' })
    rows.push({ name: `FreeSWITCH scheduling: ${sched?.policy ?? '?'}${FS_NORMAL_PRIORITY ? ' (WHAT-IF: started with -np)' : ' (its own default: no priority flag)'}; threads, most seen`, value: fsThreadsMax, unit: 'threads' })
    rows.push({ name: `caller audio (sipp rtp_stream): ${AUDIO ? 'on' : 'off'}; greeting ${(greetingMs / 1000).toFixed(1)} s`, value: AUDIO ? 1 : 0, unit: '' })
    rows.push({ name: 'machine load average at start (1 min)', value: load, unit: '', baseline: 'CPUs', baselineValue: os.availableParallelism() })
    rows.push({ name: 'preload phase, s', value: preloadSeconds, unit: 's' })
    return rows
  } finally {
    await t.run()
  }
}

async function runStep(
  rate: number,
  o: { gw: GatewayProcess; fs: BenchFreeswitch; callers: Callers; cpu: () => Cpu; greetingMs: number; preloadWaiting: number },
): Promise<Step> {
  const holdMs = o.greetingMs + MUSIC_MS
  const count = Math.round(rate * STEP_SECONDS)
  const c0 = o.cpu()
  const reconnects0 = (await o.gw.count()).reconnects
  const run: CallerRun = await o.callers.start(`step-${rate}`, { rate, count, holdMs, audio: AUDIO })
  // the baseline under the same load: a bare api status every 50 ms while the step runs
  const statusRtt: number[] = []
  let running = true
  let peakWaiting = 0
  const pinger = (async () => {
    for (let i = 0; running; i++) {
      statusRtt.push(await o.fs.control.statusRtt())
      await sleep(50)
      if (i % 10 === 0) peakWaiting = Math.max(peakWaiting, (await o.gw.count()).waiting)
    }
  })()
  const limit = STEP_SECONDS * 1000 + holdMs + 45_000
  const code = await Promise.race([run.exited, sleep(limit).then(() => 'timeout' as const)])
  if (code === 'timeout') await run.kill()
  await sleep(1000) // hang-ups and abandons of the last calls
  running = false
  await pinger
  const c1 = o.cpu()
  const snap = await o.gw.snapshot()
  const reconnects = (await o.gw.count()).reconnects - reconnects0
  const mine = snap.calls.filter((c) => BigInt(c.park) >= c0.at && BigInt(c.park) <= c1.at)
  const stats = run.stats()
  const answered = run.answerTimes()
  const firstVerbs: Record<string, number> = {}
  for (const c of mine) if (c.firstVerb) firstVerbs[c.firstVerb] = (firstVerbs[c.firstVerb] ?? 0) + 1
  const inQueue = mine.filter((c) => c.musicMs !== undefined && c.musicMs <= o.greetingMs + SLACK_MS).length
  const placed = stats?.outgoing ?? count
  const failed = stats ? stats.failed : count
  const a99 = pct(answered).p99
  const why = [
    code === 'timeout' ? 'sipp did not finish' : '',
    failed > 0 ? `${failed} failed (${Object.entries(stats?.failures ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')})` : '',
    inQueue < placed ? `${placed - inQueue} not in the queue in time` : '',
    answered.length < placed ? `${placed - answered.length} not answered` : '',
    a99 > SLACK_MS ? `answer p99 ${a99.toFixed(0)} ms` : '',
  ].filter(Boolean)
  if (why.length) process.stderr.write(`voice-real: step ${rate}/s: ${why.join('; ')}\n${run.dump()}\n`)
  return {
    rate,
    placed,
    failed,
    failures: stats?.failures ?? {},
    retransmissions: stats?.retransmissions ?? 0,
    answered,
    parks: mine.length,
    inQueue,
    first: mine.filter((c) => c.firstMs !== undefined).map((c) => c.firstMs!),
    firstVerbs,
    statusRtt,
    gatewayCpu: c1.gateway - c0.gateway,
    fsCpu: c1.fs - c0.fs,
    redisCpu: c1.redis - c0.redis,
    sippCpu: c1.sipp - c0.sipp,
    runWait: c1.gwRunWait - c0.gwRunWait,
    busy: c1.busy - c0.busy,
    seconds: Number(c1.at - c0.at) / 1e9,
    peakWaiting: Math.max(0, peakWaiting - o.preloadWaiting),
    reconnects,
    lag: snap.lag,
    stall: snap.stall,
    sustained: why.length === 0,
    why: why.join('; '),
  }
}

/** Waits (up to 60 s) until FreeSWITCH has no more channels than the preload's callers (+10), then 3 s. */
async function settle(fs: BenchFreeswitch, preload: number): Promise<void> {
  const end = Date.now() + 60_000
  while (Date.now() < end) {
    const n = Number(/(\d+)\s+total/.exec(await fs.control.api('show channels count'))?.[1] ?? Number.NaN)
    if (!(n > preload + 10)) break
    await sleep(1000)
  }
  await sleep(3000)
}

/** Redis's pid when it runs on this machine (its CPU is read from /proc); undefined otherwise. */
async function redisProcessId(): Promise<number | undefined> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await r.connect()
    const pid = Number(/process_id:(\d+)/.exec(await r.info('server'))?.[1])
    return pid && processCpuSeconds(pid) !== undefined ? pid : undefined
  } catch {
    return undefined
  } finally {
    r.disconnect()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(title, await run())
  process.exit(0)
}
