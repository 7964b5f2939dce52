/**
 * The gateway with its SIP edge in front, against real servers: a real drachtio-server started with
 * config/drachtio, one or two real FreeSWITCH started with config/freeswitch, sipp as carriers,
 * partners and phones on their own loopback addresses (the trunks' source addresses):
 *   127.0.0.3  the carrier (callers, and the far end of calls out)
 *   127.0.0.4  the 110 partner (its dispatcher's switch)
 *   127.0.0.9  nobody's (unknown source)
 * Calls out of FreeSWITCH go through the edge (voice.carrierDialString points at drachtio).
 */
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import type { TrunkConfig } from '../../../config/sip-schema.ts'
import { consoleApp, type ConsoleTestApp } from '../../console/helpers/console-app.ts'
import { startFreeswitch, TEST_SIP_SECRET, SIP_DOMAIN, type RealFreeswitch } from './freeswitch.ts'
import { startDrachtio, type RealDrachtio } from './drachtio.ts'
import { realServer } from './real-scene.ts'
import { partnerTrunks } from '../../helpers/partners.ts'
import type { Sipp, SippKit } from './sipp.ts'

interface TapLike {
  teardown(fn: () => unknown): void
  passing(): boolean
}

export const CARRIER_IP = '127.0.0.3'
export const PARTNER_110_IP = '127.0.0.4'
export const UNKNOWN_IP = '127.0.0.9'

export interface RealEdgeScene extends ConsoleTestApp {
  fs: RealFreeswitch
  fs2?: RealFreeswitch
  drachtio: RealDrachtio
  sipp: SippKit
  /** The carrier's far end (calls out land here). */
  carrier: Sipp
  /** The 110 dispatcher's switch. */
  partner110: Sipp
  /** Where callers send: drachtio-server's SIP address. */
  edgeTarget: string
}

export interface RealEdgeOptions {
  voice?: DeepPartial<Config['voice']>
  sip?: DeepPartial<Config['sip']>
  /** Per-trunk changes (maxCalls ...). */
  carrierTrunk?: Partial<TrunkConfig>
  /** A second FreeSWITCH in the pool. */
  secondFs?: boolean
  partnerBehaviour?: 'answer' | 'no-answer' | 'busy'
  /** The dispatcher answers and hangs up itself after this long. */
  partnerHangsUpAfterMs?: number
  emergency?: DeepPartial<Config['emergency']>
  /** Secrets as the environment gives them (EMERGENCY_110_SECRET ...). */
  env?: NodeJS.ProcessEnv
}

export async function realEdgeScene(t: TapLike, o: RealEdgeOptions = {}): Promise<RealEdgeScene> {
  let gwLogs: Record<string, unknown>[] = []
  let drachtio: RealDrachtio | undefined
  const { fs, sipp } = await realServer(t, () =>
    [
      `gateway log (voice, edge):\n${gwLogs.filter((l) => l.component === 'voice' || l.component === 'sip-edge' || 'callId' in l).map((l) => JSON.stringify(l)).join('\n')}`,
      `drachtio-server output (end):\n${drachtio?.output().slice(-15_000) ?? ''}`,
    ].join('\n\n'),
  )
  const fs2 = o.secondFs ? await startFreeswitch(t) : undefined
  drachtio = await startDrachtio(t)
  const carrier = await sipp.farEnd(CARRIER_IP, 'answer')
  const partner110 = await sipp.farEnd(PARTNER_110_IP, o.partnerBehaviour ?? 'answer', o.partnerHangsUpAfterMs)
  const trunks: TrunkConfig[] = [
    {
      id: 'carrier-main',
      kind: 'carrier',
      sources: [`${CARRIER_IP}/32`],
      target: `sip:${CARRIER_IP}:${carrier.port}`,
      maxCalls: 50,
      callsPerSecond: 20,
      areaCode: '010',
      numbers: [],
      defaultOut: true,
      ...o.carrierTrunk,
    },
    ...partnerTrunks(`sip:110@${PARTNER_110_IP}:${partner110.port}`),
  ]
  const servers = [{ id: 'fs1', host: '127.0.0.1', port: fs.ports.esl, password: fs.eslPassword }]
  const mediaServers = [{ id: 'fs1', uri: `sip:127.0.0.1:${fs.ports.carrier}` }]
  if (fs2) {
    servers.push({ id: 'fs2', host: '127.0.0.1', port: fs2.ports.esl, password: fs2.eslPassword })
    mediaServers.push({ id: 'fs2', uri: `sip:127.0.0.1:${fs2.ports.carrier}` })
  }
  const gw = await consoleApp(t, {
    acd: { offerTimeoutSeconds: 4, wrapUpSeconds: 1 },
    voice: {
      servers,
      eslPassword: fs.eslPassword,
      promptsDir: fs.promptsDir,
      recordingsDir: fs.recordingsDir,
      eventSocket: { backoffInitialMs: 50, backoffMaxMs: 400, healthIntervalMs: 500, healthTimeoutMs: 1500, downAfterMs: 1500 },
      carrierDialString: `sofia/carrier/\${number}@127.0.0.1:${drachtio.sipPort}`,
      softphone: { domain: SIP_DOMAIN, secret: TEST_SIP_SECRET, wsUrl: `ws://127.0.0.1:${fs.ports.agentsWs}` },
      ...o.voice,
      waiting: { announceEverySeconds: 0, callbackOfferAfterSeconds: 0, maxWaitSeconds: 0, ...(o.voice?.waiting ?? {}) },
    },
    sip: {
      drachtio: { host: '127.0.0.1', port: drachtio.adminPort, secret: drachtio.secret, backoffInitialMs: 100, backoffMaxMs: 1000 },
      mediaServers,
      trunks,
      optionsIntervalMs: 1000,
      optionsTimeoutMs: 1500,
      ...o.sip,
    } as DeepPartial<Config['sip']>,
    ...(o.emergency ? { emergency: o.emergency } : {}),
  }, undefined, { env: o.env })
  gwLogs = gw.logs
  return Object.assign(gw, { fs, fs2, drachtio, sipp, carrier, partner110, edgeTarget: `127.0.0.1:${drachtio.sipPort}` })
}
