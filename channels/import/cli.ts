/**
 * Bulk import of a message-board or mailbox back-office export (JSON or CSV) into the one queue.
 *   npm run import -- --channel message-board <file.json|file.csv> [--concurrency 16]
 *   npm run import -- --channel app --app gov-app <file>
 * Exit codes: 0 every row imported or already present; 1 some rows rejected (the others are in);
 * 2 nothing could be done (bad arguments, unreadable file, unknown CSV column, Redis unreachable or
 * lost mid-way — rows already stored stay, and re-running is safe).
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../../config/load.ts'
import { createLogger } from '../../gateway/log.ts'
import { createMetrics } from '../../gateway/http/metrics.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import { appealQueueFromConfig } from '../../gateway/queue/appeal-queue-from-config.ts'
import { sourceFor } from '../signed/sources.ts'
import { columnOf, ExportUnreadable, readExport } from './read-export.ts'
import { progressFor } from './progress.ts'
import { runImport, type ImportSummary } from './run-import.ts'

const USAGE = 'usage: npm run import -- --channel message-board|mailbox|app [--app <name>] [--concurrency N] <file.json|file.csv>'
const SHOWN_REASONS = 10

function fail(message: string): never {
  process.stderr.write(`import: ${message}\n`)
  process.exit(2)
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>
  try {
    args = parse()
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`)
  }
  const { values, positionals } = args
  if (positionals.length !== 1 || !values.channel) fail(USAGE)
  const concurrency = Number(values.concurrency ?? 16)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) fail('--concurrency must be 1..256')

  const config = loadConfig()
  const source = sourceFor(config, values.channel, values.app)
  if (!source) {
    fail(values.channel === 'app' ? `no signed app named ${JSON.stringify(values.app ?? '')} in channels.signedApps` : USAGE)
  }
  const file = positionals[0]
  let rows
  try {
    rows = readExport(file, config.timezone).rows
  } catch (err) {
    if (err instanceof ExportUnreadable) fail(err.message)
    throw err
  }

  const redis = connectRedis(config.redis.url)
  redis.on('error', () => {}) // reported below through the failed command or waitReady
  try {
    await waitReady(redis, 5000)
  } catch (err) {
    fail(`Redis at ${config.redis.url.replace(/\/\/[^@/]*@/, '//***@')} is unreachable: ${(err as Error).message}`)
  }
  const queue = appealQueueFromConfig(config, redis)
  const logger = createLogger(values['log-level'] ?? 'warn', process.stderr)
  const metrics = createMetrics({ queueDepth: async () => 0, defaults: false })
  const progress = progressFor(rows.length)
  let summary: ImportSummary
  try {
    summary = await runImport(
      { queue, metrics, storeReady: () => redis.status === 'ready' },
      logger,
      { source, rows, concurrency, progress },
    )
  } catch (err) {
    progress.stop()
    fail(`stopped: ${(err as Error).message}; rows stored so far stay, and running the import again is safe`)
  } finally {
    progress.stop()
    await queue.close().catch(() => {})
    await redis.quit().catch(() => {})
  }
  process.stdout.write(report(summary, source.key, file))
  process.exit(summary.rejected.length === 0 ? 0 : 1)
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      channel: { type: 'string' },
      app: { type: 'string' },
      concurrency: { type: 'string' },
      'log-level': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
}

function report(s: ImportSummary, source: string, file: string): string {
  const lines = [`${file} -> ${source}: imported ${s.imported}, already present ${s.present}, rejected ${s.rejected.length} (of ${s.total} rows)`]
  for (const r of s.rejected.slice(0, SHOWN_REASONS)) {
    const column = columnOf(r.field)
    const where = column ? `${column} (${r.field})` : r.field
    lines.push(`  row ${r.index}: ${where} ${r.code}: ${r.message}`)
  }
  if (s.rejected.length > SHOWN_REASONS) lines.push(`  ... and ${s.rejected.length - SHOWN_REASONS} more`)
  return `${lines.join('\n')}\n`
}

main().catch((err) => {
  process.stderr.write(`import: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(2)
})
