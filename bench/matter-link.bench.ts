/**
 * Matter linking under a full 30-day window: 100,000 appeals already linked (variations of the dev
 * set at other places, by other citizens, at other times, loaded straight through the store's key
 * layout, with the term counts, rare-word index entries and place graph the link script keeps),
 * then new appeals linked through the real MatterLinker. Compared with the bare cost of
 * storing an appeal (one HSET of its JSON) measured in the same run. Also Redis memory per appeal.
 * Run: npx tsx bench/matter-link.bench.ts  (REDIS_URL, default redis://127.0.0.1:6379)
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { printTable } from './row.ts'
import { Redis } from 'ioredis'
import type { Appeal } from '../gateway/domain/appeal.ts'
import { readDataset } from '../gateway/matter/eval/dataset.ts'
import { deleteByPrefix } from '../gateway/queue/delete-prefix.ts'
import { extractFeatures } from '../gateway/matter/features.ts'
import { MatterLinker } from '../gateway/matter/linker.ts'
import { matterKeys } from '../gateway/matter/matter-keys.ts'
import { placeNodes } from '../gateway/matter/place-graph.ts'
import { COUNT_FIELD, weigh, type TermStats } from '../gateway/matter/term-weights.ts'
import { wordWriteTokens, writeTokens } from '../gateway/matter/tokens.ts'
import type { AppealFeatures } from '../gateway/matter/types.ts'

export interface Row {
  name: string
  value: number
  unit: string
  baseline?: string
  baselineValue?: number
}

const WINDOW_APPEALS = 100_000
/** Distinct copies of each dev place: each place key then holds dozens of appeals, as a busy city would. */
const PLACE_VARIANTS = 150
const SAMPLES = 1000
const WARMUP = 300
const NOW = Date.parse('2026-11-30T12:00:00+08:00')
const DAY = 86_400_000

function rand(n: number): number {
  return Math.floor(Math.random() * n)
}

function variantPlaces(f: AppealFeatures, v: number): AppealFeatures['places'] {
  if (v === 0) return f.places
  const tag = (s: string) => `${s}${v}`
  const p = f.places
  return {
    ...p,
    compounds: p.compounds.map(tag),
    roads: p.roads.map(tag),
    stems: p.stems.map(tag),
    intersections: p.intersections.map((x) => x.split('+').map(tag).join('+')),
    entities: p.entities.map(tag),
    routes: p.routes.map((r) => `${r}${v}`),
  }
}

/** Term counts of the window as the link script would have made them: every dev text ~600 times. */
function windowStats(base: AppealFeatures[]): TermStats {
  const copies = Math.round(WINDOW_APPEALS / base.length)
  const df = new Map<string, number>()
  for (const f of base) for (const t of [...(f.words ?? []), ...(f.grams ?? []), ...(f.chars ?? [])]) df.set(t, (df.get(t) ?? 0) + copies)
  return { n: WINDOW_APPEALS, df }
}

/** A dev appeal moved to place variant v, another citizen, another time. */
function variant(f: AppealFeatures, i: number, v: number, at: number): AppealFeatures {
  const phone = `1${String(30_000_000_00 + i).padStart(10, '0')}`
  const places = variantPlaces(f, v)
  const addrPlaces = variantPlaces({ ...f, places: f.addrPlaces }, v)
  // Spread pins over a ~30 km city: variant v sits in its own part of town.
  const dLat = v === 0 ? 0 : ((v % 15) - 7) * 0.02
  const dLng = v === 0 ? 0 : (Math.floor(v / 15) - 5) * 0.02
  return {
    ...f,
    id: `b_${i}`,
    number: `20261130-${String(i).padStart(6, '0')}`,
    at,
    citizen: { ...f.citizen, tokens: [`p:${phone}`], weak: 'none' },
    places,
    addrPlaces,
    landmarks: (f.landmarks ?? []).map((l) => (v === 0 ? l : `${l}${v}`)),
    ...(f.lat !== undefined && f.lng !== undefined ? { lat: f.lat + dLat, lng: f.lng + dLng } : {}),
  }
}

