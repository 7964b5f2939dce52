/**
 * Developer tool: which labelled matters the linker split or merged, with the pair scores.
 * npx tsx gateway/matter/eval/misses.ts --data <file.jsonl> [--persons <persons.json>]
 * REDIS_URL (default redis://127.0.0.1:6379) is read here because this is a command, not the gateway.
 */
import { loadConfig } from '../../../config/load.ts'
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { deleteByPrefix } from '../../queue/delete-prefix.ts'
import { extractFeatures } from '../features.ts'
import { MatterLinker } from '../linker.ts'
import { scorePair } from '../scorer.ts'
import type { AppealFeatures } from '../types.ts'
import { readDataset, readPersons } from './dataset.ts'

const { values } = parseArgs({ options: { data: { type: 'string' }, persons: { type: 'string' } } })
if (!values.data) {
  process.stderr.write('usage: misses.ts --data <file.jsonl>\n')
  process.exit(2)
}
const data = readDataset(values.data)
const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 2 })
const prefix = `eval-${randomUUID()}`
try {
  const linker = new MatterLinker({ redis, keyPrefix: prefix })
  for (const d of data) await linker.link(d.appeal)
  const persons = values.persons ? readPersons(values.persons) : new Map<string, string>()
  const predicted = new Map<string, string>()
  const flagged = new Map<string, number>()
  const feats = new Map<string, AppealFeatures>()
  for (const d of data) {
    const l = (await linker.get(d.appeal.id))!
    predicted.set(d.appeal.id, l.matterId)
    if (l.flags.concentrated) flagged.set(l.matterId, l.citizens)
    feats.set(d.appeal.id, extractFeatures(d.appeal))
  }
  const short = (id: string) => id.replace(/^ap_/, '')
  const describe = (f: AppealFeatures) => {
    const p = f.places
    const parts = [
      p.compounds.length ? `c=${p.compounds}` : '',
      p.roads.length ? `r=${p.roads}` : '',
      p.entities.length ? `e=${p.entities}` : '',
      p.routes.length ? `b=${p.routes}` : '',
      p.buildings.length ? `bl=${p.buildings}` : '',
      f.lat !== undefined ? 'pin' : '',
    ].filter(Boolean)
    return `[${f.topics.join(',')}] ${parts.join(' ')}`
  }
  const truth = new Map<string, string[]>()
  for (const d of data) truth.set(d.matter, [...(truth.get(d.matter) ?? []), d.appeal.id])
  for (const [m, ids] of truth) {
    const groups = new Set(ids.map((id) => predicted.get(id)))
    if (groups.size > 1) {
      process.stdout.write(`SPLIT ${m}: ${ids.map((id) => `${short(id)}→${predicted.get(id)}`).join(' ')}\n`)
      for (const id of ids) process.stdout.write(`   ${short(id)} ${describe(feats.get(id)!)}\n`)
      for (let i = 0; i < ids.length; i++)
        for (let j = 0; j < i; j++) {
          if (predicted.get(ids[i]!) === predicted.get(ids[j]!)) continue
          const s = scorePair(feats.get(ids[i]!)!, feats.get(ids[j]!)!)
          process.stdout.write(`   ${short(ids[i]!)}~${short(ids[j]!)} ${s.score} same=${s.same} conflict=${s.conflict} ${s.reasons.join(',')}\n`)
        }
    }
  }
  const byPred = new Map<string, string[]>()
  for (const [id, m] of predicted) byPred.set(m, [...(byPred.get(m) ?? []), id])
  const matterOf = new Map(data.map((d) => [d.appeal.id, d.matter]))
  for (const [m, ids] of byPred) {
    const labels = new Set(ids.map((id) => matterOf.get(id)))
    if (labels.size > 1) process.stdout.write(`MERGED ${m}: ${ids.map((id) => `${short(id)}(${matterOf.get(id)})`).join(' ')}\n`)
  }
  if (persons.size) {
    for (const [m, ids] of byPred) {
      const people = new Set(ids.map((id) => persons.get(id)))
      if (flagged.has(m) && people.size < 3) process.stdout.write(`FALSE 集中诉求 ${m}: ${people.size} persons, counted ${flagged.get(m)}\n`)
    }
    for (const [m, ids] of truth) {
      const people = new Set(ids.map((id) => persons.get(id)))
      if (people.size >= 3 && !ids.some((id) => flagged.has(predicted.get(id)!)))
        process.stdout.write(`BIG MISSED ${m}: ${people.size} persons in ${ids.length} appeals\n`)
    }
  }
} finally {
  await deleteByPrefix(redis, prefix)
  redis.disconnect()
}
