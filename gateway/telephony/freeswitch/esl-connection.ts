/**
 * One authenticated inbound event-socket connection, modesl behind promises. modesl is callback-only
 * and forgets pending callbacks when the socket dies; this wrapper owns every pending command, fails
 * them with a coded error on close or timeout, and notices a dead socket on `close` and `error`, not
 * only on `end`. `-ERR`/`-USAGE` bodies become MEDIA_ERR_COMMAND with the body and its cause.
 */
import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import modesl, { type Connection, type Event } from 'modesl'
import { MEDIA_ERR_AUTH, MEDIA_ERR_COMMAND, MEDIA_ERR_CONNECT, MEDIA_ERR_DISCONNECTED, MEDIA_ERR_TIMEOUT } from '../errors.ts'
import { toFsEvent, type FsEvent } from './fs-event.ts'

export interface EslTarget {
  id: string
  host: string
  port: number
  password: string
}

export interface EslTimeouts {
  connectMs: number
  commandMs: number
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

export class EslConnection {
  readonly target: EslTarget
  readonly #conn: Connection
  readonly #socket: Socket
  readonly #timeouts: EslTimeouts
  readonly #jobs = new Map<string, Pending & { cmd: string }>()
  readonly #executes = new Map<string, Pending & { callId: string }>()
  readonly #pending = new Set<Pending>()
  readonly #eventListeners = new Set<(e: FsEvent) => void>()
  readonly #closeListeners = new Set<(reason: string) => void>()
  #closed = false

