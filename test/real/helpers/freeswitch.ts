/**
 * A real FreeSWITCH for one test, started with the project's own config/freeswitch (a runtime copy in
 * a temp folder, never the repository): free loopback ports, the agents' directory rendered from
 * config/agents.json with the test's SIP secret, the Chinese prompts generated once and cached
 * between runs (keyed by a hash of the prompt index, the hotline notices and the generator), a
 * second event-socket connection that records what the server did, and at teardown: stopped, temp
 * folder removed. No binary: the caller prints one SKIP line (see `realSuiteSkipReason`).
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { findFreeswitch as findBinary, launchFreeswitch, type FreeswitchPorts, type RunningFreeswitch } from '../../../config/freeswitch/launch.ts'
import { generate, parseArgs } from '../../../config/prompts/generate.ts'
import { EslObserver } from './esl-observer.ts'
import { freePort, freeRange } from './ports.ts'

interface TapLike {
  teardown(fn: () => unknown): void
}

/** The test SIP secret: the directory's a1-hashes and the sipp agents' passwords derive from it. */
export const TEST_SIP_SECRET = 'real-suite-agent-sip-secret-0123456789'
export const SIP_DOMAIN = '127.0.0.1'

/** FREESWITCH_BIN, else `freeswitch` on PATH. */
export function findFreeswitch(): string | undefined {
  return findBinary(process.env)
}

/** Why the real-server suite cannot run here (undefined: it can). */
export function realSuiteSkipReason(): string | undefined {
  if (!findFreeswitch()) return 'no FreeSWITCH binary (set FREESWITCH_BIN or put freeswitch on PATH)'
  for (const [tool, pkg] of [['sipp', 'sip-tester'], ['espeak-ng', 'espeak-ng'], ['sox', 'sox']]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `no ${tool} (apt-get install -y ${pkg})`
  }
  return undefined
}

export interface RealFreeswitch {
  bin: string
  dir: string
  ports: FreeswitchPorts
  eslPassword: string
  /** The generated prompts (FS_PROMPTS_DIR): the gateway's voice.promptsDir. */
  promptsDir: string
  /** Where the gateway tells FreeSWITCH to write recordings. */
  recordingsDir: string
  logFile: string
  /** The test's own event-socket connection. */
  observer: EslObserver
  process: RunningFreeswitch['process']
  /** SIGKILL, as a crashed server. */
  kill(): void
  /** The last lines of freeswitch.log (for a failing test). */
  logTail(lines?: number): string
}

/** Prompts generated once per content: `<tmp>/gw-real-prompts-<hash>/zh`. */
export function cachedPrompts(): string {
  const hash = createHash('sha256')
  for (const f of ['config/prompts/prompts-zh.json', 'config/hotlines.json', 'config/prompts/generate.ts']) hash.update(readFileSync(f))
  const dir = join(tmpdir(), `gw-real-prompts-${hash.digest('hex').slice(0, 16)}`, 'zh')
  const stamp = join(dir, '.complete')
  if (!existsSync(stamp)) {
    const started = Date.now()
    generate(parseArgs(['--out', dir]))
    writeFileSync(stamp, new Date().toISOString())
    process.stderr.write(`# real-server suite: prompts generated in ${dir} (${Date.now() - started} ms, cached for later runs)\n`)
  }
  return dir
}

/** Duration of an 8 kHz 16-bit mono prompt, in ms (what a caller waits through). */
export function promptMs(promptsDir: string, id: string): number {
  const bytes = statSync(join(promptsDir, `${id}.wav`)).size - 44
  return Math.ceil(bytes / 16)
}

export async function startFreeswitch(t: TapLike): Promise<RealFreeswitch> {
  const bin = findFreeswitch()
  if (!bin) throw new Error('no FreeSWITCH binary')
  const promptsDir = cachedPrompts()
  const dir = mkdtempSync(join(tmpdir(), 'gw-real-fs-'))
  const ports: FreeswitchPorts = {
    esl: await freePort(),
    carrier: await freePort(),
    agents: await freePort(),
    agentsWs: await freePort(),
    rtpStart: 0,
    rtpEnd: 0,
  }
  ports.rtpStart = await freeRange(200)
  ports.rtpEnd = ports.rtpStart + 199
  const eslPassword = randomBytes(12).toString('hex')
  const recordingsDir = join(dir, 'call-recordings')
  mkdirSync(recordingsDir, { recursive: true })
  const agents = (JSON.parse(readFileSync('config/agents.json', 'utf8')) as { id: string; name: string }[]).map((a) => ({ id: a.id, name: a.name }))
  const running = await launchFreeswitch({
    bin,
    dir,
    ports,
    eslPassword,
    promptsDir,
    agents,
    sipDomain: SIP_DOMAIN,
    sipSecret: TEST_SIP_SECRET,
  })
  const proc = running.process
  const exited = new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())))
  let observer: EslObserver | undefined
  t.teardown(async () => {
    observer?.close()
    // FreeSWITCH takes about 5 s to shut down cleanly (sofia profiles); a test server gets 1.5 s.
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 1500)
      await exited
      clearTimeout(timer)
    }
    if (!process.env.REAL_KEEP_TMP) rmSync(dir, { recursive: true, force: true })
  })
  observer = await EslObserver.connect(ports.esl, eslPassword)
  await ready(observer)
  const logFile = join(dir, 'log', 'freeswitch.log')
  return {
    bin,
    dir,
    ports,
    eslPassword,
    promptsDir,
    recordingsDir,
    logFile,
    observer,
    process: running.process,
    kill: () => running.process.kill('SIGKILL'),
    logTail: (n = 60) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n') : '(no freeswitch.log)'),
  }
}

/** `api status` answers and both SIP profiles run. */
async function ready(o: EslObserver): Promise<void> {
  const end = Date.now() + 20_000
  for (;;) {
    const status = await o.api('status')
    const sofia = await o.api('sofia status')
    if (/is ready/.test(status) && /carrier\s+profile.*RUNNING/.test(sofia) && /agents\s+profile.*RUNNING/.test(sofia)) return
    if (Date.now() > end) throw new Error(`FreeSWITCH not ready:\n${status}\n${sofia}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Files under a folder (recordings after a call). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true }).map((f) => resolve(dir, String(f)))
}
