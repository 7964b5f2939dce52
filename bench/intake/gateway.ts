/** Starts bench/intake/gateway-process.ts as a child and speaks its small IPC protocol. */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { GatewayMessage, GatewayProcessOptions, ProcessUsage, SubmitCommand } from './gateway-process.ts'
import type { LoadResult } from '../lib/load.ts'

const SCRIPT = fileURLToPath(new URL('./gateway-process.ts', import.meta.url))
/** INTAKE_BENCH_PROFILE=<dir>: the gateway process writes a V8 CPU profile there when it stops. */
const PROFILE_DIR = process.env.INTAKE_BENCH_PROFILE

export class GatewayChild {
  readonly port: number
  readonly #proc: ChildProcess

  private constructor(proc: ChildProcess, port: number) {
    this.#proc = proc
    this.port = port
  }

  static start(opts: GatewayProcessOptions, timeoutMs = 20_000): Promise<GatewayChild> {
    const proc = fork(SCRIPT, [JSON.stringify(opts)], { execArgv: ['--import', 'tsx', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        reject(new Error(`gateway process not listening after ${timeoutMs} ms`))
      }, timeoutMs)
      proc.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`gateway process exited with ${code} before listening`))
      })
      proc.on('message', (m: GatewayMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer)
          proc.removeAllListeners('exit')
          resolve(new GatewayChild(proc, m.port))
        }
      })
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  usage(timeoutMs = 5000): Promise<ProcessUsage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gateway process did not answer a usage request')), timeoutMs)
      const onMessage = (m: GatewayMessage) => {
        if (m.type !== 'usage') return
        clearTimeout(timer)
        this.#proc.off('message', onMessage)
        resolve({ rss: m.rss, heapUsed: m.heapUsed, cpuMicros: m.cpuMicros })
      }
      this.#proc.on('message', onMessage)
      this.#proc.send({ type: 'usage' })
    })
  }

  /** Appeals through RedisAppealQueue.submit inside the gateway process (no HTTP). */
  submit(cmd: Omit<SubmitCommand, 'type'>): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`gateway process exited with ${code} while submitting`))
      const onMessage = (m: GatewayMessage) => {
        if (m.type !== 'submitted') return
        this.#proc.off('message', onMessage)
        this.#proc.off('exit', onExit)
        resolve(m.result)
      }
      this.#proc.on('message', onMessage)
      this.#proc.once('exit', onExit)
      this.#proc.send({ type: 'submit', ...cmd } satisfies SubmitCommand)
    })
  }

  stop(timeoutMs = 10_000): Promise<void> {
    if (this.#proc.exitCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#proc.kill('SIGKILL'), timeoutMs)
      this.#proc.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.#proc.send({ type: 'stop' })
    })
  }
}
