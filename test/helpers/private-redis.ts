/** A redis-server of the test's own on a free port, so a test can take Redis down and bring it back. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

export interface PrivateRedis {
  url: string
  port: number
  stop(): Promise<void>
  start(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => done(port))
    })
  })
}

export async function privateRedis(t: { teardown(fn: () => unknown): void }): Promise<PrivateRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'))
  let proc: ChildProcess | undefined
  const url = `redis://127.0.0.1:${port}`
  const self: PrivateRedis = {
    url,
    port,
    async start() {
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: 'ignore' })
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 })
      probe.on('error', () => {})
      for (let i = 0; i < 100; i++) {
        try {
          await probe.connect().catch(() => undefined)
          if ((await probe.ping()) === 'PONG') break
        } catch {
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      probe.disconnect()
    },
    async stop() {
      if (!proc || proc.exitCode !== null) return
      const exited = new Promise((r) => proc!.once('exit', r))
      proc.kill('SIGKILL')
      await exited
    },
  }
  await self.start()
  t.teardown(async () => {
    await self.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return self
}
