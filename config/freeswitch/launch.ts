/**
 * Starts a local FreeSWITCH with the project's own config (a runtime copy in a folder of its own),
 * the agents' directory rendered from config/agents.json, and the prompts folder as its sounds.
 * Used by `npm run demo` (and usable by a test harness). It never builds or downloads FreeSWITCH:
 * it runs the binary it is given (FREESWITCH_BIN, or `freeswitch` on PATH).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { delimiter, join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { renderAgents, type DirectoryAgent } from './render-agents.ts'

export interface FreeswitchPorts {
  esl: number
  carrier: number
  agents: number
  agentsWs: number
  rtpStart: number
  rtpEnd: number
}

export interface LaunchOptions {
  bin: string
  /** Runtime folder (conf copy, log, db, run ...); created. */
  dir: string
  ports: FreeswitchPorts
  eslPassword: string
  /** Prompts folder (the `zh` prompts and moh/); FreeSWITCH gets its parent as -sounds. */
  promptsDir: string
  agents: readonly DirectoryAgent[]
  sipDomain: string
  sipSecret: string
  /** Where the process's output goes (default: ignored). */
  output?: 'inherit' | 'ignore'
}

export interface RunningFreeswitch {
  process: ChildProcess
  ports: FreeswitchPorts
  stop(): Promise<void>
}

/** FREESWITCH_BIN, else `freeswitch` on PATH; undefined when there is none. */
export function findFreeswitch(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FREESWITCH_BIN) return existsSync(env.FREESWITCH_BIN) ? env.FREESWITCH_BIN : undefined
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'freeswitch')
    if (dir && existsSync(candidate)) return candidate
  }
  return undefined
}

export async function launchFreeswitch(o: LaunchOptions): Promise<RunningFreeswitch> {
  const dir = resolve(o.dir)
  const conf = join(dir, 'conf')
  rmSync(conf, { recursive: true, force: true })
  cpSync(resolve('config/freeswitch'), conf, { recursive: true, filter: (src) => !src.endsWith('.ts') })
  renderAgents(o.agents, { domain: o.sipDomain, secret: o.sipSecret }, join(conf, 'directory', 'agents'))
  const dirs = ['log', 'db', 'run', 'tmp', 'cache', 'recordings', 'storage', 'certs']
  for (const d of dirs) mkdirSync(join(dir, d), { recursive: true })
  const prompts = resolve(o.promptsDir)
  const env = {
    ...process.env,
    FS_ESL_PASSWORD: o.eslPassword,
    FS_ESL_IP: '127.0.0.1',
    FS_ESL_PORT: String(o.ports.esl),
    FS_CARRIER_IP: '127.0.0.1',
    FS_CARRIER_PORT: String(o.ports.carrier),
    FS_AGENT_IP: '127.0.0.1',
    FS_AGENT_PORT: String(o.ports.agents),
    FS_AGENT_WS_PORT: String(o.ports.agentsWs),
    FS_RTP_START: String(o.ports.rtpStart),
    FS_RTP_END: String(o.ports.rtpEnd),
    FS_DOMAIN: o.sipDomain,
    FS_PROMPTS_DIR: prompts,
  }
  const args = ['-nonat', '-nc', '-nf', '-conf', conf, ...dirs.flatMap((d) => [`-${d === 'tmp' ? 'temp' : d}`, join(dir, d)]), '-sounds', resolve(prompts, '..')]
  const proc = spawn(o.bin, args, { env, stdio: o.output === 'inherit' ? 'inherit' : 'ignore' })
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  try {
    await waitForEsl(o.ports.esl, 20_000, exited)
  } catch (err) {
    proc.kill('SIGKILL')
    throw err
  }
  return {
    process: proc,
    ports: o.ports,
    async stop() {
      if (proc.exitCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Resolves once the event socket sends its auth request. */
async function waitForEsl(port: number, timeoutMs: number, exited: Promise<void>): Promise<void> {
  let gone = false
  void exited.then(() => (gone = true))
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (gone) throw new Error('freeswitch exited during startup')
    if (await authRequest(port)) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`freeswitch event socket on ${port} did not answer in ${timeoutMs} ms`)
}

function authRequest(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = new Socket()
    const finish = (ok: boolean) => {
      s.destroy()
      done(ok)
    }
    s.setTimeout(1000, () => finish(false))
    s.once('error', () => finish(false))
    s.on('data', (d) => finish(d.toString().includes('auth/request')))
    s.connect(port, '127.0.0.1')
  })
}

/** Debian packages the voice demo needs for prompts and test calls, installed when missing and root. */
export function ensurePackages(commands: Record<string, string>, say: (m: string) => void): void {
  const missing = Object.entries(commands).filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0)
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))]
  if (process.getuid?.() !== 0) return say(`missing ${pkgs.join(', ')}: apt-get install -y ${pkgs.join(' ')}`)
  say(`installing ${pkgs.join(', ')} (apt-get)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env })
}
