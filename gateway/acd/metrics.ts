/** Prometheus gauges of the ACD on the app's registry; one stats() read per scrape. */
import { Gauge, type Registry } from 'prom-client'
import type { Acd, AcdStats } from './types.ts'

export function registerAcdMetrics(registry: Registry, acd: Acd): void {
  let cached: { at: number; p: Promise<AcdStats> } | undefined
  const read = () => {
    const now = Date.now()
    if (!cached || now - cached.at > 1000) cached = { at: now, p: acd.stats() }
    return cached.p
  }
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: AcdStats) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        try {
          const s = await read()
          this.reset()
          fill(this, s)
        } catch {
          // Redis down: keep the last values; /readyz reports the outage.
        }
      },
    })
  gauge('gw_acd_waiting', 'Entries waiting for an agent, per queue', ['queue'], (g, s) => {
    for (const q of s.queues) g.set({ queue: q.queue }, q.waiting)
  })
  gauge('gw_acd_longest_wait_seconds', 'Wait of the oldest waiting entry, per queue', ['queue'], (g, s) => {
    for (const q of s.queues) g.set({ queue: q.queue }, q.longestWaitSeconds)
  })
  gauge('gw_acd_agents', 'Agents by state', ['state'], (g, s) => {
    for (const [state, n] of Object.entries(s.agentsByState)) g.set({ state }, n)
  })
  const today = (name: string, help: string, pick: (s: AcdStats) => number) =>
    gauge(name, `${help} (today, centre's time zone)`, [], (g, s) => g.set(pick(s)))
  today('gw_acd_calls_offered_today', 'Calls that entered the queue', (s) => s.today.offered)
  today('gw_acd_calls_answered_today', 'Calls answered by an agent', (s) => s.today.answered)
  today('gw_acd_calls_abandoned_today', 'Calls abandoned while waiting', (s) => s.today.abandoned)
  today('gw_acd_answer_ratio', 'Answer rate, GB/T 33358 接通率 (every abandon counted)', (s) => s.today.answerRate)
  today('gw_acd_service_level_ratio', '15-second answer rate (short abandons excluded)', (s) => s.today.answeredWithin15sRate)
  today('gw_acd_abandon_ratio', 'Abandon rate (short abandons excluded)', (s) => s.today.abandonRate)
  today('gw_acd_average_speed_of_answer_seconds', 'Average speed of answer', (s) => s.today.averageSpeedOfAnswerSeconds)
  today('gw_acd_average_handle_time_seconds', 'Average handle time of calls', (s) => s.today.averageHandleTimeSeconds)
  today('gw_acd_written_within_3min_ratio', 'Written appeals taken within 3 minutes', (s) => s.today.writtenWithin3minRate)
}
