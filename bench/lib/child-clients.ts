/**
 * A bench's clients in a child process (their sockets and work stay out of the measured process),
 * driven over IPC: send a command, wait for the message that answers it.
 */
import { fork, type ChildProcess } from 'node:child_process'

export class ChildClients {
  readonly #child: ChildProcess
  readonly #waiters: ((m: Record<string, unknown>) => boolean)[] = []

  constructor(script: string) {
    this.#child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
    this.#child.on('message', (m: Record<string, unknown>) => {
      if (m.error) throw new Error(`clients: ${String(m.error)}`)
      const i = this.#waiters.findIndex((w) => w(m))
      if (i >= 0) this.#waiters.splice(i, 1)
    })
  }

  /** The next message for which `pred` holds (registered now, so send after calling this). */
  when<T = Record<string, unknown>>(pred: (m: Record<string, unknown>) => boolean): Promise<T> {
    return new Promise((resolve) => this.#waiters.push((m) => (pred(m) ? (resolve(m as T), true) : false)))
  }

  /** Sends a command and waits for the answer carrying `key`. */
  ask<T = Record<string, unknown>>(cmd: Record<string, unknown>, key: string): Promise<T> {
    const answer = this.when<T>((m) => key in m)
    this.#child.send(cmd)
    return answer
  }

  stop(): void {
    this.#child.kill()
  }
}
