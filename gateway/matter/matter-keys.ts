/**
 * Every Redis key of the matter linker, in one place. All under `${keyPrefix}:matter:`.
 *   a:{appealId}   HASH  m (matter id), n (appeal number), at (ms), f (features JSON),
 *                        l (link JSON), d (last agent decision JSON)
 *   m:{matterId}   HASH  v (version), cit (JSON: identities of members), c (distinct citizens),
 *                        conc ('1' once 集中诉求 fired), first, last (ms)
 *   mm:{matterId}  ZSET  members, scored by receivedAt (ms)
 *   ix:{token}     ZSET  appeals by place / citizen / geo-cell token, scored by receivedAt (ms);
 *                        trimmed to the window on every write
 *   nx:{appealId}  SET   appeals an agent detached from this one: never suggested together again
 *   ver            HASH  bucket -> version: optimistic check that no link wrote a token we read
 *   seq            STRING matter id counter
 *   log            STREAM agent decisions (confirm / detach / attach), capped
 *   df:{epoch}     HASH  term -> appeals using it, '#n' -> appeals, per window-long epoch
 *                        (term-weights.ts); read for the current and previous epoch
 *   pg:{node}      ZSET  place node -> places named with it and how often (place-graph.ts)
 */
import { createHash } from 'node:crypto'

export const VERSION_BUCKETS = 4096

export function matterKeys(keyPrefix: string) {
  const base = `${keyPrefix}:matter`
  return {
    base,
    appeal: (id: string) => `${base}:a:${id}`,
    matter: (mid: string) => `${base}:m:${mid}`,
    matterPrefix: `${base}:m:`,
    members: (mid: string) => `${base}:mm:${mid}`,
    membersPrefix: `${base}:mm:`,
    index: (token: string) => `${base}:ix:${token}`,
    never: (id: string) => `${base}:nx:${id}`,
    versions: `${base}:ver`,
    seq: `${base}:seq`,
    log: `${base}:log`,
    termDf: (epoch: number) => `${base}:df:${epoch}`,
    graph: (node: string) => `${base}:pg:${node}`,
    graphPrefix: `${base}:pg:`,
  }
}
export type MatterKeys = ReturnType<typeof matterKeys>

/** Bucket of a token for the optimistic version check (collisions only cause a harmless retry). */
export function bucketOf(token: string): number {
  return createHash('sha1').update(token).digest().readUInt16BE(0) % VERSION_BUCKETS
}
