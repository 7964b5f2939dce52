/** Shared helpers of the matter tests: a real Redis, a random prefix per test, appeals to link. */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Appeal, Channel } from '../../gateway/domain/appeal.ts'
import { deleteByPrefix } from '../../gateway/matter/eval/run-eval.ts'
import { MatterLinker, type MatterLinkerOptions } from '../../gateway/matter/linker.ts'

export const REDIS_URL = 'redis://127.0.0.1:6379'

export interface Ctx {
  redis: Redis
  prefix: string
  linker: (extra?: Partial<MatterLinkerOptions>, redis?: Redis) => MatterLinker
  cleanup: () => Promise<void>
}

export async function setup(): Promise<Ctx> {
  const redis = new Redis(REDIS_URL)
  const prefix = `test-${randomUUID()}`
  const extra: Redis[] = []
  return {
    redis,
    prefix,
    linker: (opts = {}, r = redis) => new MatterLinker({ redis: r, keyPrefix: prefix, ...opts }),
    cleanup: async () => {
      await deleteByPrefix(redis, prefix)
      for (const r of extra) r.disconnect()
      redis.disconnect()
    },
  }
}

let seq = 0
export function appeal(p: {
  content: string
  channel?: Channel
  phone?: string
  openid?: string
  name?: string
  address?: string
  lat?: number
  lng?: number
  at?: string
  id?: string
}): Appeal {
  seq++
  const id = p.id ?? `ap_t${seq}_${randomUUID().slice(0, 8)}`
  const channel = p.channel ?? 'voice'
  const location =
    p.address !== undefined || p.lat !== undefined
      ? { ...(p.address !== undefined ? { address: p.address } : {}), ...(p.lat !== undefined ? { lat: p.lat, lng: p.lng! } : {}) }
      : undefined
  return {
    id,
    appealNumber: `20261101-${String(seq).padStart(6, '0')}`,
    channel,
    external: { channel, id },
    citizen: { ...(p.phone ? { phone: p.phone } : {}), ...(p.openid ? { openid: p.openid } : {}), ...(p.name ? { name: p.name } : {}) },
    content: p.content,
    ...(location ? { location } : {}),
    confidential: false,
    receivedAt: p.at ?? '2026-11-01T12:00:00.000Z',
    priority: 1,
    status: 'queued',
    history: [],
  }
}
