/**
 * The FreeSWITCH wire-level peer (test/peers/freeswitch) in its own process, so that its work and
 * memory stay out of the measured gateway process, instrumented from outside without changing what it
 * does: its public `commands` list gets a `push` that first notes the time (process.hrtime, i.e.
 * CLOCK_MONOTONIC, comparable across processes on one machine) and then pushes as before.
 *   t0 of a call = when `placeCall` returns: the peer writes the call's events synchronously, the
 *                  CHANNEL_PARK last, so this is right after the PARK went to the socket;
 *   t1 of a call = when the peer has parsed the first command naming the call's uuid.
 * IPC (bench/lib/child-clients.ts): every message answers with the key named here.
 *   { start: { playbackMs } }            -> { started: { host, port } }   (closes any previous peer)
 *   { place: { rate, seconds, wait? } }  -> { placed: { latencies, firstVerbs, missing, lateStarts } }
 *   { endpoint: { target, behaviour } }  -> { endpointSet: true }
 *   { watchOriginate: agentId }          -> { watching: agentId }, later { originate: { agentId, at } }
 *   { count: true }                      -> { counted: { channels, waitingWithMusic, commands, rssMiB, lagMaxMs } }
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startFreeswitchPeer, type FreeswitchPeer, type ReceivedCommand } from '../../test/peers/freeswitch/peer.ts'
import type { EndpointBehaviour } from '../../test/peers/freeswitch/switch.ts'
import { phoneFor } from '../lib/appeal-samples.ts'

const ESL_PASSWORD = 'ClueCon' // as bench/voice/gateway.ts

let peer: FreeswitchPeer | undefined
let seq = 0
const t0 = new Map<string, bigint>()
const t1 = new Map<string, { at: bigint; verb: string }>()
const watchedAgents = new Set<string>()
/** The peer's own event-loop delay since the last count: a starved peer answers late. */
const lag = monitorEventLoopDelay({ resolution: 10 })
lag.enable()

const send = (m: Record<string, unknown>) => process.send?.(m)
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

function onCommand(cmd: ReceivedCommand, at: bigint): void {
  for (const uuid of cmd.line.match(UUID) ?? []) {
    if (t0.has(uuid) && !t1.has(uuid)) t1.set(uuid, { at, verb: cmd.line.split(' ').slice(0, 2).join(' ') })
  }
  if (cmd.line.startsWith('bgapi originate')) {
    const agent = /user\/(\d+)/.exec(cmd.line)?.[1]
    if (agent && watchedAgents.has(agent)) {
      watchedAgents.delete(agent)
      send({ originate: { agentId: agent, at: String(at) } })
    }
  }
}

async function start(playbackMs: number): Promise<{ host: string; port: number }> {
  await peer?.close()
  t0.clear()
  t1.clear()
  const p = await startFreeswitchPeer({ password: ESL_PASSWORD, playbackMs, heartbeatMs: 60_000 })
  const push = p.commands.push.bind(p.commands)
  p.commands.push = (...cmds: ReceivedCommand[]) => {
    const at = process.hrtime.bigint()
    for (const c of cmds) onCommand(c, at)
    return push(...cmds)
  }
  peer = p
  return { host: p.host, port: p.port }
}

/** Calls at a fixed rate (open loop: the schedule does not wait for the gateway). */
async function place(rate: number, seconds: number, waitMs: number) {
  const p = peer!
  const total = Math.round(rate * seconds)
  const interval = 1000 / rate
  const mine: string[] = []
  let lateStarts = 0
  const start = performance.now()
  for (let i = 0; i < total; i++) {
    const due = start + i * interval
    const wait = due - performance.now()
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait - 0.5))
    if (performance.now() - due > 5) lateStarts++
    const n = seq++
    const uuid = p.sw.placeCall({ destination: '12345', callerNumber: phoneFor(n) })
    t0.set(uuid, process.hrtime.bigint())
    mine.push(uuid)
  }
  const deadline = performance.now() + waitMs
  while (mine.some((u) => !t1.has(u)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  const latencies: number[] = []
  const firstVerbs: Record<string, number> = {}
  for (const u of mine) {
    const got = t1.get(u)
    if (!got) continue
    latencies.push(Number(got.at - t0.get(u)!) / 1e6)
    firstVerbs[got.verb] = (firstVerbs[got.verb] ?? 0) + 1
  }
  return { latencies, firstVerbs, missing: total - latencies.length, lateStarts, seconds: (performance.now() - start) / 1000 }
}

function count() {
  const p = peer!
  let waitingWithMusic = 0
  for (const c of p.sw.channels.values()) {
    if (c.apps?.some((a) => a.name === 'playback' && a.arg.startsWith('local_stream://'))) waitingWithMusic++
  }
  const lagMaxMs = lag.max / 1e6
  lag.reset()
  return { channels: p.sw.channels.size, waitingWithMusic, commands: p.commands.length, rssMiB: process.memoryUsage().rss / 2 ** 20, lagMaxMs }
}

process.on('message', (m: Record<string, any>) => {
  void (async () => {
    try {
      if (m.start) send({ started: await start(m.start.playbackMs ?? 20) })
      else if (m.place) send({ placed: await place(m.place.rate, m.place.seconds, m.place.waitMs ?? 5000) })
      else if (m.endpoint) {
        peer!.setEndpoint(m.endpoint.target, m.endpoint.behaviour as EndpointBehaviour)
        send({ endpointSet: true })
      } else if (m.watchOriginate) {
        watchedAgents.add(String(m.watchOriginate))
        send({ watching: m.watchOriginate })
      } else if (m.count) send({ counted: count() })
    } catch (err) {
      send({ error: (err as Error).stack ?? String(err) })
    }
  })()
})
process.on('disconnect', () => process.exit(0))
