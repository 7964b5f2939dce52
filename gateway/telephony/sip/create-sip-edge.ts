/**
 * The SIP edge from configuration: the drachtio connection, the FreeSWITCH pool (OPTIONS health),
 * trunks, admission and guards. Off when no drachtio host is configured. Startup waits for the first
 * connection only long enough to catch a refused secret (SIP_ERR_AUTH stops startup); an unreachable
 * drachtio-server does not stop it (the link keeps retrying, the written channels keep working).
 */
import type { Logger } from 'pino'
import type { Config } from '../../../config/schema.ts'
import { CallAdmission } from './call-admission.ts'
import { DrachtioLink } from './drachtio-link.ts'
import { MediaPool } from './media-pool.ts'
import { RequestGuard } from './request-guard.ts'
import { SipEdge } from './sip-edge.ts'
import { TrunkTable } from './trunk-table.ts'

export interface SipEdgeHandle {
  link: DrachtioLink
  pool: MediaPool
  edge: SipEdge
  admission: CallAdmission
  close(): Promise<void>
}

export async function createSipEdge(config: Readonly<Config>, logger: Logger, opts: { waitMs?: number } = {}): Promise<SipEdgeHandle | undefined> {
  const sip = config.sip
  if (!sip.drachtio.host) return undefined
  const log = logger.child({ component: 'sip-edge' })
  const admission = new CallAdmission()
  let link: DrachtioLink | undefined
  const pool = new MediaPool({
    servers: sip.mediaServers,
    intervalMs: sip.optionsIntervalMs,
    timeoutMs: sip.optionsTimeoutMs,
    downAfterFailures: sip.downAfterFailures,
    logger: log,
    srf: () => link?.srf,
  })
  const edge = new SipEdge({
    config: sip,
    centreNumber: config.voice.centreNumber,
    trunks: new TrunkTable(sip.trunks, sip.mediaServers),
    admission,
    guard: new RequestGuard(sip),
    pool,
    logger: log,
  })
  link = new DrachtioLink({ ...sip.drachtio, logger: log, setup: (srf) => edge.install(srf) })
  const handle: SipEdgeHandle = {
    link: link!,
    pool,
    edge,
    admission,
    async close() {
      pool.stop()
      await link!.close()
    },
  }
  const first = link!.start()
  pool.start()
  const waited = await Promise.race([first.then(() => 'up' as const), new Promise<'later'>((r) => setTimeout(() => r('later'), opts.waitMs ?? 2000).unref())]).catch(
    async (err: Error) => {
      await handle.close()
      throw err
    },
  )
  if (waited === 'later') log.warn({ host: sip.drachtio.host, port: sip.drachtio.port }, 'drachtio-server not reachable yet; the edge keeps trying')
  return handle
}