  private constructor(target: EslTarget, conn: Connection, socket: Socket, timeouts: EslTimeouts) {
    this.target = target
    this.#conn = conn
    this.#socket = socket
    this.#timeouts = timeouts
    conn.on('esl::event::**', (evt: Event, headers: Record<string, string> | undefined) => {
      const type = headers?.['Content-Type']
      if (type === 'text/event-plain' || type === 'text/event-json') this.#onEvent(toFsEvent(evt))
      else if (type === 'text/disconnect-notice') this.#shutdown('disconnect notice')
    })
    socket.on('close', () => this.#shutdown('socket closed'))
    socket.on('error', (err) => this.#shutdown(`socket error: ${err.message}`))
    socket.on('end', () => this.#shutdown('socket ended'))
  }

  /** Connects and authenticates; rejects with MEDIA_ERR_AUTH on a wrong password, MEDIA_ERR_CONNECT otherwise. */
  static connect(target: EslTarget, timeouts: EslTimeouts): Promise<EslConnection> {
    return new Promise((resolve, reject) => {
      const conn = new modesl.Connection(target.host, target.port, target.password)
      const socket = conn.socket!
      // modesl writes a command in several pieces: with Nagle on, each waits for a delayed ACK (~40 ms).
      socket.setNoDelay(true)
      let settled = false
      const fail = (err: Error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        socket.destroy()
        reject(err)
      }
      const timer = setTimeout(() => fail(new MEDIA_ERR_CONNECT(target.id, 'no answer in time')), timeouts.connectMs)
      conn.on('error', (err: Error) => fail(new MEDIA_ERR_CONNECT(target.id, err.message)))
      socket.once('close', () => fail(new MEDIA_ERR_CONNECT(target.id, 'connection closed before authentication')))
      conn.once('esl::event::auth::fail', () => fail(new MEDIA_ERR_AUTH(target.id)))
      conn.once('esl::ready', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        conn.removeAllListeners('error')
        conn.on('error', () => {}) // socket errors are handled by the close path
        resolve(new EslConnection(target, conn, socket, timeouts))
      })
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Subscribes (plain format) to these events; replaces nothing modesl subscribed itself. */
  async subscribe(events: readonly string[]): Promise<void> {
    const reply = await this.#command<Event>(`event plain ${events.join(' ')}`, (cb) => this.#conn.events('plain', [...events], cb))
    const text = reply.getHeader('Reply-Text') ?? ''
    if (!text.startsWith('+OK')) throw new MEDIA_ERR_COMMAND('event', text)
  }

  /** `api <cmd>`: resolves with the body; `-ERR`/`-USAGE` bodies reject with MEDIA_ERR_COMMAND. */
  async api(cmd: string): Promise<string> {
    const evt = await this.#command<Event>(`api ${cmd}`, (cb) => this.#conn.api(cmd, cb))
    return checkBody(cmd, evt.getBody() ?? '')
  }

  /**
   * `bgapi <cmd>` with our own Job-UUID; resolves with the BACKGROUND_JOB body. `timeoutMs` covers
   * the whole job (an originate rings for up to its own timeout).
   */
  bgapi(cmd: string, timeoutMs: number): Promise<string> {
    const jobId = randomUUID()
    const verb = cmd.split(' ')[0]
    return new Promise<string>((resolve, reject) => {
      if (this.#closed) return reject(new MEDIA_ERR_DISCONNECTED(this.target.id))
      const p = this.#track(resolve as (v: unknown) => void, reject, timeoutMs, `bgapi ${verb}`, () => this.#jobs.delete(jobId))
      this.#jobs.set(jobId, { ...p, cmd: verb })
      this.#conn.sendRecv(`bgapi ${cmd}`, { 'Job-UUID': jobId }, (reply) => {
        const text = reply.getHeader('Reply-Text') ?? ''
        if (!text.startsWith('+OK')) this.#settleJob(jobId, text)
      })
    })
  }

  /**
   * Runs a dialplan application on a channel (`sendmsg <uuid>` execute). Resolves with the
   * CHANNEL_EXECUTE_COMPLETE event matched by our Event-UUID, or undefined if the channel hung up
   * first. `lock` queues it behind the channel's current application (event-lock).
   */
  execute(callId: string, app: string, arg: string, opts: { lock?: boolean; timeoutMs: number }): Promise<FsEvent | undefined> {
    const eventUuid = randomUUID()
    const headers: Record<string, string> = {
      'call-command': 'execute',
      'execute-app-name': app,
      'execute-app-arg': arg,
      'Event-UUID': eventUuid,
    }
    if (opts.lock) headers['event-lock'] = 'true'
    return new Promise<FsEvent | undefined>((resolve, reject) => {
      if (this.#closed) return reject(new MEDIA_ERR_DISCONNECTED(this.target.id))
      const p = this.#track(resolve as (v: unknown) => void, reject, opts.timeoutMs, `execute ${app}`, () => this.#executes.delete(eventUuid))
      this.#executes.set(eventUuid, { ...p, callId })
      this.#conn.sendRecv(`sendmsg ${callId}`, headers, (reply) => {
        const text = reply.getHeader('Reply-Text') ?? ''
        if (text.startsWith('-ERR')) {
          this.#executes.delete(eventUuid)
          this.#finish(p)
          reject(withBody(new MEDIA_ERR_COMMAND(`execute ${app}`, text), text))
        }
      })
    })
  }

  onEvent(listener: (e: FsEvent) => void): () => void {
    this.#eventListeners.add(listener)
    return () => this.#eventListeners.delete(listener)
  }

  onClose(listener: (reason: string) => void): () => void {
    this.#closeListeners.add(listener)
    return () => this.#closeListeners.delete(listener)
  }

  /** Says `exit` and closes; pending commands fail with MEDIA_ERR_DISCONNECTED. */
  close(): void {
    if (this.#closed) return
    try {
      this.#conn.disconnect()
    } catch {
      // the socket is gone already
    }
    this.#socket.destroy()
    this.#shutdown('closed by the gateway')
  }

  /** Tears the socket down as a network failure would (tests, health check). */
  destroy(reason: string): void {
    this.#socket.destroy()
    this.#shutdown(reason)
  }

  #onEvent(e: FsEvent): void {
    if (e.name === 'BACKGROUND_JOB') {
      const jobId = e.get('Job-UUID')
      if (jobId && this.#jobs.has(jobId)) this.#settleJob(jobId, e.body)
    } else if (e.name === 'CHANNEL_EXECUTE_COMPLETE') {
      const id = e.get('Application-UUID')
      const p = id ? this.#executes.get(id) : undefined
      if (p) {
        this.#executes.delete(id!)
        this.#finish(p)
        p.resolve(e)
      }
    } else if (e.name === 'CHANNEL_HANGUP_COMPLETE') {
      // Applications queued behind event-lock never start on a channel that is gone.
      for (const [id, p] of this.#executes) {
        if (p.callId !== e.uuid) continue
        this.#executes.delete(id)
        this.#finish(p)
        p.resolve(undefined)
      }
    }
    for (const l of this.#eventListeners) l(e)
  }

  #settleJob(jobId: string, body: string): void {
    const p = this.#jobs.get(jobId)
    if (!p) return
    this.#jobs.delete(jobId)
    this.#finish(p)
    try {
      p.resolve(checkBody(p.cmd, body))
    } catch (err) {
      p.reject(err as Error)
    }
  }

  #command<T>(what: string, send: (cb: (evt: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closed) return reject(new MEDIA_ERR_DISCONNECTED(this.target.id))
      const p = this.#track(resolve as (v: unknown) => void, reject, this.#timeouts.commandMs, what.split(' ').slice(0, 2).join(' '))
      send((evt) => {
        if (!this.#pending.has(p)) return
        this.#finish(p)
        resolve(evt)
      })
    })
  }

  #track(resolve: (v: unknown) => void, reject: (e: Error) => void, ms: number, what: string, onTimeout?: () => void): Pending {
    const p: Pending = {
      resolve,
      reject,
      timer: setTimeout(() => {
        this.#pending.delete(p)
        onTimeout?.()
        reject(new MEDIA_ERR_TIMEOUT(this.target.id, what))
      }, ms),
    }
    this.#pending.add(p)
    return p
  }

  #finish(p: Pending): void {
    clearTimeout(p.timer)
    this.#pending.delete(p)
  }

  #shutdown(reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#socket.destroy()
    const err = new MEDIA_ERR_DISCONNECTED(this.target.id)
    for (const p of this.#pending) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.#pending.clear()
    this.#jobs.clear()
    this.#executes.clear()
    for (const l of this.#closeListeners) l(reason)
  }
}

/** A reply body that starts with -ERR or -USAGE is a refusal, whatever the command. */
export function checkBody(cmd: string, body: string): string {
  if (body.startsWith('-ERR') || body.startsWith('-USAGE')) {
    throw withBody(new MEDIA_ERR_COMMAND(cmd.split(' ')[0], body.trim()), body)
  }
  return body
}

function withBody<E extends Error>(err: E, body: string): E & { body: string; cause: string } {
  // `-ERR NO_ANSWER` -> cause NO_ANSWER; `-ERR Invalid uuid` -> Invalid uuid
  const cause = body.replace(/^-(ERR|USAGE)\s*/, '').trim()
  return Object.assign(err, { body: body.trim(), cause })
}
