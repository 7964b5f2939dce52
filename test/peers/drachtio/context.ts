// What the handlers of the three directions (network -> app, app -> network, proxy) share.
import type { Answer, FarEndRequest } from './far-end.ts'
import { timeField } from './framing.ts'
import type { Address, Conn, PeerState } from './state.ts'

export interface PeerContext {
  state: PeerState
  /** drachtio's own SIP address (`udp/127.0.0.1:5060` in the transcripts) */
  sip: Address
  /** the app connection that routed this method (`route|invite`), if any */
  appFor (method: string): Conn | undefined
  /** asks the test's request handler (or the default) how the far end answers */
  answer (req: FarEndRequest): Promise<Answer>
  log (line: string): void
}

/** The Via host drachtio puts in requests it sends: the port only when it is not 5060 (`127.0.0.1` / `127.0.0.1:5260`). */
export const viaHost = (sip: Address) => sip.port === 5060 ? sip.address : `${sip.address}:${sip.port}`

/** The Contact drachtio uses when the app gives none (`<sip:127.0.0.1:5060>`). */
export const defaultContact = (sip: Address) => `<sip:${sip.address}:${sip.port}>`

export const now = () => timeField()

export const bytes = (s: string) => Buffer.byteLength(s, 'utf8')
