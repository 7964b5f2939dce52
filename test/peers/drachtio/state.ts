// What the peer remembers between admin messages: the app connections, the transactions in both
// directions and the dialogs, keyed the way drachtio-server keys them on the wire (transaction ids,
// dialog id `<Call-ID>;from-tag=<tag of the INVITE's From>`).
import type { Socket } from 'node:net'
import { CRLF, encode } from './framing.ts'
import type { SipText } from './sip.ts'

/** Where a SIP message came from or goes to: `udp/127.0.0.1:5075`. */
export interface Address { transport: string, address: string, port: number }

export function parseSource (source: string): Address {
  const m = /^(?:(\w+)\/)?([^:/]+):(\d+)$/.exec(source)
  if (!m) throw new Error(`source must look like udp/127.0.0.1:5075, not ${source}`)
  return { transport: (m[1] ?? 'udp').toLowerCase(), address: m[2], port: Number(m[3]) }
}

/** One admin connection (one drachtio-srf client). */
export class Conn {
  authenticated = false
  readonly routes = new Set<string>()
  constructor (readonly sock: Socket, private readonly onSend: (payload: string) => void) {}
  send (leader: string, sip?: string): void {
    const payload = sip === undefined ? leader : leader + CRLF + sip
    if (this.sock.destroyed) return
    this.onSend(payload)
    this.sock.write(encode(payload))
  }
}

export interface Dialog {
  id: string
  /** uas: the app answered an INVITE from the network; uac: the app sent the INVITE; proxy: drachtio only proxied it */
  role: 'uas' | 'uac' | 'proxy'
  callId: string
  /** our side's From/To value (with tag) in requests drachtio sends in this dialog */
  local: string
  /** the other side's value (with tag) */
  remote: string
  /** request-URI of requests drachtio sends in the dialog (the other side's Contact) */
  remoteTarget: string
  remoteAddress: Address
  localCSeq: number
  inviteCSeq: number
  /** the request-URI the other side uses for us (our Contact) */
  localTarget: string
  /** the other side's CSeq counter (for requests the test sends from there) */
  remoteCSeq: number
  /** transaction id of the dialog-creating INVITE (an ACK for its 200 carries it) */
  inviteTxnId: string
  /** the app connection that owns the dialog */
  conn?: Conn
}

/** A request that came from the network and was handed to the app. */
export interface ServerTxn {
  id: string
  request: SipText
  source: Address
  conn: Conn
  /** the To tag drachtio adds to its responses (one per INVITE transaction) */
  toTag?: string
  dialog?: Dialog
  finished: boolean
  onFinal: (response: SipText) => void
  onProvisional?: (response: SipText) => void
}

/** A request the app asked drachtio to send. */
export interface ClientTxn {
  id: string
  method: string
  /** the request as drachtio sent it */
  request: SipText
  target: Address
  conn: Conn
  dialog?: Dialog
  finalStatus?: number
  /** waiting for a CANCEL (the far end does not answer) */
  ringing?: { toTag: string }
}

export class PeerState {
  readonly serverTxns = new Map<string, ServerTxn>()
  readonly clientTxns = new Map<string, ClientTxn>()
  readonly dialogs = new Map<string, Dialog>()

  /** the dialog a request from the network belongs to (Call-ID + the tags of From and To) */
  dialogFor (callId: string, fromTag?: string, toTag?: string): Dialog | undefined {
    for (const d of this.dialogs.values()) {
      if (d.callId !== callId) continue
      if (d.id === `${callId};from-tag=${fromTag}` || d.id === `${callId};from-tag=${toTag}`) return d
    }
    return undefined
  }

  clear (): void { this.serverTxns.clear(); this.clientTxns.clear(); this.dialogs.clear() }
}
