/**
 * The SIP edge (gateway/telephony/sip: drachtio-srf B2BUA) against REAL servers: a real
 * drachtio-server (config/drachtio) in front of a real FreeSWITCH (config/freeswitch), sipp as the
 * carrier on the carrier trunk's source address (127.0.0.3), everything on 127.0.0.1 and sharing this
 * machine's cores. The edge runs alone (createSipEdge, no Redis, no voice side) in THIS process, at the
 * production log level (info) into a null stream; its trunk limits and the per-source limit are
 * raised so they do not cap the bench. FreeSWITCH parks every call without answering it (the gateway
 * answers over the event socket): a separate answerer process does only that (`sendmsg execute
 * answer` on CHANNEL_PARK). Each call: INVITE -> 200 -> ACK, 1 s, BYE from sipp.
 * Per rate (20, 50, 100, 150, 200, 250 calls/s; each held STEP_SECONDS = 8 s; one sipp per step) three
 * steps, one app connected to drachtio-server at a time, in this process:
 *   edge   sipp -> drachtio-server -> the SIP edge (B2BUA) -> FreeSWITCH
 *   b2bua  sipp -> drachtio-server -> a bare srf.createB2BUA app -> FreeSWITCH  (the baseline)
 *   proxy  sipp -> drachtio-server -> a bare srf.proxyRequest app (record-route) -> FreeSWITCH
 * (order edge in the middle, baselines alternating before and after it). Figures: calls answered /
 * failed (sipp), INVITE -> 200 OK p50 / p99 as sipp sees it (-trace_rtt), the time the edge adds
 * (edge minus bare B2BUA), CPU per call of this process (process.cpuUsage: the edge, or the bare
 * app), drachtio-server, FreeSWITCH, the answerer and sipp (/proc/<pid>/stat). A rate is SUSTAINED
 * when sipp counts every call successful (no failed call); stepping stops after the first rate the
 * edge does not sustain; the highest sustained rate is the one before.
 * Registrations are not measured: REGISTER never goes through the edge (403 for everyone; phones
 * register to FreeSWITCH's agents profile).
 * No drachtio-server or FreeSWITCH binary (or no sipp / espeak-ng / sox): no rows, one line saying why.
 * Knobs: SIP_EDGE_RATES=20,50 SIP_EDGE_STEP_SECONDS=8 SIP_EDGE_HOLD_MS=1000 SIP_EDGE_LOG_LEVEL=info
 * Run alone: npx tsx bench/sip-edge.bench.ts, or npm run bench -- sip-edge
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pino from 'pino'
import { loadConfig, type DeepPartial } from '../config/load.ts'
import type { Config } from '../config/schema.ts'
import type { TrunkConfig } from '../config/sip-schema.ts'
import { createSipEdge, type SipEdgeHandle } from '../gateway/telephony/sip/create-sip-edge.ts'
import { drachtioSkipReason } from '../test/real/helpers/drachtio.ts'
import { realSuiteSkipReason } from '../test/real/helpers/freeswitch.ts'
import { Latencies } from './lib/latency.ts'
import { printTable, type BenchRow } from './row.ts'
import { startBareApp, type BareKind } from './sip-edge/bare-apps.ts'
import { hopTimes, logOffset, readFrom, type HopTimes } from './sip-edge/drachtio-log.ts'
import { Esl } from './sip-edge/esl.ts'
import { endedChildrenCpuSeconds, machineCpuSeconds, processCpuSeconds, startDrachtio, startFreeswitch, Teardowns } from './sip-edge/servers.ts'
import { startUac, type SippStats } from './sip-edge/uac.ts'

export const title = 'SIP edge (real drachtio-server + FreeSWITCH, sipp): calls/s, INVITE -> 200 the edge adds, CPU per call'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const RATES = (process.env.SIP_EDGE_RATES ?? '20,50,100,150,200,250').split(',').filter(Boolean).map(Number)
const STEP_SECONDS = num(process.env.SIP_EDGE_STEP_SECONDS, 8)
const HOLD_MS = num(process.env.SIP_EDGE_HOLD_MS, 1000)
const WARMUP_SECONDS = 3
/** A rate where calls are answered, but only seconds later, is not one to run at: the second 'highest rate' also asks this. */
const FAST_P99_MS = 500
const LOG_LEVEL = (process.env.SIP_EDGE_LOG_LEVEL ?? 'info') as pino.Level
const CARRIER_IP = '127.0.0.3'
const RTP_PORTS = 1600

