/**
 * Developer tool: where the true pairs of a labelled set go. Every pair of appeals of one true
 * matter is counted as: never a candidate (no shared token), vetoed by a rule (which one), or
 * scored by the model (above / below the threshold). Says which stage loses recall.
 *   npx tsx gateway/matter/eval/pair-audit.ts --data <set.jsonl> [--data <set2.jsonl> ...]
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { loadConfig } from '../../../config/load.ts'
import { deleteByPrefix } from '../../queue/delete-prefix.ts'
import { MatterLinker } from '../linker.ts'
import { mergeModel, probability } from '../merge-model.ts'
import { readDataset } from './dataset.ts'
import { FEATURES } from '../pair-features.ts'

const { values } = parseArgs({ options: { data: { type: 'string', multiple: true }, show: { type: 'string' } } })
const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 2 })
const counts = new Map<string, number>()
const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1)
try {
  for (const file of values.data ?? []) {
    const data = readDataset(file)
    const truth = new Map(data.map((d) => [d.appeal.id, d.matter]))
    const prefix = `audit-${randomUUID()}`
    const seen = new Map<string, string>()
    const xs = new Map<string, number[]>()
    const text = new Map(data.map((d) => [d.appeal.id, `${d.appeal.location?.address ?? ''}${d.appeal.location?.lat ? '📍' : ''} | ${d.appeal.content.slice(0, 60)}`]))
    const linker = new MatterLinker({
      redis,
      keyPrefix: prefix,
      onScored: (id, pairs, _c, vetoed) => {
        for (const p of pairs) xs.set(`${id}|${p.candidateId}`, p.x)
        for (const p of pairs) seen.set(`${id}|${p.candidateId}`, probability(mergeModel(), p.x) >= mergeModel().threshold ? 'scored-above' : 'scored-below')
        for (const v of vetoed ?? []) seen.set(`${id}|${v.candidateId}`, `veto-${v.veto}`)
      },
    })
    try {
      for (const d of data) await linker.link(d.appeal)
    } finally {
      await deleteByPrefix(redis, prefix)
    }
    const ids = data.map((d) => d.appeal.id)
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < i; j++) {
        if (truth.get(ids[i]!) !== truth.get(ids[j]!)) {
          const k = seen.get(`${ids[i]}|${ids[j]}`)
          if (k === 'scored-above') add('false:scored-above')
          continue
        }
        const k = `true:${seen.get(`${ids[i]}|${ids[j]}`) ?? 'not-candidate'}`
        add(k)
        if (values.show && k.includes(values.show)) {
          const x = xs.get(`${ids[i]}|${ids[j]}`)
          const on = x ? FEATURES.filter((_, n) => x[n]! !== 0 && !FEATURES[n]!.includes('*')).map((f) => `${f}=${+x[FEATURES.indexOf(f)]!.toFixed(2)}`).join(' ') : ''
          const p = x ? probability(mergeModel(), x).toFixed(2) : '-'
          process.stdout.write(`${k} p=${p} ${truth.get(ids[i]!)}\n  ${text.get(ids[i]!)}\n  ${text.get(ids[j]!)}\n  ${on}\n`)
        }
      }
    }
  }
  for (const [k, n] of [...counts].sort()) process.stdout.write(`${k} ${n}\n`)
} finally {
  redis.disconnect()
}
