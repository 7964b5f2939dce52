/**
 * Imports a back-office export through the signed channels' own path: each row is validated and
 * submitted exactly as an HTTP message would be (processMessages), with bounded concurrency.
 * Re-importing is idempotent: rows whose externalId is already stored count as "already present".
 */
import type { FastifyBaseLogger } from 'fastify'
import type { IntakeDeps } from '../common/intake.ts'
import { processMessages, type RejectedItem } from '../signed/process-messages.ts'
import type { SignedSource } from '../signed/sources.ts'
import type { ExportRow } from './read-export.ts'
import type { Progress } from './progress.ts'

export interface ImportSummary {
  total: number
  imported: number
  present: number
  rejected: RejectedItem[]
}

export interface ImportOptions {
  source: SignedSource
  rows: ExportRow[]
  concurrency: number
  clock?: () => Date
  progress?: Progress
}

export async function runImport(deps: IntakeDeps, log: FastifyBaseLogger, opts: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { total: opts.rows.length, imported: 0, present: 0, rejected: [] }
  const counts = { imported: 0, present: 0, rejected: 0 }
  const outcomes = await processMessages(
    deps,
    log,
    opts.rows.map((r) => r.message),
    {
      source: opts.source,
      pointer: () => '',
      indexOf: (i) => opts.rows[i].row,
      clock: opts.clock ?? (() => new Date()),
      concurrency: opts.concurrency,
      onOutcome: (o) => {
        if (!o.ok) counts.rejected++
        else if (o.created) counts.imported++
        else counts.present++
        opts.progress?.tick(counts)
      },
    },
  )
  for (const o of outcomes) {
    if (!o.ok) summary.rejected.push(o)
    else if (o.created) summary.imported++
    else summary.present++
  }
  return summary
}