type Mode = 'edge' | BareKind

interface Step {
  mode: Mode
  rate: number
  stats: SippStats
  exit: number | null
  seconds: number
  answer: { count: number; p50: number; p99: number; max: number }
  /** drachtio-server + app time per call from drachtio's log (µs clock) */
  hop: Summary
  inbound: Summary
  outbound: Summary
  media: Summary
  /** CPU seconds over the step */
  self: number
  drachtio: number
  fs: number
  answerer: number
  sipp: number
  busy: number
  /** 1-minute load average at the end of the step */
  load: number
  sustained: boolean
  refused?: Record<string, number>
}

type Summary = ReturnType<Latencies['summary']>

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const summary = (xs: number[]): Summary => {
  const l = new Latencies()
  for (const x of xs) l.add(x)
  return l.summary()
}

export async function run(): Promise<BenchRow[]> {
  const skip = drachtioSkipReason() ?? realSuiteSkipReason()
  if (skip) {
    process.stdout.write(`sip-edge: skipped, ${skip}\n`)
    return []
  }
  const t = new Teardowns()
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-bench-edge-'))
  if (!process.env.REAL_KEEP_TMP) t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const loadStart = os.loadavg()[0]
  try {
    const drachtio = await startDrachtio(t, dir)
    const fs = await startFreeswitch(t, RTP_PORTS)
    const control = await Esl.connect(fs.ports.esl, fs.eslPassword)
    t.teardown(() => control.close())
    const answerer = await startAnswerer(t, fs.ports.esl, fs.eslPassword)
    const fsUri = `sip:127.0.0.1:${fs.ports.carrier}`
    const config = edgeConfig(drachtio, fsUri)
    const logger = pino({ level: LOG_LEVEL }, new Writable({ write: (_c, _e, cb) => cb() }))

    const cpu = () => ({
      self: process.cpuUsage(),
      drachtio: processCpuSeconds(drachtio.pid) ?? Number.NaN,
      fs: processCpuSeconds(fs.pid) ?? Number.NaN,
      answerer: processCpuSeconds(answerer.pid!) ?? Number.NaN,
      sipp: endedChildrenCpuSeconds(),
      busy: machineCpuSeconds().busy,
    })

    const runStep = async (mode: Mode, rate: number, stepSeconds = STEP_SECONDS): Promise<Step> => {
      let edge: SipEdgeHandle | undefined
      let bare: Awaited<ReturnType<typeof startBareApp>> | undefined
      if (mode === 'edge') {
        edge = await createSipEdge(config, logger, { waitMs: 5000 })
        if (edge?.link.state !== 'connected') throw new Error(`the edge did not connect to drachtio-server:\n${drachtio.logTail()}`)
      } else {
        bare = await startBareApp(mode, { host: '127.0.0.1', port: drachtio.adminPort, secret: drachtio.secret, target: fsUri })
      }
      try {
        await sleep(1200) // the edge's first OPTIONS rounds; the app's connection settles
        global.gc?.()
        const logFrom = logOffset(drachtio.logFile)
        const c0 = cpu()
        const t0 = process.hrtime.bigint()
        const uac = await startUac(join(dir, `${mode}-${rate}`), {
          ip: CARRIER_IP,
          target: `127.0.0.1:${drachtio.sipPort}`,
          rate,
          count: rate * stepSeconds,
          holdMs: HOLD_MS,
          dial: '12345',
        })
        const exit = await uac.exited
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9
        const c1 = cpu()
        const stats = uac.stats()
        if (!stats) throw new Error(`sipp wrote no statistics (${mode} ${rate}/s, exit ${exit}):\n${uac.dump()}`)
        const hops: HopTimes = hopTimes(readFrom(drachtio.logFile, logFrom), { carrierIp: CARRIER_IP, mediaPort: fs.ports.carrier })
        const sustained = exit === 0 && stats.failed === 0 && stats.successful === rate * stepSeconds
        if (!sustained) process.stderr.write(`sip-edge: ${mode} ${rate}/s: ${stats.successful} ok, ${stats.failed} failed ${JSON.stringify(stats.failures)}, exit ${exit}\n${uac.dump().slice(-1500)}\n`)
        return {
          mode,
          rate,
          stats,
          exit,
          seconds,
          answer: summary(uac.answerTimes()),
          hop: summary(hops.hop),
          inbound: summary(hops.inbound),
          outbound: summary(hops.outbound),
          media: summary(hops.media),
          self: (c1.self.user - c0.self.user + c1.self.system - c0.self.system) / 1e6,
          drachtio: c1.drachtio - c0.drachtio,
          fs: c1.fs - c0.fs,
          answerer: c1.answerer - c0.answerer,
          sipp: c1.sipp - c0.sipp,
          busy: c1.busy - c0.busy,
          load: os.loadavg()[0],
          sustained,
          refused: edge ? { ...edge.edge.counters.refused } : undefined,
        }
      } finally {
        await edge?.close()
        await bare?.close()
        // every call of the step gone from FreeSWITCH before the next step
        const end = Date.now() + 15_000
        let left = ''
        while (Date.now() < end && !/^0 total/m.test((left = await control.api('show channels count')))) await sleep(250)
        if (process.env.SIP_EDGE_DEBUG) process.stderr.write(`sip-edge: after ${mode} ${rate}/s: channels ${left.trim()}\n`)
        await sleep(500)
      }
    }

    // warm-up, not counted: every app's code paths (and drachtio-srf's) compiled before the first step
    for (const mode of ['b2bua', 'edge', 'proxy'] as const) await runStep(mode, 20, WARMUP_SECONDS)

    const steps: Step[] = []
    for (const [i, rate] of RATES.entries()) {
      const order: Mode[] = i % 2 === 0 ? ['b2bua', 'edge', 'proxy'] : ['proxy', 'edge', 'b2bua']
      for (const mode of order) {
        const s = await runStep(mode, rate)
        steps.push(s)
        process.stderr.write(
          `sip-edge: ${mode} ${rate}/s: ${s.stats.successful}/${rate * STEP_SECONDS} ok, ${s.stats.failed} failed, ` +
            `INVITE->200 p50 ${s.answer.p50.toFixed(2)} p99 ${s.answer.p99.toFixed(2)} ms, drachtio+app p50 ${s.hop.p50.toFixed(3)} p99 ${s.hop.p99.toFixed(3)} ms (${s.hop.count} calls), FreeSWITCH p50 ${s.media.p50.toFixed(2)} ms, this process ${us(s.self, s)} µs/call, drachtio ${us(s.drachtio, s)}, FreeSWITCH ${us(s.fs, s)}; busy ${pctOf(s.busy, s).toFixed(0)} %, others ${pctOf(other(s), s).toFixed(0)} %, load ${s.load.toFixed(2)}\n`,
        )
      }
      if (!steps.find((s) => s.mode === 'edge' && s.rate === rate)!.sustained) break
    }
    return rowsOf(steps, loadStart, os.loadavg()[0])
  } finally {
    await t.run()
  }
}

