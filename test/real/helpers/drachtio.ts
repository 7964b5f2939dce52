/**
 * A real drachtio-server for one test, started with the project's own config/drachtio/drachtio.conf.xml
 * (admin port, secret and SIP contact on the command line, which override the file): free loopback
 * ports, its console output kept for a failing test, stopped at teardown. No binary: the caller prints
 * one SKIP line (see `drachtioSkipReason`).
 */
import { randomBytes } from 'node:crypto'
import { findDrachtio, launchDrachtio, type RunningDrachtio } from '../../../config/drachtio/launch.ts'
import { freePort } from './ports.ts'

interface TapLike {
  teardown(fn: () => unknown): void
}

export interface RealDrachtio {
  adminPort: number
  sipPort: number
  secret: string
  /** drachtio-server's console output so far. */
  output(): string
  /** SIGKILL and start again on the same ports (a crash and a restart). */
  restart(): Promise<void>
  kill(): void
}

export function drachtioSkipReason(): string | undefined {
  return findDrachtio() ? undefined : 'no drachtio-server binary (set DRACHTIO_BIN or put drachtio on PATH)'
}

export async function startDrachtio(t: TapLike): Promise<RealDrachtio> {
  const bin = findDrachtio()
  if (!bin) throw new Error('no drachtio-server binary')
  const adminPort = await freePort()
  const sipPort = await freePort()
  const secret = randomBytes(12).toString('hex')
  let out = ''
  const start = () =>
    launchDrachtio({
      bin,
      adminPort,
      secret,
      contacts: [`sip:127.0.0.1:${sipPort};transport=udp`],
      onOutput: (d) => (out = (out + d).slice(-40_000)),
    })
  let running: RunningDrachtio = await start()
  t.teardown(() => running.stop())
  return {
    adminPort,
    sipPort,
    secret,
    output: () => out,
    kill: () => running.process.kill('SIGKILL'),
    async restart() {
      running.process.kill('SIGKILL')
      await new Promise((r) => setTimeout(r, 300))
      running = await start()
    },
  }
}
