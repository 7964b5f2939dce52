/**
 * ACD events in this process. Every script publishes its change on `<base>:events` from inside the
 * script; one subscriber connection per process hands each event to the local listeners (the
 * console's fan-out), so every process sees every change whoever made it.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { AcdEvent } from './types.ts'

export class AcdEventBus {
  readonly #listeners = new Set<(e: AcdEvent) => void>()
  #sub?: Redis

  constructor(private readonly logger?: Logger) {}

  async start(redis: Redis, channel: string): Promise<void> {
    this.#sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false })
    this.#sub.on('error', (err) => this.logger?.warn({ err: { message: err.message } }, 'acd event subscriber error'))
    this.#sub.on('message', (_channel: string, message: string) => this.#emit(message))
    await this.#sub.subscribe(channel)
  }

  subscribe(listener: (event: AcdEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async close(): Promise<void> {
    this.#listeners.clear()
    if (this.#sub) await this.#sub.quit().catch(() => this.#sub?.disconnect())
  }

  #emit(message: string): void {
    let event: AcdEvent
    try {
      event = normalizeEvent(JSON.parse(message))
    } catch {
      return
    }
    for (const l of this.#listeners) {
      try {
        l(event)
      } catch (err) {
        this.logger?.error({ err }, 'acd event listener threw')
      }
    }
  }
}

/** cjson writes an empty Lua table as {}: turn the agent's appealIds back into an array. */
function normalizeEvent(e: AcdEvent): AcdEvent {
  if (e.type === 'agent-state' && !Array.isArray(e.status.appealIds)) e.status.appealIds = []
  return e
}
