/**
 * Runs a command with Redis available (lives in config/: like the loader, it reads the environment): if nothing answers at REDIS_URL and a redis-server binary
 * exists, starts a private one (own port, data in .redis-data/, git-ignored), points REDIS_URL at it
 * and stops it when the command exits. Never runs the command without Redis.
 *   tsx config/with-redis.ts -- <command> [args...]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { resolve } from 'node:path'

const DEFAULT_URL = 'redis://127.0.0.1:6379'

function say(msg: string): void {
  process.stderr.write(`[with-redis] ${msg}\n`)
}

async function pings(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url)
  return new Promise((done) => {
    const sock = new Socket()
    const finish = (ok: boolean) => {
      sock.destroy()
      done(ok)
    }
    sock.setTimeout(timeoutMs, () => finish(false))
    sock.once('error', () => finish(false))
    sock.connect(Number(u.port || 6379), u.hostname || '127.0.0.1', () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : ''
      sock.write(`${auth}PING\r\n`)
    })
    let buf = ''
    sock.on('data', (d) => {
      buf += d.toString()
      if (buf.includes('+PONG')) finish(true)
      else if (buf.includes('-NOAUTH') || buf.includes('-ERR')) finish(false)
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => done(port))
    })
  })
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

/** On a fresh Debian machine as root, installs Debian's redis-server (as npm test does for Chromium). */
function installRedisServer(): void {
  const root = process.getuid?.() === 0
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
  if (!root || !apt) return
  say('no redis-server binary: installing Debian\'s redis-server (apt-get)')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env })
  spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: ['ignore', 'ignore', 'inherit'], env })
}

async function startPrivateRedis(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort()
  const dir = resolve('.redis-data', String(port))
  mkdirSync(dir, { recursive: true })
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--logfile', resolve(dir, 'redis.log')],
    { stdio: 'ignore' },
  )
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    if (await pings(url, 200)) return { url, proc }
    await new Promise((r) => setTimeout(r, 100))
  }
  proc.kill('SIGKILL')
  throw new Error(`private redis-server on port ${port} did not answer`)
}

async function main(): Promise<void> {
  const sep = process.argv.indexOf('--')
  const cmd = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2)
  if (cmd.length === 0) {
    say('usage: with-redis.ts -- <command> [args...]')
    process.exit(2)
  }
  const url = process.env.REDIS_URL || DEFAULT_URL
  const env = { ...process.env }
  let redis: ChildProcess | undefined
  if (!(await pings(url))) {
    if (!hasRedisServer()) installRedisServer()
    if (!hasRedisServer()) {
      say(`Nothing answers at ${url} and no redis-server binary is installed.`)
      say('Install Redis (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_URL to a running Redis.')
      process.exit(1)
    }
    const started = await startPrivateRedis()
    redis = started.proc
    env.REDIS_URL = started.url
    say(`nothing answered at ${url}; started a private Redis at ${started.url} (data in .redis-data/, stopped on exit)`)
  }
  const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env, shell: false })
  const forward = (sig: NodeJS.Signals) => child.kill(sig)
  process.on('SIGTERM', forward)
  process.on('SIGINT', forward)
  child.on('exit', (code, signal) => {
    redis?.kill('SIGTERM')
    process.exit(code ?? (signal ? 1 : 0))
  })
}

main().catch((err) => {
  say(String(err))
  process.exit(1)
})
