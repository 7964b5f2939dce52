/**
 * Runs one bench file in this (fresh) process and sends its rows to the parent (bench/run.ts)
 * over the IPC channel. The bench's own "run alone" guard stays false here: argv[1] is this file.
 *   node --import tsx bench/lib/child.ts bench/<name>.bench.ts
 */
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import type { BenchRow } from '../row.ts'

interface BenchModule {
  run?: () => Promise<BenchRow[]>
  title?: string
}

export type ChildMessage =
  | { type: 'rows'; rows: BenchRow[]; title?: string }
  | { type: 'error'; message: string; stack?: string }

function send(msg: ChildMessage): Promise<void> {
  return new Promise((done) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(msg)}\n`)
      done()
      return
    }
    process.send(msg, () => done())
  })
}

async function main(): Promise<void> {
  const file = process.argv[2]
  if (!file) throw new Error('usage: child.ts <bench file>')
  const mod = (await import(pathToFileURL(resolve(file)).href)) as BenchModule
  if (typeof mod.run !== 'function') throw new Error(`${file} does not export run(): Promise<BenchRow[]>`)
  const rows = await mod.run()
  if (!Array.isArray(rows)) throw new Error(`${file}: run() did not resolve to an array of rows`)
  await send({ type: 'rows', rows, title: mod.title })
}

main().then(
  // a bench may leave a handle open (a pool, a timer); the rows are sent, so end here
  () => process.exit(0),
  async (err: Error) => {
    await send({ type: 'error', message: err?.message ?? String(err), stack: err?.stack })
    process.exit(1)
  },
)
