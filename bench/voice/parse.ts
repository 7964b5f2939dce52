/**
 * Events parsed and dispatched per second: the adapter (FreeswitchMedia: modesl Connection ->
 * EslConnection -> toFsEvent -> toMediaEvent -> a listener) beside modesl's bare Parser on the same
 * bytes, both reading from bench/voice/stream-server.ts in another process over loopback TCP, and the
 * bare Parser fed in-process with fixed chunk sizes (no TCP) to see whether it is the bottleneck.
 */
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import { createLogger } from '../../gateway/log.ts'
import { FreeswitchMedia } from '../../gateway/telephony/freeswitch/freeswitch-media.ts'
import { callFrames, chunks } from './frames.ts'

interface ParserLike extends EventEmitter {
  buffer: Buffer
}
const require = createRequire(import.meta.url)
const Parser = require('modesl/lib/esl/Parser.js') as new (socket: EventEmitter) => ParserLike

export interface Rate {
  events: number
  seconds: number
  perSecond: number
  /** CPU (user + system) of this process per event between the first and the last event, µs. */
  cpuMicrosPerEvent: number
  /** Mean bytes per socket read (TCP runs of the bare parser). */
  bytesPerRead?: number
}

/** A moment: wall clock and this process's CPU. */
interface Mark {
  at: bigint
  cpu: number
}
const mark = (): Mark => {
  const c = process.cpuUsage()
  return { at: process.hrtime.bigint(), cpu: c.user + c.system }
}

const TIMEOUT_MS = 30_000

function rate(n: number, first: Mark, last: Mark, bytesPerRead?: number): Rate {
  const seconds = Number(last.at - first.at) / 1e9
  return { events: n, seconds, perSecond: (n - 1) / seconds, cpuMicrosPerEvent: (last.cpu - first.cpu) / (n - 1), bytesPerRead }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${TIMEOUT_MS} ms`)), TIMEOUT_MS)))]).finally(() => clearTimeout(timer))
}

/** The gateway's adapter: `n` plain events through FreeswitchMedia to one subscriber. */
export async function adapterRate(port: number, n: number): Promise<Rate & { mapped: number }> {
  const logger = createLogger('info', new Writable({ write: (_c, _e, cb) => cb() }))
  const media = new FreeswitchMedia({
    servers: [{ id: 'fs1', host: '127.0.0.1', port, password: 'ClueCon' }],
    timeouts: { connectMs: 3000, commandMs: 5000 },
    backoff: { initialMs: 60_000, maxMs: 60_000 },
    // no probe during the run: the stream server answers commands only between its writes
    health: { intervalMs: 3_600_000, timeoutMs: 60_000 },
    downAfterMs: 60_000,
    logger,
  })
  let count = 0
  let mapped = 0
  let first: Mark = { at: 0n, cpu: 0 }
  const done = new Promise<Mark>((resolve) => {
    media.subscribe((e) => {
      if (e.type === 'server-up' || e.type === 'server-down') return
      mapped++
      if (count++ === 0) first = mark()
      if (count === n) resolve(mark())
    })
  })
  // Every recorded frame maps to a media event (call-arrived, answered, dtmf, hangup): count them there.
  await media.start()
  try {
    const last = await withTimeout(done, 'adapter')
    return { ...rate(n, first, last), mapped }
  } finally {
    await media.close()
  }
}

/** modesl's Parser alone on a raw socket: counts `esl::event` of plain events. */
export async function bareRate(port: number, n: number): Promise<Rate> {
  const sock = connect(port, '127.0.0.1')
  sock.setNoDelay(true)
  const parser = new Parser(sock)
  let count = 0
  let first: Mark = { at: 0n, cpu: 0 }
  let reads = 0
  let bytes = 0
  let counting = false
  sock.on('data', (d: Buffer) => {
    if (!counting) return
    reads++
    bytes += d.length
  })
  const done = new Promise<Mark>((resolve, reject) => {
    sock.on('error', reject)
    parser.on('esl::event', (_evt: unknown, headers: Record<string, string>) => {
      const type = headers['Content-Type']
      if (type === 'auth/request') sock.write('auth ClueCon\n\n')
      else if (type === 'command/reply' && String(headers['Reply-Text']).startsWith('+OK accepted')) sock.write('event plain CHANNEL_PARK CHANNEL_ANSWER DTMF CHANNEL_HANGUP_COMPLETE\n\n')
      else if (type === 'command/reply') sock.write('api show channels as json\n\n')
      else if (type === 'api/response') counting = true
      else if (type === 'text/event-plain') {
        if (count++ === 0) first = mark()
        if (count === n) resolve(mark())
      }
    })
  })
  try {
    const last = await withTimeout(done, 'bare parser')
    return rate(n, first, last, bytes / Math.max(1, reads))
  } finally {
    sock.destroy()
  }
}

/** The bare Parser fed in this process (no socket): `n` events cut into chunks of `size`. */
export function parserInProcess(n: number, size: 'frame' | number): Rate {
  const parts = chunks(callFrames(), n, size)
  const fake = new EventEmitter()
  const parser = new Parser(fake)
  let count = 0
  parser.on('esl::event', () => {
    count++
  })
  const first = mark()
  for (const p of parts) fake.emit('data', p)
  const last = mark()
  if (count !== n) throw new Error(`parser in process: ${count} of ${n} events`)
  // every event is inside the window here (rate() counts n - 1 intervals)
  const seconds = Number(last.at - first.at) / 1e9
  return { events: n, seconds, perSecond: n / seconds, cpuMicrosPerEvent: (last.cpu - first.cpu) / n }
}
