/**
 * One authenticated websocket: who is on it, what it watches, and a safe way to write to it.
 * Writes never throw: a socket that went away is simply skipped (the close handler cleans up).
 */
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import type { Role } from '../../gateway/acd/types.ts'
import { PROTOCOL_VERSION } from './messages.ts'

export type Surface = 'console' | 'wallboard'

export interface Identity {
  agentId: string
  name: string
  role: Role
  /** When the access token stops being valid. */
  expiresAt: Date
}

export interface CodedError {
  code: string
  message: string
  field?: string
}

export class ConsoleSession {
  readonly id = `cs_${randomUUID()}`
  alive = true
  wallboard = false
  private expiryTimer?: NodeJS.Timeout

  constructor(
    readonly socket: WebSocket,
    public identity: Identity,
    readonly surface: Surface,
    readonly log: FastifyBaseLogger,
  ) {}

  get agentId(): string {
    return this.identity.agentId
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send(type: string, body: Record<string, unknown> = {}): void {
    if (!this.open) return
    this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type, ...body }))
  }

  /** Sends a pre-serialized frame (fan-out serializes once for many sockets). */
  sendRaw(frame: string): void {
    if (this.open) this.socket.send(frame)
  }

  sendError(err: CodedError, re?: string): void {
    this.send('error', { ...(re ? { re } : {}), code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) })
  }

  /** Error frame, then a coded close: the client sees why before the socket goes. */
  closeWith(code: number, err: CodedError): void {
    this.sendError(err)
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, err.code)
    }
  }

  expireAt(ms: number, onExpire: () => void): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer)
    // setTimeout overflows past ~24.8 days; tokens live minutes to hours.
    this.expiryTimer = setTimeout(onExpire, Math.max(0, Math.min(ms, 2 ** 31 - 1)))
    this.expiryTimer.unref()
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer)
  }
}
