/**
 * The baselines of the SIP edge bench: drachtio-srf apps with no edge logic, connected to the same
 * drachtio-server in the same process as the edge (one app at a time: drachtio-server would share
 * the INVITEs between two connected apps).
 *   b2bua  srf.invite -> srf.createB2BUA(req, res, FreeSWITCH): the same drachtio-srf call the edge
 *          makes (two dialogs, SDP passed through, a BYE on one leg ends the other, as the edge does) without the guard,
 *          the trunk lookup, admission, number normalisation, X- headers, the pool or the log line.
 *          The closer baseline: "the time the edge adds" is measured against it.
 *   proxy  srf.invite -> srf.proxyRequest(req, FreeSWITCH, { recordRoute: true }): drachtio-server
 *          forwards the INVITE and keeps the route; the ACK and BYE never reach the app. What being a
 *          B2BUA at all costs (the edge is a B2BUA by decision: docs/sip-edge.md).
 */
import Srf from 'drachtio-srf'

export type BareKind = 'b2bua' | 'proxy'

export interface BareApp {
  calls: number
  failures: number
  close(): Promise<void>
}

export async function startBareApp(kind: BareKind, o: { host: string; port: number; secret: string; target: string }): Promise<BareApp> {
  const srf = new Srf()
  const app: BareApp = {
    calls: 0,
    failures: 0,
    async close() {
      srf.removeAllListeners()
      ;(srf.on.bind(srf) as (event: string, fn: () => void) => void)('error', () => undefined)
      srf.disconnect()
    },
  }
  type Req = Parameters<Parameters<Srf['invite']>[0]>[0]
  type Res = Parameters<Parameters<Srf['invite']>[0]>[1]
  if (kind === 'b2bua') {
    srf.invite((req: Req, res: Res) => {
      srf.createB2BUA(req, res, o.target, {}).then(
        ({ uas, uac }) => {
          app.calls += 1
          // drachtio-srf answers a BYE on one leg but does not end the other: every B2BUA does this
          // (the edge too); without it FreeSWITCH keeps the call until its park timeout
          uas.on('destroy', () => void Promise.resolve(uac.destroy() as unknown).catch(() => undefined))
          uac.on('destroy', () => void Promise.resolve(uas.destroy() as unknown).catch(() => undefined))
        },
        () => (app.failures += 1),
      )
    })
  } else {
    srf.invite((req: Req) => {
      ;(srf.proxyRequest as (req: Req, dest: string, opts: Record<string, unknown>) => Promise<unknown>)(req, o.target, { recordRoute: true }).then(
        () => (app.calls += 1),
        () => (app.failures += 1),
      )
    })
  }
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()))
    ;(srf.on.bind(srf) as (event: string, fn: (err: Error) => void) => void)('error', reject)
    ;(srf.connect as (o: Record<string, unknown>) => void)({ host: o.host, port: o.port, secret: o.secret })
  })
  return app
}
