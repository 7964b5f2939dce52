/** The parent's side of bench/voice-real/gateway-child.ts: fork, ask, stop. A child error rejects the ask. */
import { fork, type ChildProcess } from 'node:child_process'
import type { CallRecord, StartOptions } from './gateway-child.ts'

const CHILD = new URL('./gateway-child.ts', import.meta.url).pathname

export interface Counted {
  parks: number
  music: number
  hungUp: number
  waiting: number
  reconnects: number
  /** Totals since start: events received by name, bytes read, commands and socket writes by modesl. */
  wire: { events: Record<string, number>; bytesIn: number; commands: number; writes: number }
}

export interface Snapshot {
  calls: CallRecord[]
  lag: { p50: number; p99: number; max: number }
  /** the worst gap of a 20 ms timer (beyond its 20 ms) and the process CPU inside it */
  stall: { wallMs: number; cpuMs: number }
}

export interface AgentDone {
  originateMs: number[]
  offerMs: number[]
  misses: number
  /** the agent was still not 未应答 20 s after a refused originate: sampling stopped there */
  stuck: boolean
  /** up to 3 offers that rang no phone: the appeal, its call, FreeSWITCH's uuid_exists, what the bench saw of the call */
  missed: { appealId: string; callId?: string; mode?: string; status?: string; fsChannel?: string; hungUpSeen?: boolean; musicSeen?: boolean }[]
}

export class GatewayProcess {
  readonly #child: ChildProcess
  readonly #waiting: { key: string; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = []
  readonly #exited: Promise<void>

  constructor() {
    // VOICE_REAL_PROFILE=<dir>: the gateway process writes a V8 .cpuprofile there when it stops
    const profile = process.env.VOICE_REAL_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.VOICE_REAL_PROFILE}`] : []
    this.#child = fork(CHILD, [], { execArgv: ['--import', 'tsx', ...profile], stdio: 'inherit' })
    this.#child.on('message', (m: Record<string, unknown>) => {
      if ('error' in m) {
        for (const w of this.#waiting.splice(0)) w.reject(new Error(`gateway process: ${String(m.error)}`))
        return
      }
      const i = this.#waiting.findIndex((w) => w.key in m)
      if (i < 0) return
      const w = this.#waiting.splice(i, 1)[0]
      w.resolve(m[w.key])
    })
    this.#exited = new Promise((r) => this.#child.once('exit', () => r()))
    void this.#exited.then(() => {
      for (const w of this.#waiting.splice(0)) w.reject(new Error('gateway process exited'))
    })
  }

  get pid(): number {
    return this.#child.pid!
  }

  #ask<T>(cmd: Record<string, unknown>, key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ key, resolve: resolve as (v: unknown) => void, reject })
      this.#child.send(cmd)
    })
  }

  start(o: StartOptions): Promise<{ pid: number }> {
    return this.#ask({ start: o }, 'started')
  }
  count(): Promise<Counted> {
    return this.#ask({ count: true }, 'counted')
  }
  snapshot(): Promise<Snapshot> {
    return this.#ask({ snapshot: true }, 'snapshot')
  }
  agent(id: string, samples: number): Promise<AgentDone> {
    return this.#ask({ agent: { id, samples } }, 'agentDone')
  }

  /** Closes the gateway (Redis keys deleted) and ends the process; kills it if that takes over 15 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000)
    try {
      await this.#ask({ stop: true }, 'stopped')
      await Promise.race([this.#exited, new Promise((r) => setTimeout(r, 5000))])
    } catch {
      // exited or failed while closing: killed below
    }
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill()
    await this.#exited
    clearTimeout(timer)
  }
}
