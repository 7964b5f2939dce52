/**
 * Developer tool: where the true pairs of a labelled set go. Every pair of appeals of one true
 * matter is counted as: never a candidate (no shared token), vetoed by a rule (which one), or
 * scored by the committed model (above / below its threshold); pairs of different matters scored
 * above it are counted too. `--show <kind>` prints the pairs of that kind with their features.
 *   npx tsx gateway/matter/eval/pair-audit.ts --data <set.jsonl> [--data <set2.jsonl> ...] [--show below]
 */
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { loadConfig } from '../../../config/load.ts'
import { mergeModel, probability } from '../merge-model.ts'
import { FEATURES } from '../pair-features.ts'
import { collectPairs } from './collect.ts'
import { readDataset } from './dataset.ts'

const { values } = parseArgs({ options: { data: { type: 'string', multiple: true }, show: { type: 'string' } } })
const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 2 })
const counts = new Map<string, number>()
const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1)
const model = mergeModel()
try {
  for (const file of values.data ?? []) {
    const data = readDataset(file)
    const set = await collectPairs(redis, file, true, data, new Map())
    const kind = new Map<string, string>()
    const xs = new Map<string, number[]>()
    for (const [id, list] of set.pairs) {
      for (const p of list) {
        xs.set(`${id}|${p.candidateId}`, p.x)
        kind.set(`${id}|${p.candidateId}`, probability(model, p.x) >= model.threshold ? 'scored-above' : 'scored-below')
      }
    }
    for (const [id, list] of set.vetoed) for (const v of list) kind.set(`${id}|${v.candidateId}`, `veto-${v.veto}`)
    const text = new Map(data.map((d) => [d.appeal.id, `${d.appeal.location?.address ?? ''}${d.appeal.location?.lat ? ' (pin)' : ''} | ${d.appeal.content.slice(0, 60)}`]))
    const ids = set.ids
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < i; j++) {
        const pair = `${ids[i]}|${ids[j]}`
        if (set.truth.get(ids[i]!) !== set.truth.get(ids[j]!)) {
          if (kind.get(pair) === 'scored-above') add('false:scored-above')
          continue
        }
        const k = `true:${kind.get(pair) ?? 'not-candidate'}`
        add(k)
        if (!values.show || !k.includes(values.show)) continue
        const x = xs.get(pair)
        const on = x ? FEATURES.map((f, n) => [f, x[n]!] as const).filter(([f, v]) => v !== 0 && !f.includes('*')).map(([f, v]) => `${f}=${+v.toFixed(2)}`).join(' ') : ''
        process.stdout.write(`${k} p=${x ? probability(model, x).toFixed(2) : '-'} ${set.truth.get(ids[i]!)}\n  ${text.get(ids[i]!)}\n  ${text.get(ids[j]!)}\n  ${on}\n`)
      }
    }
  }
  for (const [k, n] of [...counts].sort()) process.stdout.write(`${k} ${n}\n`)
} finally {
  redis.disconnect()
}
