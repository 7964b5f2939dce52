/**
 * A real FreeSWITCH for the load bench, started as test/real/helpers/freeswitch.ts starts it (the
 * project's config/freeswitch, copied to a temp folder; the agents' directory rendered with the real
 * suite's SIP secret; the prompts generated once and cached) with one difference: an RTP range of
 * `rtpPorts` ports instead of 200. FreeSWITCH takes an even port per call leg, so the real suite's
 * 200 ports stop at 100 simultaneous calls, and this bench keeps hundreds waiting.
 * Also here: a control connection (modesl, as a bare client; Nagle off as the gateway has it) for the
 * readiness check and the `api status` baseline, per-process CPU from /proc, and a tap-like
 * teardown list.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import modesl, { type Connection } from 'modesl'
import { launchFreeswitch, type FreeswitchPorts } from '../../config/freeswitch/launch.ts'
import { cachedPrompts, findFreeswitch, SIP_DOMAIN, TEST_SIP_SECRET } from '../../test/real/helpers/freeswitch.ts'
import { freePort, freeRange } from '../../test/real/helpers/ports.ts'

/** The `t` of startFreeswitch / SippKit: collects teardowns, runs them last-registered first. */
export class Teardowns {
  readonly #fns: (() => unknown)[] = []
  teardown(fn: () => unknown): void {
    this.#fns.push(fn)
  }
  async run(): Promise<void> {
    while (this.#fns.length) {
      try {
        await this.#fns.pop()!()
      } catch (err) {
        process.stderr.write(`voice-real teardown: ${(err as Error).message}\n`)
      }
    }
  }
}

export interface BenchFreeswitch {
  pid: number
  ports: FreeswitchPorts
  eslPassword: string
  promptsDir: string
  recordingsDir: string
  dir: string
  /** The bench's own event-socket connection (no events subscribed). */
  control: Control
}

/**
 * `normalPriority`: a what-if, FreeSWITCH started with `-np` (through a one-line wrapper script, as
 * config/freeswitch/launch.ts passes no flag). Without a flag FreeSWITCH picks its priority itself and
 * on a machine with more than one CPU runs every thread SCHED_FIFO (real-time), ahead of every
 * normal process: the gateway, Redis and sipp only get the CPU it leaves.
 */
export async function startBenchFreeswitch(t: Teardowns, rtpPorts: number, o: { normalPriority?: boolean } = {}): Promise<BenchFreeswitch> {
  const found = findFreeswitch()
  if (!found) throw new Error('no FreeSWITCH binary')
  const promptsDir = cachedPrompts()
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-fs-'))
  let bin = found
  if (o.normalPriority) {
    bin = join(dir, 'freeswitch-np')
    writeFileSync(bin, `#!/bin/sh\nexec '${found}' -np "$@"\n`)
    chmodSync(bin, 0o755)
  }
  const ports: FreeswitchPorts = { esl: await freePort(), carrier: await freePort(), agents: await freePort(), agentsWs: await freePort(), rtpStart: 0, rtpEnd: 0 }
  ports.rtpStart = await freeRange(rtpPorts, 30000, 62000)
  ports.rtpEnd = ports.rtpStart + rtpPorts - 1
  const eslPassword = randomBytes(12).toString('hex')
  const recordingsDir = join(dir, 'call-recordings')
  mkdirSync(recordingsDir, { recursive: true })
  const agents = (JSON.parse(readFileSync('config/agents.json', 'utf8')) as { id: string; name: string }[]).map((a) => ({ id: a.id, name: a.name }))
  const running = await launchFreeswitch({ bin, dir, ports, eslPassword, promptsDir, agents, sipDomain: SIP_DOMAIN, sipSecret: TEST_SIP_SECRET })
  const proc = running.process
  const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())))
  let control: Control | undefined
  t.teardown(async () => {
    control?.close()
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
    if (!process.env.REAL_KEEP_TMP) rmSync(dir, { recursive: true, force: true })
  })
  control = await Control.connect(ports.esl, eslPassword)
  const end = Date.now() + 20_000
  for (;;) {
    const status = await control.api('status')
    const sofia = await control.api('sofia status')
    if (/is ready/.test(status) && /carrier\s+profile.*RUNNING/.test(sofia) && /agents\s+profile.*RUNNING/.test(sofia)) break
    if (Date.now() > end) throw new Error(`FreeSWITCH not ready:\n${status}\n${sofia}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { pid: proc.pid!, ports, eslPassword, promptsDir, recordingsDir, dir, control }
}

/** A bare modesl client: what one event-socket round trip costs, with no gateway logic. */
export class Control {
  readonly #conn: Connection
  private constructor(conn: Connection) {
    this.#conn = conn
  }
  static connect(port: number, password: string): Promise<Control> {
    return new Promise((resolve, reject) => {
      const c: Connection = new modesl.Connection('127.0.0.1', port, password, () => {
        // the gateway's event socket has Nagle off (esl-connection.ts); the baseline too
        c.socket?.setNoDelay(true)
        resolve(new Control(c))
      })
      c.on('error', reject)
    })
  }
  api(cmd: string): Promise<string> {
    return new Promise((resolve) => this.#conn.api(cmd, (evt) => resolve(evt.getBody() ?? '')))
  }
  /** `api status` round trip, ms. */
  async statusRtt(): Promise<number> {
    const t0 = process.hrtime.bigint()
    await this.api('status')
    return Number(process.hrtime.bigint() - t0) / 1e6
  }
  close(): void {
    this.#conn.socket?.destroy()
  }
}

const CLK_TCK = 100 // sysconf(_SC_CLK_TCK) on Linux x86-64/arm64

/** CPU seconds (user + system, all threads) of a live process; undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after the command name (which may hold spaces) in parentheses
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / CLK_TCK // utime, stime: fields 14 and 15
  } catch {
    return undefined
  }
}

/** The machine's busy and total CPU seconds (all cores) from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
  const v = line.trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v
  const busy = user + nice + system + irq + softirq + steal
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK }
}

/** CPU seconds of this process's children that have ended and been reaped (cutime + cstime). */
export function endedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[13]) + Number(f[14])) / CLK_TCK // cutime, cstime: fields 16 and 17
}

/** The scheduling policy of a process (SCHED_OTHER, SCHED_FIFO, ...) and its thread count, from /proc. */
export function schedulingOf(pid: number): { policy: string; threads: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const policy = ['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'][Number(f[38])] ?? `policy ${f[38]}`
    return { policy, threads: Number(f[17]) } // fields 41 (policy) and 20 (num_threads)
  } catch {
    return undefined
  }
}

/** Seconds a thread (the main thread: tid = pid) spent waiting on a run queue for a CPU (/proc schedstat). */
export function runQueueWaitSeconds(pid: number, tid = pid): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9
  } catch {
    return undefined
  }
}
