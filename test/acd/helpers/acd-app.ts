/** The real app with the ACD and agent auth on real Redis (injected clock, no timers). */
import type { AgentConfig, Config } from '../../../config/schema.ts'
import type { DeepPartial } from '../../../config/load.ts'
import { build, type App } from '../../../gateway/app.ts'
import { createLogger } from '../../../gateway/log.ts'
import { Writable } from 'node:stream'
import { acdHarness, type AcdHarness } from './acd.ts'

export const DEMO_PASSWORD = 'demo12345'

export async function acdApp(
  t: { teardown(fn: () => unknown): void },
  opts: { agents: AgentConfig[]; config?: DeepPartial<Config> },
): Promise<AcdHarness & { app: App; login(username: string, password?: string): Promise<string> }> {
  const h = await acdHarness(t, opts)
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))
  const app = await build(h.config, { redis: h.redis, queue: h.queue, logger, acd: h.acd, auth: h.auth, clock: () => new Date(h.now()) })
  t.teardown(() => app.close())
  return {
    ...h,
    app,
    async login(username, password = DEMO_PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password } })
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
      return res.json().token as string
    },
  }
}
