import { Pool } from 'undici'
import { GatewayChild } from '/work/wt-bench/bench/intake/gateway.ts'
import { closedLoop } from '/work/wt-bench/bench/lib/load.ts'
import { webAppeal } from '/work/wt-bench/bench/lib/appeal-samples.ts'
const gw = await GatewayChild.start({ redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'bench-prof-' + Date.now(), logLevel: 'warn', rateLimitMax: 1e8 })
const pool = new Pool(gw.url, { connections: 50 })
const r = await closedLoop({ concurrency: 50, warmupMs: 2000, durationMs: 15000, fire: async (i) => {
  const res = await pool.request({ path: '/v1/channels/web/appeals', method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'prof-' + Date.now() + '-' + i }, body: JSON.stringify(webAppeal(i)) })
  const t = await res.body.text(); if (res.statusCode !== 202) throw new Error(t)
}})
console.log(r)
await pool.close(); await gw.stop()
