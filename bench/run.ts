/**
 * npm run bench [-- filter ...]: finds bench/*.bench.ts, runs each one at a time in a fresh child
 * process (so one bench's heap and RSS never show up in another's figures), prints one table per
 * bench and writes the combined results to bench/results/latest.json (plus <name>.json per bench,
 * so a filtered run does not lose the others). A filter keeps files whose name contains it.
 * Exit code 1 if any bench failed.
 */
import { fork } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { printTable, type BenchRow } from './row.ts'
import type { ChildMessage } from './lib/child.ts'
import { describeMachine, machineInfo } from './lib/machine.ts'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const RESULTS_DIR = join(BENCH_DIR, 'results')
const CHILD = join(BENCH_DIR, 'lib', 'child.ts')
/** A bench that takes longer than this is stopped and reported as failed. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS || 15 * 60_000)

interface BenchResult {
  name: string
  file: string
  title: string
  startedAt: string
  durationMs: number
  rows: BenchRow[]
  error?: string
}

export function discover(dir: string, filters: string[]): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort()
    .map((f) => join(dir, f))
}

function runOne(file: string): Promise<BenchResult> {
  const name = basename(file, '.bench.ts')
  const startedAt = new Date()
  return new Promise((done) => {
    let reply: ChildMessage | undefined
    const child = fork(CHILD, [file], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
    const timer = setTimeout(() => {
      reply ??= { type: 'error', message: `timed out after ${TIMEOUT_MS} ms` }
      child.kill('SIGKILL')
    }, TIMEOUT_MS)
    child.on('message', (m: ChildMessage) => {
      reply = m
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const base = { name, file: resolve(file), startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() }
      if (reply?.type === 'rows') done({ ...base, title: reply.title ?? name, rows: reply.rows })
      else {
        const why = reply?.type === 'error' ? (reply.stack ?? reply.message) : `exited with ${signal ?? code} before sending rows`
        done({ ...base, title: name, rows: [], error: why })
      }
    })
  })
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => a !== '--')
  const files = discover(BENCH_DIR, filters)
  if (files.length === 0) {
    process.stderr.write(`no bench/*.bench.ts matches ${filters.join(', ') || '(no filter)'}\n`)
    process.exit(1)
  }
  const machine = await machineInfo()
  process.stdout.write(`machine: ${describeMachine(machine)}\n`)
  process.stdout.write(`benches: ${files.map((f) => basename(f)).join(', ')}\n\n`)

  const results: BenchResult[] = []
  for (const file of files) {
    process.stdout.write(`-- ${basename(file)} (fresh process)\n`)
    const r = await runOne(file)
    results.push(r)
    process.stdout.write('\n')
    if (r.error) process.stdout.write(`== ${r.title} == FAILED after ${(r.durationMs / 1000).toFixed(1)} s\n${r.error}\n\n`)
    else {
      printTable(`${r.title} (${(r.durationMs / 1000).toFixed(1)} s)`, r.rows)
      process.stdout.write('\n')
    }
  }

  mkdirSync(RESULTS_DIR, { recursive: true })
  const at = new Date().toISOString()
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ at, machine, filters, results }, null, 2)}\n`)
  for (const r of results) {
    if (!r.error) writeFileSync(join(RESULTS_DIR, `${r.name}.json`), `${JSON.stringify({ at, machine, result: r }, null, 2)}\n`)
  }
  process.stdout.write(`results written to ${join(RESULTS_DIR, 'latest.json')}\n`)
  const failed = results.filter((r) => r.error)
  if (failed.length) {
    process.stderr.write(`${failed.length} bench(es) failed: ${failed.map((r) => r.name).join(', ')}\n`)
    process.exit(1)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main()
