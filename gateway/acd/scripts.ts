/**
 * The ACD's Lua scripts as ioredis commands, and the context every script takes first (ARGV[1..8],
 * see lua/prelude.ts): base key, now (ms, ISO, centre-local day), history TTL and the thresholds.
 */
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import { localDate } from '../queue/local-date.ts'
import type { AcdKeys } from './keys.ts'
import { ADD_ENTRY, ACCEPT, ABANDON, DECLINE, DISPATCH, MISS, SET_KIND, SWEEP } from './lua/routing.ts'
import { COMPLETE, EXPIRE_PRESENCE, REGISTER_AGENT, SET_STATE, TAKE, TRANSFER } from './lua/agents.ts'

const SCRIPTS = {
  acdAddEntry: ADD_ENTRY,
  acdDispatch: DISPATCH,
  acdAccept: ACCEPT,
  acdDecline: DECLINE,
  acdMiss: MISS,
  acdAbandon: ABANDON,
  acdSetKind: SET_KIND,
  acdSweep: SWEEP,
  acdRegister: REGISTER_AGENT,
  acdSetState: SET_STATE,
  acdComplete: COMPLETE,
  acdTransfer: TRANSFER,
  acdTake: TAKE,
  acdExpirePresence: EXPIRE_PRESENCE,
} as const

export type ScriptRedis = Redis & { [K in keyof typeof SCRIPTS]: (...args: (string | number)[]) => Promise<unknown> }

/** Defines the scripts once per connection (EVALSHA, loaded on first use). */
export function withAcdScripts(redis: Redis): ScriptRedis {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua })
  }
  return redis as ScriptRedis
}

export class ScriptContext {
  constructor(
    private readonly keys: AcdKeys,
    private readonly acd: Config['acd'],
    private readonly timezone: string,
    readonly clock: () => Date,
  ) {}

  /** ARGV[1..8] of every ACD script, read at call time. */
  args(): (string | number)[] {
    const now = this.clock()
    const a = this.acd
    return [
      this.keys.base,
      now.getTime(),
      now.toISOString(),
      localDate(now, this.timezone).replaceAll('-', ''),
      a.historyDays * 86400,
      Math.round(a.serviceLevelSeconds * 1000),
      Math.round(a.shortAbandonSeconds * 1000),
      Math.round(a.writtenTargetSeconds * 1000),
    ]
  }

  /** Now + offset as [ISO, ms] (offer expiry, wrap-up end). */
  at(offsetMs: number): [string, number] {
    const ms = this.clock().getTime() + offsetMs
    return [new Date(ms).toISOString(), ms]
  }
}
