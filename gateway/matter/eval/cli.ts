/**
 * npm run eval:merge -- --data <file.jsonl> [--persons <persons.json>] [--split]
 * Ends with exactly one line: merge: P=<0.xx> R=<0.xx> F1=<0.xx> big=<found>/<total>
 * --split also prints, on stderr, the figures on the first and second half (by intake order).
 * REDIS_URL (default redis://127.0.0.1:6379) is read here because this is a command, not the gateway.
 */
import { loadConfig } from '../../../config/load.ts'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { readDataset, readPersons } from './dataset.ts'
import { formatLine, runEval } from './run-eval.ts'

const { values } = parseArgs({
  options: { data: { type: 'string' }, persons: { type: 'string' }, split: { type: 'boolean', default: false } },
})
if (!values.data) {
  process.stderr.write('usage: eval:merge -- --data <file.jsonl> [--persons <persons.json>] [--split]\n')
  process.exit(2)
}
const data = readDataset(values.data)
const persons = values.persons ? readPersons(values.persons) : new Map<string, string>()
const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 2 })
try {
  const r = await runEval(redis, data, persons)
  if (values.split) {
    const f = (m: typeof r.all) => `P=${m.precision.toFixed(2)} R=${m.recall.toFixed(2)} F1=${m.f1.toFixed(2)}`
    process.stderr.write(`first half: ${f(r.firstHalf)}\nsecond half: ${f(r.secondHalf)}\n`)
  }
  process.stdout.write(`${formatLine(r)}\n`)
} finally {
  redis.disconnect()
}