/** CPU µs per call placed in the step. */
function us(cpuSeconds: number, s: Step): number {
  return Math.round((cpuSeconds / Math.max(1, s.stats.outgoing)) * 1e6)
}

/** CPU seconds over the step as % of all cores. */
function pctOf(cpuSeconds: number, s: Step): number {
  return (cpuSeconds / s.seconds / os.availableParallelism()) * 100
}

/** CPU of everything that is not this bench's own processes (other jobs on the machine, the kernel's share). */
function other(s: Step): number {
  return Math.max(0, s.busy - s.self - s.drachtio - s.fs - s.answerer - s.sipp)
}

function rowsOf(steps: Step[], loadStart: number, loadEnd: number): BenchRow[] {
  const rows: BenchRow[] = []
  const at = (mode: Mode, rate: number) => steps.find((s) => s.mode === mode && s.rate === rate)
  const rates = [...new Set(steps.map((s) => s.rate))]
  for (const rate of rates) {
    const e = at('edge', rate)!
    const b = at('b2bua', rate)
    const p = at('proxy', rate)
    const bName = 'bare srf.createB2BUA app'
    rows.push({ name: `${rate}/s offered: edge calls answered /s`, value: e.stats.successful / STEP_SECONDS, unit: 'calls/s', baseline: bName, baselineValue: b ? b.stats.successful / STEP_SECONDS : undefined })
    rows.push({ name: `${rate}/s: edge failed calls`, value: e.stats.failed, unit: 'calls', baseline: bName, baselineValue: b?.stats.failed })
    rows.push({ name: `${rate}/s: edge INVITE->200 p50 (sipp, 1 ms clock)`, value: e.answer.p50, unit: 'ms', baseline: bName, baselineValue: b?.answer.p50 })
    rows.push({ name: `${rate}/s: edge INVITE->200 p99 (sipp, 1 ms clock)`, value: e.answer.p99, unit: 'ms', baseline: bName, baselineValue: b?.answer.p99 })
    rows.push({ name: `${rate}/s: edge drachtio+app time p50 (drachtio log)`, value: e.hop.p50, unit: 'ms', baseline: bName, baselineValue: b?.hop.p50 })
    rows.push({ name: `${rate}/s: edge drachtio+app time p99 (drachtio log)`, value: e.hop.p99, unit: 'ms', baseline: bName, baselineValue: b?.hop.p99 })
    rows.push({ name: `${rate}/s: edge in (INVITE -> B-leg INVITE) p50`, value: e.inbound.p50, unit: 'ms', baseline: bName, baselineValue: b?.inbound.p50 })
    rows.push({ name: `${rate}/s: edge back (B-leg 200 -> 200) p50`, value: e.outbound.p50, unit: 'ms', baseline: bName, baselineValue: b?.outbound.p50 })
    if (b) {
      rows.push({ name: `${rate}/s: time the edge adds p50 / p99 (drachtio log)`, value: e.hop.p50 - b.hop.p50, unit: 'ms', baseline: 'p99', baselineValue: e.hop.p99 - b.hop.p99 })
      rows.push({ name: `${rate}/s: time the edge adds p50 / p99 (sipp)`, value: e.answer.p50 - b.answer.p50, unit: 'ms', baseline: 'p99', baselineValue: e.answer.p99 - b.answer.p99 })
    }
    if (b && p) {
      rows.push({ name: `${rate}/s: bare B2BUA drachtio+app time p50`, value: b.hop.p50, unit: 'ms', baseline: 'bare srf.proxyRequest app', baselineValue: p.hop.p50 })
      rows.push({ name: `${rate}/s: bare B2BUA drachtio+app time p99`, value: b.hop.p99, unit: 'ms', baseline: 'bare srf.proxyRequest app', baselineValue: p.hop.p99 })
      rows.push({ name: `${rate}/s: bare B2BUA INVITE->200 p50 (sipp)`, value: b.answer.p50, unit: 'ms', baseline: 'bare srf.proxyRequest app', baselineValue: p.answer.p50 })
      rows.push({ name: `${rate}/s: proxy failed calls`, value: p.stats.failed, unit: 'calls' })
    }
    rows.push({ name: `${rate}/s: FreeSWITCH + answerer, B-leg INVITE->200 p50 (edge step)`, value: e.media.p50, unit: 'ms', baseline: 'bare B2BUA step', baselineValue: b?.media.p50 })
    rows.push({ name: `${rate}/s: calls paired in drachtio's log (edge step)`, value: e.hop.count, unit: 'calls', baseline: 'placed', baselineValue: e.stats.outgoing })
    rows.push({ name: `${rate}/s: edge process CPU per call`, value: us(e.self, e), unit: 'µs', baseline: 'bare B2BUA app, same process', baselineValue: b ? us(b.self, b) : undefined })
    rows.push({ name: `${rate}/s: edge process CPU per call vs drachtio-server's`, value: us(e.self, e), unit: 'µs', baseline: 'drachtio-server, same step', baselineValue: us(e.drachtio, e) })
    rows.push({ name: `${rate}/s: drachtio-server CPU per call, edge step`, value: us(e.drachtio, e), unit: 'µs', baseline: 'bare B2BUA step', baselineValue: b ? us(b.drachtio, b) : undefined })
    if (p) rows.push({ name: `${rate}/s: drachtio-server CPU per call, proxy step`, value: us(p.drachtio, p), unit: 'µs' })
    rows.push({ name: `${rate}/s: FreeSWITCH CPU per call, edge step`, value: us(e.fs, e), unit: 'µs', baseline: 'bare B2BUA step', baselineValue: b ? us(b.fs, b) : undefined })
    rows.push({ name: `${rate}/s: answerer / sipp CPU per call, edge step`, value: us(e.answerer, e), unit: 'µs', baseline: 'sipp', baselineValue: us(e.sipp, e) })
    rows.push({ name: `${rate}/s: machine busy, edge step`, value: pctOf(e.busy, e), unit: '% of all cores', baseline: 'bare B2BUA step', baselineValue: b ? pctOf(b.busy, b) : undefined })
    rows.push({ name: `${rate}/s: other processes' CPU, edge step`, value: pctOf(other(e), e), unit: '% of all cores', baseline: 'bare B2BUA step', baselineValue: b ? pctOf(other(b), b) : undefined })
    if (e.refused && Object.keys(e.refused).length) rows.push({ name: `${rate}/s: edge refusals ${JSON.stringify(e.refused)}`, value: Object.values(e.refused).reduce((a, c) => a + c, 0), unit: 'requests' })
  }
  const highest = (mode: Mode, p99Ms = Infinity) => {
    let best = 0
    for (const rate of rates) {
      const s = at(mode, rate)
      if (!s?.sustained || !(s.answer.p99 <= p99Ms)) break
      best = rate
    }
    return best
  }
  const allEdge = rates.every((r) => at('edge', r)?.sustained)
  rows.push({ name: `highest rate with no failed call: edge${allEdge ? ' (every rate tried; the real limit is higher)' : ''}`, value: highest('edge'), unit: 'calls/s', baseline: 'bare B2BUA', baselineValue: highest('b2bua') })
  rows.push({ name: 'highest rate with no failed call: bare proxy', value: highest('proxy'), unit: 'calls/s' })
  rows.push({ name: `highest rate with no failed call and INVITE->200 p99 <= ${FAST_P99_MS} ms: edge`, value: highest('edge', FAST_P99_MS), unit: 'calls/s', baseline: 'bare B2BUA', baselineValue: highest('b2bua', FAST_P99_MS) })
  rows.push({ name: 'load average (1 min) at start / at end', value: loadStart, unit: '', baseline: 'at end', baselineValue: loadEnd })
  return rows
}

