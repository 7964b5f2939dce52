/** A test app with the signed channels configured, and a sender that signs like a partner would. */
import type { Redis } from 'ioredis'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import { sign } from '../../../channels/signed/signature.ts'
import type { AppDeps } from '../../../gateway/app.ts'
import { buildTestApp, type TestApp } from '../../helpers/app.ts'

export const SECRETS = {
  mailbox: 'mailbox-secret-7f3a9c0e5b',
  board: 'board-secret-1d8e4f2a6c',
  govApp: 'gov-app-secret-9b2c7e1f04',
}

export const URLS = {
  mailbox: '/v1/channels/mailbox/messages',
  board: '/v1/channels/message-board/messages',
  app: (name: string) => `/v1/channels/apps/${name}/messages`,
}

/** The gateway's clock in these tests; timestamps are signed relative to it. */
export const NOW = new Date('2026-11-27T02:00:00Z')
export const NOW_S = Math.floor(NOW.getTime() / 1000)

interface TapLike {
  teardown(fn: () => unknown): void
}

export async function signedTestApp(
  t: TapLike,
  opts: { config?: DeepPartial<Config>; env?: NodeJS.ProcessEnv; deps?: Partial<AppDeps>; redis?: Redis; prefix?: string } = {},
): Promise<TestApp> {
  const channels = opts.config?.channels ?? {}
  return buildTestApp(t, {
    config: {
      ...opts.config,
      channels: {
        mailbox: { secret: SECRETS.mailbox },
        messageBoard: { secret: SECRETS.board },
        signedApps: [{ name: 'gov-app', displayName: '城市服务App', secretEnv: 'GOV_APP_SECRET' }],
        ...channels,
      } as DeepPartial<Config['channels']>,
    },
    env: opts.env ?? { GOV_APP_SECRET: SECRETS.govApp },
    deps: { clock: () => NOW, ...opts.deps },
    ...(opts.redis ? { redis: opts.redis, prefix: opts.prefix } : {}),
  })
}

export interface SendOptions {
  secret: string
  timestamp?: number | string
  /** Overrides the computed signature (tampering tests). */
  signature?: string
  headers?: Record<string, string>
}

/** POSTs `body` (an object is serialized once; a string/Buffer is sent as is) signed with `secret`. */
export async function sendSigned(ta: TestApp, url: string, body: unknown, o: SendOptions) {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  const timestamp = String(o.timestamp ?? NOW_S)
  const signature = o.signature ?? sign(o.secret, timestamp, payload)
  const res = await ta.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature, ...o.headers },
  })
  return { res, body: res.json() as Record<string, any>, payload, timestamp, signature }
}

const CONTENTS = [
  '小区门口的路灯已经坏了两个多星期，晚上出行很不安全，希望尽快维修。',
  '楼下烧烤店每天营业到凌晨两点，油烟和噪音严重影响居民休息。',
  '公交12路站台的候车亭顶棚破损，下雨天无法避雨，请相关部门处理。',
  '建议在学校周边增设减速带和人行横道，上下学时段车流量很大。',
  '老旧小区加装电梯的补贴政策如何申请？需要准备哪些材料？',
]

/** A realistic board post; `i` varies the text and the post id. */
export function boardPost(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: `LY-2026-${String(100000 + i)}`,
    receivedAt: '2026-11-26T21:15:00+08:00',
    citizen: { name: '王女士', phone: `1391234${String(i % 10000).padStart(4, '0')}` },
    content: CONTENTS[i % CONTENTS.length],
    category: '投诉',
    location: { address: '朝阳区建国路88号', lat: 39.9087, lng: 116.4603 },
    ...extra,
  }
}
