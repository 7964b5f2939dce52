import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { ratioOf, renderTable } from '../../bench/row.ts'
import { discover } from '../../bench/run.ts'

t.test('a figure is printed beside its baseline with the ratio between them', async (t) => {
  const out = renderTable('intake', [
    { name: 'web intake', value: 1200, unit: 'appeals/s', baseline: 'raw add', baselineValue: 4800 },
    { name: 'RSS', value: 150.25, unit: 'MiB' },
  ])
  const lines = out.split('\n')
  t.equal(lines[0], '== intake ==')
  t.match(lines[3], /^web intake\s+1,200\s+appeals\/s\s+raw add\s+4,800\s+0\.25x$/)
  t.match(lines[4], /^RSS\s+150\s+MiB$/, 'a row without a baseline has no ratio')
})

t.test('a missing or zero baseline gives no ratio rather than Infinity', async (t) => {
  t.equal(ratioOf({ name: 'x', value: 3, unit: 'ms', baselineValue: 0 }), undefined)
  t.equal(ratioOf({ name: 'x', value: 3, unit: 'ms' }), undefined)
  t.equal(ratioOf({ name: 'x', value: 3, unit: 'ms', baselineValue: 2 }), 1.5)
})

t.test('the runner finds every *.bench.ts file and a filter keeps the matching ones', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'))
  for (const f of ['intake.bench.ts', 'acd-offer.bench.ts', 'row.ts', 'notes.md']) writeFileSync(join(dir, f), '')
  t.same(discover(dir, []).map((f) => basename(f)), ['acd-offer.bench.ts', 'intake.bench.ts'])
  t.same(discover(dir, ['intake']).map((f) => basename(f)), ['intake.bench.ts'])
  t.same(discover(dir, ['nothing']), [])
})
