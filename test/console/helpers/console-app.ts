/** The real app listening on 127.0.0.1:<random> with the agent console, for websocket tests. */
import { SignJWT, jwtVerify } from 'jose'
import type { AddressInfo } from 'node:net'
import { buildTestApp, type TestApp } from '../../helpers/app.ts'
import { agentConsole } from '../../../agent-console/server/plugin.ts'
import type { Identity } from '../../../agent-console/server/session.ts'
import type { Role } from '../../../gateway/acd/types.ts'
import { FakeAcd } from './fake-acd.ts'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'

const SECRET = new TextEncoder().encode('test-console-secret-0123456789abcdef')

export interface ConsoleTestApp extends TestApp {
  acd: FakeAcd
  url: string
  wsUrl: string
  token(agentId: string, role?: Role, ttlSeconds?: number): Promise<string>
}

interface TapLike {
  teardown(fn: () => unknown): void
}

export async function consoleApp(t: TapLike, config: DeepPartial<Config> = {}): Promise<ConsoleTestApp> {
  const base = await buildTestApp(t, { config })
  const acd = new FakeAcd(base.queue)
  await base.app.register(agentConsole, {
    config: base.config.console,
    hotlines: base.config.hotlines,
    acd,
    queue: base.queue,
    redis: base.redis,
    keyPrefix: base.prefix,
    verifyToken: async (token: string): Promise<Identity> => {
      const { payload } = await jwtVerify(token, SECRET)
      return { agentId: payload.sub!, name: `坐席${payload.sub}`, role: payload.role as Role, expiresAt: new Date(payload.exp! * 1000) }
    },
  })
  await base.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = base.app.server.address() as AddressInfo
  return {
    ...base,
    acd,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/agent/ws`,
    token: (agentId, role = 'agent', ttl = 600) =>
      new SignJWT({ role })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(agentId)
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
        .sign(SECRET),
  }
}
