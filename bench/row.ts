/**
 * The one shape every benchmark returns, and the table it is printed as: each figure beside the
 * baseline measured in the same run, with the ratio, so a reader never compares across machines.
 */

export interface BenchRow {
  name: string
  value: number
  unit: string
  /** Name of the baseline row/measurement this figure is compared with. */
  baseline?: string
  baselineValue?: number
}

/** value / baselineValue, or undefined when there is no usable baseline. */
export function ratioOf(row: BenchRow): number | undefined {
  if (row.baselineValue === undefined || !Number.isFinite(row.baselineValue) || row.baselineValue === 0) return undefined
  return row.value / row.baselineValue
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US')
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  if (abs >= 1) return n.toFixed(2)
  if (abs === 0) return '0'
  return n.toPrecision(2)
}

/** The table as text lines (no trailing newline); printTable writes it. */
export function renderTable(title: string, rows: readonly BenchRow[]): string {
  const header = ['figure', 'value', 'unit', 'baseline', 'baseline value', 'ratio']
  const body = rows.map((r) => {
    const ratio = ratioOf(r)
    return [
      r.name,
      formatNumber(r.value),
      r.unit,
      r.baseline ?? '',
      r.baselineValue === undefined ? '' : formatNumber(r.baselineValue),
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)))
  // numbers right-aligned, text left-aligned
  const numeric = [false, true, false, false, true, true]
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [`== ${title} ==`, line(header), rule, ...body.map(line)].join('\n')
}

export function printTable(title: string, rows: readonly BenchRow[]): void {
  process.stdout.write(`${renderTable(title, rows)}\n`)
}
