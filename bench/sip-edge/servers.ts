/**
 * Real servers for the SIP edge bench, started as the real-server suite starts them but with two
 * differences that matter under load:
 *   - drachtio-server: the project's config/drachtio/drachtio.conf.xml with the same command line as
 *     config/drachtio/launch.ts, but its console log goes to a file, not through a pipe into the bench
 *     process (which hosts the edge: reading drachtio's log would be counted as the edge's CPU);
 *   - FreeSWITCH: the project's config/freeswitch (launchFreeswitch), with an RTP range of `rtpPorts`
 *     ports instead of the suite's 200 (FreeSWITCH takes an even port per call: 200 ports stop at 100
 *     calls up at once, and 100 calls/s of 1 s calls keep more than that up).
 * Plus a tap-like teardown list and per-process CPU from /proc.
 */
import { spawn, execFileSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { findDrachtio } from '../../config/drachtio/launch.ts'
import { launchFreeswitch, type FreeswitchPorts } from '../../config/freeswitch/launch.ts'
import { cachedPrompts, findFreeswitch, SIP_DOMAIN, TEST_SIP_SECRET } from '../../test/real/helpers/freeswitch.ts'
import { freePort, freeRange } from '../../test/real/helpers/ports.ts'
import { Esl } from './esl.ts'

/** The `t` the real-suite helpers take: collects teardowns, runs them last-registered first. */
export class Teardowns {
  readonly #fns: (() => unknown)[] = []
  teardown(fn: () => unknown): void {
    this.#fns.push(fn)
  }
  passing(): boolean {
    return true
  }
  async run(): Promise<void> {
    while (this.#fns.length) {
      try {
        await this.#fns.pop()!()
      } catch (err) {
        process.stderr.write(`sip-edge teardown: ${(err as Error).message}\n`)
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface BenchDrachtio {
  pid: number
  adminPort: number
  sipPort: number
  secret: string
  logFile: string
  /** The end of its console log (for a failing run). */
  logTail(bytes?: number): string
}

export async function startDrachtio(t: Teardowns, dir: string): Promise<BenchDrachtio> {
  const bin = findDrachtio()
  if (!bin) throw new Error('no drachtio-server binary')
  const adminPort = await freePort()
  const sipPort = await freePort()
  const secret = randomBytes(12).toString('hex')
  const logFile = join(dir, 'drachtio.log')
  const fd = openSync(logFile, 'a')
  const args = [
    '-f', resolve('config/drachtio/drachtio.conf.xml'), '--port', String(adminPort), '--secret', secret, '--address', '127.0.0.1',
    '--contact', `sip:127.0.0.1:${sipPort};transport=udp`,
  ]
  const proc = spawn(bin, args, { stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  t.teardown(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(timer)
  })
  const end = Date.now() + 10_000
  while (!(await canConnect(adminPort))) {
    if (proc.exitCode !== null) throw new Error(`drachtio-server exited at startup:\n${readFileSync(logFile, 'utf8').slice(-3000)}`)
    if (Date.now() > end) throw new Error(`drachtio-server did not open its admin port ${adminPort} within 10 s`)
    await sleep(50)
  }
  return {
    pid: proc.pid!,
    adminPort,
    sipPort,
    secret,
    logFile,
    logTail: (n = 4000) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-n) : ''),
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = new Socket()
    s.once('connect', () => (s.destroy(), done(true)))
    s.once('error', () => (s.destroy(), done(false)))
    s.connect(port, '127.0.0.1')
  })
}

export interface BenchFreeswitch {
  pid: number
  ports: FreeswitchPorts
  eslPassword: string
  dir: string
}

export async function startFreeswitch(t: Teardowns, rtpPorts: number): Promise<BenchFreeswitch> {
  const bin = findFreeswitch()
  if (!bin) throw new Error('no FreeSWITCH binary')
  const promptsDir = cachedPrompts()
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-edge-fs-'))
  const ports: FreeswitchPorts = { esl: await freePort(), carrier: await freePort(), agents: await freePort(), agentsWs: await freePort(), rtpStart: 0, rtpEnd: 0 }
  ports.rtpStart = await freeRange(rtpPorts, 30000, 62000)
  ports.rtpEnd = ports.rtpStart + rtpPorts - 1
  const eslPassword = randomBytes(12).toString('hex')
  mkdirSync(join(dir, 'call-recordings'), { recursive: true })
  const agents = (JSON.parse(readFileSync('config/agents.json', 'utf8')) as { id: string; name: string }[]).map((a) => ({ id: a.id, name: a.name }))
  const running = await launchFreeswitch({ bin, dir, ports, eslPassword, promptsDir, agents, sipDomain: SIP_DOMAIN, sipSecret: TEST_SIP_SECRET })
  const proc = running.process
  const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())))
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
    if (!process.env.REAL_KEEP_TMP) rmSync(dir, { recursive: true, force: true })
  })
  const esl = await Esl.connect(ports.esl, eslPassword)
  try {
    const end = Date.now() + 20_000
    for (;;) {
      const status = await esl.api('status')
      const sofia = await esl.api('sofia status')
      if (/is ready/.test(status) && /carrier\s+profile.*RUNNING/.test(sofia)) break
      if (Date.now() > end) throw new Error(`FreeSWITCH not ready:\n${status}\n${sofia}`)
      await sleep(100)
    }
  } finally {
    esl.close()
  }
  return { pid: proc.pid!, ports, eslPassword, dir }
}

/** Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK; 100 on Linux x86-64 and arm64). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

function statFields(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'utf8')
    // fields after the command name (which may hold spaces) in parentheses; f[0] is field 3
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system, all threads) of a live process; undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  const f = statFields(`/proc/${pid}/stat`)
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : undefined // utime, stime: fields 14, 15
}

/** CPU seconds of this process's children that ended and were reaped (cutime + cstime): sipp. */
export function endedChildrenCpuSeconds(): number {
  const f = statFields('/proc/self/stat')!
  return (Number(f[13]) + Number(f[14])) / CLK_TCK // fields 16, 17
}

/** The machine's busy and total CPU seconds (all cores) from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v
  const busy = user + nice + system + irq + softirq + steal
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK }
}
