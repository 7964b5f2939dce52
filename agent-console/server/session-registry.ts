/**
 * Which sockets this process holds, by agent; and the one-console-per-agent rule across processes.
 *
 * A console claim takes a generation number from Redis (INCR) and publishes it; every process
 * closes its console sockets of that agent with a lower generation. The newest login wins even when
 * two processes claim at the same moment (a plain "close the others" would close both).
 * Wallboards are not exclusive: a supervisor may watch on several screens.
 *
 * Other notices travel the same subscription (listen / notify): a logout (every process closes all
 * sockets of that user), a 并案 decision (the cards of the other agents holding that matter).
 */
import type { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { ConsoleSession } from './session.ts'

interface Claim {
  agentId: string
  sessionId: string
  gen: number
}

export class SessionRegistry {
  private readonly byAgent = new Map<string, Set<ConsoleSession>>()
  private readonly gens = new WeakMap<ConsoleSession, number>()
  private readonly wallboardSet = new Set<ConsoleSession>()
  /** Highest claim generation seen per agent: a claim can arrive before our own INCR returns. */
  private readonly latest = new Map<string, number>()
  private sub?: Redis

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly log: FastifyBaseLogger,
    /** Called for a session that lost its claim (newer login elsewhere). */
    private readonly onReplaced: (session: ConsoleSession) => void,
    /** Called for every session of a user who logged out. */
    private readonly onSignedOut: (session: ConsoleSession) => void = () => {},
  ) {
    this.listen('claims', (msg) => this.applyClaim(msg as Claim))
    this.listen('sign-outs', (msg) => this.applySignOut(msg as { agentId: string }))
  }

  /** Cross-process notices by channel (claims, sign-outs, ...), subscribed at start. */
  private readonly notices = new Map<string, (msg: unknown) => void>()

  /** Handles a notice that any process may publish with `notify(name)`; call before start(). */
  listen(name: string, handler: (msg: unknown) => void): void {
    this.notices.set(noticeChannel(this.keyPrefix, name), handler)
  }

  async start(): Promise<void> {
    // A subscriber waits for its connection (and re-subscribes after a reconnect) instead of failing fast.
    this.sub = this.redis.duplicate({ enableOfflineQueue: true, lazyConnect: false, maxRetriesPerRequest: null })
    this.sub.on('message', (channel: string, raw: string) => {
      try {
        this.notices.get(channel)?.(JSON.parse(raw))
      } catch (err) {
        this.log.warn({ err: { message: (err as Error).message }, channel }, 'console notice unreadable or failed')
      }
    })
    await this.sub.subscribe(...this.notices.keys())
  }

  /** Adds an authenticated session; a console session claims its agent across processes. */
  async add(session: ConsoleSession): Promise<void> {
    let set = this.byAgent.get(session.agentId)
    if (!set) this.byAgent.set(session.agentId, (set = new Set()))
    set.add(session)
    if (session.surface !== 'console') return
    const gen = await this.redis.incr(`${this.keyPrefix}:console:gen:${session.agentId}`)
    this.gens.set(session, gen)
    const claim: Claim = { agentId: session.agentId, sessionId: session.id, gen }
    this.applyClaim(claim)
    await notify(this.redis, this.keyPrefix, 'claims', claim)
  }

  remove(session: ConsoleSession): void {
    const set = this.byAgent.get(session.agentId)
    if (set) {
      set.delete(session)
      if (set.size === 0) this.byAgent.delete(session.agentId)
    }
    this.wallboardSet.delete(session)
  }

  watchWallboard(session: ConsoleSession): void {
    session.wallboard = true
    this.wallboardSet.add(session)
  }

  forAgent(agentId: string): Iterable<ConsoleSession> {
    return this.byAgent.get(agentId) ?? []
  }

  wallboards(): ReadonlySet<ConsoleSession> {
    return this.wallboardSet
  }

  *all(): Iterable<ConsoleSession> {
    for (const set of this.byAgent.values()) yield* set
  }

  get size(): number {
    let n = 0
    for (const set of this.byAgent.values()) n += set.size
    return n
  }

  private applySignOut({ agentId }: { agentId: string }): void {
    for (const s of [...this.forAgent(agentId)]) this.onSignedOut(s)
  }

  private applyClaim(claim: Claim): void {
    if ((this.latest.get(claim.agentId) ?? 0) < claim.gen) this.latest.set(claim.agentId, claim.gen)
    const newest = this.latest.get(claim.agentId)!
    for (const s of this.byAgent.get(claim.agentId) ?? []) {
      const gen = this.gens.get(s)
      if (s.surface === 'console' && s.id !== claim.sessionId && gen !== undefined && gen < newest) {
        this.gens.delete(s)
        this.onReplaced(s)
      }
    }
  }

  async close(): Promise<void> {
    if (this.sub) {
      this.sub.removeAllListeners('message')
      await this.sub.quit().catch(() => this.sub?.disconnect())
    }
  }
}

function noticeChannel(keyPrefix: string, name: string): string {
  return `${keyPrefix}:console:${name}`
}

/** Publishes a notice to the consoles of every gateway process (see SessionRegistry.listen). */
export async function notify(redis: Redis, keyPrefix: string, name: string, msg: unknown): Promise<void> {
  await redis.publish(noticeChannel(keyPrefix, name), JSON.stringify(msg))
}

/** Tells every gateway process to close the sockets of a user who logged out. */
export function signOut(redis: Redis, keyPrefix: string, agentId: string): Promise<void> {
  return notify(redis, keyPrefix, 'sign-outs', { agentId })
}