function edgeConfig(drachtio: { adminPort: number; secret: string }, fsUri: string): Readonly<Config> {
  const carrier: TrunkConfig = {
    id: 'carrier-main',
    kind: 'carrier',
    sources: [`${CARRIER_IP}/32`],
    target: `sip:${CARRIER_IP}:5060`,
    // raised: the bench measures the edge, not its limits
    maxCalls: 100_000,
    callsPerSecond: 100_000,
    areaCode: '010',
    numbers: [],
    defaultOut: true,
  }
  // config/emergency-partners.json names a trunk per partner; config/load.ts checks they exist
  const partners = (['110', '119', '120', '122'] as const).map((p, i): TrunkConfig => ({
    id: `partner-${p}`,
    kind: 'partner',
    partner: p,
    sources: [`127.0.0.${4 + i}/32`],
    target: `sip:${p}@127.0.0.${4 + i}:5060`,
    maxCalls: 10,
    callsPerSecond: 5,
    areaCode: '010',
    numbers: [p],
    defaultOut: false,
  }))
  const sip: DeepPartial<Config['sip']> = {
    drachtio: { host: '127.0.0.1', port: drachtio.adminPort, secret: drachtio.secret },
    mediaServers: [{ id: 'fs1', uri: fsUri }],
    trunks: [carrier, ...partners],
    perSourceRequestsPerSecond: 1_000_000,
  }
  return loadConfig({ env: {}, overrides: { sip } })
}

async function startAnswerer(t: Teardowns, port: number, password: string): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./sip-edge/answerer.ts', import.meta.url)), [String(port), password], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
  t.teardown(() => {
    if (child.exitCode === null) child.kill()
  })
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`the answerer exited (${code})`)))
  })
  return child
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) printTable(title, await run())
