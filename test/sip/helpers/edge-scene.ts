/**
 * The SIP edge (createSipEdge, as main.ts builds it) against the drachtio-server wire-level peer
 * (test/peers/drachtio). The peer plays the network: callers are injected as the recorded sipp
 * INVITE with its number, source and headers changed; the far end (FreeSWITCH servers, carriers,
 * partners) answers through `far`.
 */
import { Writable } from 'node:stream'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import type { TrunkConfig } from '../../../config/sip-schema.ts'
import { partnerTrunks } from '../../helpers/partners.ts'
import { createLogger } from '../../../gateway/log.ts'
import { createSipEdge, type SipEdgeHandle } from '../../../gateway/telephony/sip/create-sip-edge.ts'
import { testConfig } from '../../helpers/app.ts'
import { startDrachtioPeer, type DrachtioPeer, type FarEndRequest, type SipText } from '../../peers/drachtio/peer.ts'
import { FAR_END_SDP } from '../../peers/drachtio/far-end.ts'
import { recordedSip } from '../../peers/drachtio/frames.ts'

interface TapLike {
  teardown(fn: () => unknown): void
}

export const FS1 = 'sip:127.0.0.1:5080'
export const FS2 = 'sip:127.0.0.2:5080'

export const TRUNKS: TrunkConfig[] = [
  { id: 'carrier-main', kind: 'carrier', sources: ['127.0.0.3/32'], target: 'sip:127.0.0.3:5090', maxCalls: 2, callsPerSecond: 50, areaCode: '010', numbers: [], defaultOut: true },
  ...partnerTrunks('sip:110@127.0.0.4:5060', { maxCalls: 5, callsPerSecond: 5 }),
]

export interface EdgeScene {
  peer: DrachtioPeer
  edge: SipEdgeHandle
  logs: Record<string, unknown>[]
  /** Every request the far end got, newest last. */
  far: FarEndRequest[]
  /** Answers of the far end by request-URI host (a server down: 'none'). */
  answer: Map<string, 'ok' | 'none' | 'busy'>
  /** Every admin message the edge sent drachtio (SIP it asked drachtio to send), oldest first. */
  sent: string[]
}

export async function edgeScene(t: TapLike, { drachtio, ...sip }: DeepPartial<Config['sip']> = {}): Promise<EdgeScene> {
  const peer = await startDrachtioPeer({ port: 0 })
  t.teardown(() => peer.close())
  const far: FarEndRequest[] = []
  const sent: string[] = []
  peer.on('message', (d: { dir: string; msg: { payload: string } }) => {
    if (d.dir === 'in') sent.push(d.msg.payload)
  })
  const answer = new Map<string, 'ok' | 'none' | 'busy'>()
  peer.onRequest((req) => {
    far.push(req)
    const host = /@?([0-9.]+)(:\d+)?(;|$|>)/.exec(req.uri.replace(/^sip:[^@]*@/, 'sip:@'))?.[1] ?? ''
    const a = answer.get(host) ?? 'ok'
    if (a === 'none') return { unreachable: true }
    if (a === 'busy') return { status: 486 }
    return req.method === 'INVITE' ? { status: 200, body: FAR_END_SDP } : { status: 200 }
  })
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _e, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
      cb()
    },
  })
  const config = testConfig('edge-test', {
    sip: {
      drachtio: { host: peer.host, port: peer.port, secret: 'cymru', backoffInitialMs: 50, backoffMaxMs: 400, ...(drachtio ?? {}) },
      mediaServers: [
        { id: 'fs1', uri: FS1 },
        { id: 'fs2', uri: FS2 },
      ],
      trunks: TRUNKS,
      optionsIntervalMs: 300,
      optionsTimeoutMs: 600,
      ...sip,
    } as DeepPartial<Config['sip']>,
  })
  const edge = await createSipEdge(config, createLogger('info', sink))
  if (!edge) throw new Error('no edge')
  t.teardown(() => edge.close())
  await until(() => edge.link.state === 'connected', 'edge connected')
  return { peer, edge, logs, far, answer, sent }
}

let seq = 0
export interface CallOptions {
  dialed: string
  from?: string
  /** Source address and port, e.g. 127.0.0.3:5077. */
  source: string
  headers?: Record<string, string>
  userAgent?: string
}

/** The recorded sipp INVITE with its number, source, Call-ID and extra headers changed. */
export function inviteText(o: CallOptions): { text: string; callId: string } {
  const [host, port] = o.source.split(':')
  const callId = `${++seq}-${process.pid}@${host}`
  let text = recordedSip('sipp-invite-12345')
    .replaceAll('12345@', `${o.dialed}@`)
    .replace('To: 12345 <', `To: ${o.dialed} <`)
    .replaceAll('127.0.0.1:5077', `${host}:${port}`)
    .replace('Call-ID: 1-20887@127.0.0.1', `Call-ID: ${callId}`)
    .replace(/tag=20887SIPpTag001/, `tag=${seq}SIPpTag001`)
  if (o.from) text = text.replace('From: sipp <sip:sipp@', `From: ${o.from} <sip:${o.from}@`)
  const extra = Object.entries({ ...(o.userAgent ? { 'User-Agent': o.userAgent } : {}), ...(o.headers ?? {}) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  text = text.replace('Subject: Performance Test\r\n', `Subject: Performance Test\r\n${extra}`)
  return { text, callId }
}

export async function call(s: EdgeScene, o: CallOptions): Promise<SipText | undefined> {
  return s.peer.inject(inviteText(o).text, { source: `udp/${o.source}` })
}

/** An OPTIONS from `source` (a carrier keep-alive, or a flood). */
export function optionsText(source: string, n: number): string {
  const [host, port] = source.split(':')
  return [
    `OPTIONS sip:127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:${port};branch=z9hG4bK-opt-${n}`,
    `From: <sip:probe@${host}:${port}>;tag=opt${n}`,
    `To: <sip:127.0.0.1:5060>`,
    `Call-ID: opt-${n}-${process.pid}@${host}`,
    `CSeq: 1 OPTIONS`,
    `Max-Forwards: 70`,
    `Content-Length: 0`,
    ``,
    ``,
  ].join('\r\n')
}

export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export const statusOf = (s: SipText | undefined): number | undefined => (s ? Number(/^SIP\/2\.0 (\d{3})/.exec(s.text)?.[1]) : undefined)
