import t from 'tap'
import { Redis } from 'ioredis'
import { readDataset, readPersons } from '../../gateway/matter/eval/dataset.ts'
import { runEval } from '../../gateway/matter/eval/run-eval.ts'
import { REDIS_URL } from './fixtures/linker-setup.ts'

// Floors against regressions, not targets: the figures of the committed model (merge-model.json)
// on the sets it was trained on, a little below what it scores (docs/matter-linking.md has the
// cross-validated figures, which are the honest ones). The held-out sets (merge-blind,
// merge-more/holdout, merge-more/holdout2) are not here: they are run by hand, once per model, and never tuned on.
const SETS = [
  { data: 'test/data/merge/dev.jsonl', persons: 'test/data/merge/persons.json', f1: 0.9, p: 0.85, bigMissed: 1 },
  { data: 'test/data/merge-check/check.jsonl', persons: 'test/data/merge-check/persons.json', f1: 0.9, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check2.jsonl', persons: 'test/data/merge-check/persons2.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check3.jsonl', persons: 'test/data/merge-check/persons3.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check4.jsonl', persons: 'test/data/merge-check/persons4.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check5.jsonl', persons: 'test/data/merge-check/persons5.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check6.jsonl', persons: 'test/data/merge-check/persons6.json', f1: 0.85, p: 0.85, bigMissed: 1 },
  { data: 'test/data/merge-check/check7.jsonl', persons: 'test/data/merge-check/persons7.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check8.jsonl', persons: 'test/data/merge-check/persons8.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-check/check9.jsonl', persons: 'test/data/merge-check/persons9.json', f1: 0.85, p: 0.9, bigMissed: 1 },
  { data: 'test/data/merge-more/train.jsonl', persons: 'test/data/merge-more/train-persons.json', f1: 0.55, p: 0.9, bigMissed: 7 },
  { data: 'test/data/merge-more/train2.jsonl', persons: 'test/data/merge-more/train2-persons.json', f1: 0.55, p: 0.9, bigMissed: 7 },
  { data: 'test/data/merge-more/train3.jsonl', persons: 'test/data/merge-more/train3-persons.json', f1: 0.65, p: 0.9, bigMissed: 3 },
  { data: 'test/data/merge-more/train4.jsonl', persons: 'test/data/merge-more/train4-persons.json', f1: 0.45, p: 0.8, bigMissed: 8 },
  { data: 'test/data/merge-more/train5.jsonl', persons: 'test/data/merge-more/train5-persons.json', f1: 0.4, p: 0.85, bigMissed: 9 },
  { data: 'test/data/merge-more/train6.jsonl', persons: 'test/data/merge-more/train6-persons.json', f1: 0.35, p: 0.8, bigMissed: 8 },
]

t.test('the linker keeps its quality on the labelled sets', async (t) => {
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.disconnect())
  for (const set of SETS) {
    const r = await runEval(redis, readDataset(set.data), readPersons(set.persons))
    t.ok(r.all.f1 >= set.f1, `${set.data}: F1 ${r.all.f1.toFixed(2)} >= ${set.f1}`)
    t.ok(r.all.precision >= set.p, `${set.data}: precision ${r.all.precision.toFixed(2)} >= ${set.p}`)
    t.ok(r.big.found >= r.big.total - set.bigMissed, `${set.data}: big matters ${r.big.found}/${r.big.total}`)
  }
  t.equal((await redis.keys('eval-*:matter:*')).length, 0, 'the evals left no keys behind')
})
