/**
 * Starts a local drachtio-server with the project's own config/drachtio/drachtio.conf.xml, the secret,
 * admin port and SIP contact given on the command line (they override the file). Used by the real-server
 * suite (and usable by `npm run demo`). It never builds or downloads drachtio-server: it runs the
 * binary it is given (DRACHTIO_BIN, or `drachtio` on PATH).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Socket } from 'node:net'
import { delimiter, join, resolve } from 'node:path'

export interface DrachtioLaunchOptions {
  bin: string
  adminPort: number
  secret: string
  /** SIP contacts, e.g. `sip:127.0.0.1:5060;transport=udp,tcp`. */
  contacts: string[]
  /** Where the server's console log goes: a callback per chunk (default: dropped). */
  onOutput?: (chunk: string) => void
}

export interface RunningDrachtio {
  process: ChildProcess
  stop(): Promise<void>
}

/** DRACHTIO_BIN, else `drachtio` on PATH; undefined when there is none. */
export function findDrachtio(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DRACHTIO_BIN) return existsSync(env.DRACHTIO_BIN) ? env.DRACHTIO_BIN : undefined
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'drachtio')
    if (dir && existsSync(candidate)) return candidate
  }
  return undefined
}

export async function launchDrachtio(o: DrachtioLaunchOptions): Promise<RunningDrachtio> {
  const args = ['-f', resolve('config/drachtio/drachtio.conf.xml'), '--port', String(o.adminPort), '--secret', o.secret, '--address', '127.0.0.1']
  for (const c of o.contacts) args.push('--contact', c)
  const proc = spawn(o.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => o.onOutput?.(d))
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => o.onOutput?.(d))
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  await waitForPort(o.adminPort, 10_000, exited)
  return {
    process: proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000)
      await exited
      clearTimeout(timer)
    },
  }
}

async function waitForPort(port: number, ms: number, exited: Promise<void>): Promise<void> {
  let dead = false
  void exited.then(() => (dead = true))
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (dead) throw new Error('drachtio-server exited at startup (see its output)')
    if (await canConnect(port)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`drachtio-server did not open its admin port ${port} within ${ms} ms`)
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = new Socket()
    s.once('connect', () => (s.destroy(), done(true)))
    s.once('error', () => (s.destroy(), done(false)))
    s.connect(port, '127.0.0.1')
  })
}
