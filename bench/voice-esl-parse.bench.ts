/**
 * Event-socket events parsed and dispatched per second by the gateway's FreeSWITCH adapter
 * (FreeswitchMedia: modesl Connection -> EslConnection -> toFsEvent -> toMediaEvent -> a listener),
 * beside modesl's bare Parser on the same bytes, in the same run. The bytes are recorded plain frames
 * (CHANNEL_PARK, CHANNEL_ANSWER, DTMF, CHANNEL_HANGUP_COMPLETE of one call, esl-inbound-plain, 2-9 KB
 * each) written by a server in another process over loopback as fast as the client reads, once with
 * one frame per write and once with 64 KiB writes. Then the bare Parser alone, fed in this process
 * with chunks of one frame, 64 KiB and 1 MiB, to see whether the parser itself is the bottleneck.
 * Target: adapter / bare parser >= 0.5x.
 * Run alone: npx tsx bench/voice-esl-parse.bench.ts   (VOICE_BENCH_EVENTS=n to change the count)
 */
import { pathToFileURL } from 'node:url'
import { ChildClients } from './lib/child-clients.ts'
import { printTable, type BenchRow } from './row.ts'
import { callFrames } from './voice/frames.ts'
import { adapterRate, bareRate, parserInProcess } from './voice/parse.ts'

export const title = 'voice (event socket): events parsed and dispatched per second'

/** Events per TCP run; a run takes 1-5 s on a busy 2-core machine. */
const EVENTS = Math.min(50_000, Number(process.env.VOICE_BENCH_EVENTS || 2500))
const IN_PROCESS_EVENTS = Math.min(20_000, Math.ceil(EVENTS / 2))
const ROUNDS = 3
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const SERVER = new URL('./voice/stream-server.ts', import.meta.url).pathname

export async function run(): Promise<BenchRow[]> {
  const server = new ChildClients(SERVER)
  try {
    const rows: BenchRow[] = []
    const job = async (frames: number, write: 'frame' | number) => (await server.ask<{ ready: number }>({ job: { frames, write } }, 'ready')).ready
    for (const write of ['frame', 65_536] as const) {
      const label = write === 'frame' ? 'one frame per write' : '64 KiB writes'
      // warm-up (JIT) on a short stream, then ROUNDS interleaved pairs (bare, adapter): the machine's
      // other work comes and goes, so each figure is the median of its rounds
      await bareRate(await job(400, write), 400)
      await adapterRate(await job(400, write), 400)
      const bare: number[] = []
      const adapter: number[] = []
      const bareCpu: number[] = []
      const adapterCpu: number[] = []
      let bytesPerRead = 0
      for (let r = 0; r < ROUNDS; r++) {
        const b = await bareRate(await job(EVENTS, write), EVENTS)
        bare.push(b.perSecond)
        bareCpu.push(b.cpuMicrosPerEvent)
        bytesPerRead += (b.bytesPerRead ?? 0) / ROUNDS
        const a = await adapterRate(await job(EVENTS, write), EVENTS)
        adapter.push(a.perSecond)
        adapterCpu.push(a.cpuMicrosPerEvent)
      }
      rows.push({
        name: `adapter events/s, TCP, ${label} (median of ${ROUNDS} x ${EVENTS})`,
        value: median(adapter),
        unit: 'events/s',
        baseline: 'modesl Parser alone, same bytes',
        baselineValue: median(bare),
      })
      rows.push({ name: `  client CPU per event, ${label}`, value: median(adapterCpu), unit: 'µs', baseline: 'modesl Parser alone', baselineValue: median(bareCpu) })
      rows.push({ name: `  bytes per socket read (${label})`, value: bytesPerRead, unit: 'B' })
    }
    parserInProcess(500, 65_536)
    const sizes = ['frame', 65_536, 1 << 20] as const
    const inProcess = new Map<string | number, number[]>(sizes.map((x) => [x, []]))
    const inProcessCpu = new Map<string | number, number[]>(sizes.map((x) => [x, []]))
    for (let r = 0; r < ROUNDS; r++) {
      for (const size of sizes) {
        const x = parserInProcess(IN_PROCESS_EVENTS, size)
        inProcess.get(size)!.push(x.perSecond)
        inProcessCpu.get(size)!.push(x.cpuMicrosPerEvent)
      }
    }
    const frame = median(inProcess.get('frame')!)
    for (const size of [65_536, 1 << 20] as const) {
      rows.push({
        name: `modesl Parser in-process, ${size === 65_536 ? '64 KiB' : '1 MiB'} chunks`,
        value: median(inProcess.get(size)!),
        unit: 'events/s',
        baseline: 'same, one frame per chunk',
        baselineValue: frame,
      })
    }
    rows.push({ name: 'modesl Parser in-process, one frame per chunk', value: frame, unit: 'events/s' })
    for (const size of sizes) {
      rows.push({ name: `  Parser CPU per event, ${size === 'frame' ? 'one frame' : size === 65_536 ? '64 KiB' : '1 MiB'} per chunk`, value: median(inProcessCpu.get(size)!), unit: 'µs' })
    }
    const frames = callFrames()
    rows.push({ name: 'mean recorded frame size', value: frames.reduce((s, f) => s + f.length, 0) / frames.length, unit: 'B' })
    return rows
  } finally {
    server.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(title, await run())
  process.exit(0)
}