async function load(redis: Redis, prefix: string, base: AppealFeatures[], labels: string[], stats: TermStats): Promise<void> {
  const k = matterKeys(prefix)
  const ttl = 60 * DAY
  let pipe = redis.pipeline()
  // Appeals of one dev matter at one place variant form one matter, as the linker would have made.
  const matters = new Map<string, { ids: AppealFeatures['citizen'][]; first: number; last: number }>()
  for (let i = 0; i < WINDOW_APPEALS; i++) {
    // One in 50 at the real dev places: those tokens then hold hundreds of appeals (a busy place),
    // and the new appeals below, written with the real names, meet them as candidates.
    const v = rand(50) === 0 ? 0 : 1 + rand(PLACE_VARIANTS)
    const f = variant(base[i % base.length]!, i, v, NOW - rand(30 * DAY))
    const mid = `B${labels[i % base.length]}-${v}`
    const m = matters.get(mid) ?? { ids: [], first: f.at, last: f.at }
    m.ids.push(f.citizen)
    m.first = Math.min(m.first, f.at)
    m.last = Math.max(m.last, f.at)
    matters.set(mid, m)
    const link = { appealId: f.id, score: 0, reasons: [], related: [], flags: { repeat: false, repeatOf: [], concentrated: false }, citizens: 1, linkedAt: new Date(f.at).toISOString() }
    pipe.hset(k.appeal(f.id), 'm', mid, 'n', f.number, 'at', f.at, 'f', JSON.stringify(f), 'l', JSON.stringify(link))
    pipe.pexpire(k.appeal(f.id), ttl)
    pipe.zadd(k.members(mid), f.at, f.id)
    for (const t of [...writeTokens(f), ...wordWriteTokens(f)]) pipe.zadd(k.index(t), f.at, f.id)
    // The place graph, as the link script counts it.
    const nodes = placeNodes(f)
    for (const a of nodes) for (const b of nodes) if (a !== b) pipe.zincrby(k.graph(a), 1, b)
    if (pipe.length >= 5000) {
      await pipe.exec()
      pipe = redis.pipeline()
    }
  }
  const df = [...stats.df].flatMap(([t, n]) => [t, n])
  for (let i = 0; i < df.length; i += 2000) pipe.hset(k.termDf(Math.floor(NOW / (30 * DAY))), ...df.slice(i, i + 2000))
  pipe.hset(k.termDf(Math.floor(NOW / (30 * DAY))), COUNT_FIELD, stats.n)
  for (const [mid, m] of matters) {
    pipe.hset(k.matter(mid), 'v', '1', 'cit', JSON.stringify(m.ids), 'c', m.ids.length, 'conc', m.ids.length >= 3 ? '1' : '0', 'first', m.first, 'last', m.last)
    if (pipe.length >= 5000) {
      await pipe.exec()
      pipe = redis.pipeline()
    }
  }
  await pipe.exec()
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0)
}

export async function run(): Promise<Row[]> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const prefix = `bench-${randomUUID()}`
  try {
    const labeled = readDataset(new URL('../test/data/merge/dev.jsonl', import.meta.url).pathname)
    const dev = labeled.map((d) => d.appeal)
    const base = dev.map(extractFeatures)
    const stats = windowStats(base)
    for (const f of base) {
      f.wordW = weigh(f.words ?? [], stats)
      f.gramW = weigh(f.grams ?? [], stats)
      f.charW = weigh(f.chars ?? [], stats)
    }
    const memBefore = await usedMemory(redis)
    const t0 = performance.now()
    await load(redis, prefix, base, labeled.map((d) => d.matter), stats)
    const loadSeconds = (performance.now() - t0) / 1000
    const memAfter = await usedMemory(redis)

    // New appeals: dev appeals at existing place variants, linked through the real linker.
    const linker = new MatterLinker({ redis, keyPrefix: prefix })
    const linkMs: number[] = []
    const storeMs: number[] = []
    // Warm-up (not measured): JIT, the feature cache, and the collector's work after the bulk load.
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const src = dev[i % dev.length]!
      const a: Appeal = {
        ...src,
        id: `n_${i}`,
        appealNumber: `20261130-9${String(i).padStart(5, '0')}`,
        receivedAt: new Date(NOW + i * 1000).toISOString(),
        citizen: { phone: `1${String(31_000_000_00 + i).padStart(10, '0')}` },
      }
      let t = performance.now()
      await redis.hset(`${prefix}:bare:${a.id}`, 'data', JSON.stringify(a))
      const stored = performance.now() - t
      t = performance.now()
      await linker.link(a)
      const linked = performance.now() - t
      if (i < WARMUP) continue
      storeMs.push(stored)
      linkMs.push(linked)
    }
    linkMs.sort((x, y) => x - y)
    storeMs.sort((x, y) => x - y)
    const p50 = percentile(linkMs, 50)
    const p99 = percentile(linkMs, 99)
    const s50 = percentile(storeMs, 50)
    const s99 = percentile(storeMs, 99)
    const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
    return [
      { name: 'link p50 (100k in window)', value: round(p50), unit: 'ms', baseline: 'HSET appeal JSON p50', baselineValue: round(s50, 3) },
      { name: 'link p99 (100k in window)', value: round(p99), unit: 'ms', baseline: 'HSET appeal JSON p99', baselineValue: round(s99, 3) },
      { name: 'link p50 / store p50', value: round(p50 / s50, 1), unit: 'x' },
      { name: 'link p99 target', value: 20, unit: 'ms', baseline: 'measured p99', baselineValue: round(p99) },
      { name: 'Redis memory per appeal in window', value: Math.round((memAfter - memBefore) / WINDOW_APPEALS), unit: 'bytes' },
      { name: 'load 100k appeals via the store', value: round(loadSeconds, 1), unit: 's' },
    ]
  } finally {
    await deleteByPrefix(redis, prefix)
    redis.disconnect()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable('matter-link', await run())
  process.exit(0)
}
