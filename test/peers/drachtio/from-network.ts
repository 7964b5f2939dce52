// Network -> app: a SIP request arrives at drachtio and is handed to the app that routed its method
// (drachtio-srf-9022: REGISTER, INVITE, ACK, BYE; drachtio2: REFER inside the app's UAC dialog); the
// app's response comes back as `sip|<transactionId>|` + SIP and drachtio answers `Msg sent:` with the
// response as it went out.
import { randomUUID } from 'node:crypto'
import { type PeerContext, bytes, defaultContact, now } from './context.ts'
import { reasonFor } from './far-end.ts'
import { type LeaderName, leader } from './frames.ts'
import type { AdminMessage } from './framing.ts'
import { proxyInDialog } from './proxy.ts'
import { type Header, SipText, addressOf, capitalizeAfterDash, knownName, serialize, sofiaCSeq, sofiaTag, tagOf, uriOf } from './sip.ts'
import { type Address, type Conn, type Dialog, type ServerTxn, parseSource } from './state.ts'

export interface InjectOptions {
  /** where the request comes from: `udp/127.0.0.1:5075` (default: the top Via's host and port) */
  source?: string
  /** called with each provisional response the app sends, as it went out */
  onProvisional?: (response: SipText) => void
}

/** sipp's messages in the *.sipmsg.txt files have CRLF line ends; a test may write plain \n. */
const crlf = (text: string) => /(^|[^\r])\n/.test(text) ? text.replace(/\r?\n/g, '\r\n') : text

/**
 * sofia fills in `rport` on the top Via of what it received (`;rport=5075` appended, drachtio-srf-9022
 * REGISTER); the length field keeps the size of the datagram as received, 11 bytes less (347 vs 358).
 */
function withRport (text: string, port: number): string {
  const lines = text.split('\r\n')
  const i = lines.findIndex((l, n) => n > 0 && /^(via|v)\s*:/i.test(l))
  if (i < 0 || /;\s*rport\s*=/i.test(lines[i])) return text
  lines[i] = /;\s*rport(?=\s*(;|,|$))/i.test(lines[i]) ? lines[i].replace(/;\s*rport(?=\s*(;|,|$))/i, `;rport=${port}`) : `${lines[i]};rport=${port}`
  return lines.join('\r\n')
}

function sourceFromVia (req: SipText): Address {
  const vias = req.msg.getParsedHeader('via') as Array<{ protocol: string, host: string, port?: number }>
  return { transport: (vias[0]?.protocol ?? 'udp').toLowerCase(), address: vias[0]?.host ?? '127.0.0.1', port: vias[0]?.port ?? 5060 }
}

const pending = (ctx: PeerContext, txn: Omit<ServerTxn, 'onFinal' | 'finished'>) => new Promise<SipText>(resolve => {
  ctx.state.serverTxns.set(txn.id, { ...txn, finished: false, onFinal: resolve })
})

/** Delivers a request from the network; resolves with the app's final response as it went out (undefined for ACK). */
export async function fromNetwork (ctx: PeerContext, text: string, opts: InjectOptions = {}): Promise<SipText | undefined> {
  const original = crlf(text)
  const parsed = new SipText(original)
  if (parsed.msg.type !== 'request') throw new Error('inject takes a SIP request')
  const source = opts.source ? parseSource(opts.source) : sourceFromVia(parsed)
  const req = new SipText(withRport(original, source.port))
  const method = req.msg.method ?? ''
  const callId = req.get('Call-ID') ?? ''
  const dialog = ctx.state.dialogFor(callId, tagOf(req.get('From')), tagOf(req.get('To')))
  const common = { id: randomUUID(), bytes: bytes(original), transport: source.transport, address: source.address, port: source.port, time: now() }

  if (method === 'ACK') {
    // the ACK of a non-2xx answer stays in sofia's transaction layer: no frame (drachtio-srf-9022, after the 486)
    if (!dialog) return undefined
    if (dialog.role === 'proxy') return proxyInDialog(ctx, dialog, req)
    dialog.conn?.send(leader('ack-in', { ...common, transactionId: dialog.inviteTxnId, dialogId: dialog.id }), req.text)
    return undefined
  }
  if (method === 'CANCEL') throw new Error('no transcript shows a CANCEL from the network; the peer does not deliver one')

  if (tagOf(req.get('To'))) {
    if (!dialog) throw new Error(`no dialog for ${method} ${callId} (drachtio would answer it itself; not recorded)`)
    if (dialog.role === 'proxy') return proxyInDialog(ctx, dialog, req)
    const conn = dialog.conn
    if (!conn || conn.sock.destroyed) throw new Error(`the app that owns dialog ${dialog.id} is gone`)
    const transactionId = randomUUID()
    const done = pending(ctx, { id: transactionId, request: req, source, conn, dialog, onProvisional: opts.onProvisional })
    conn.send(leader('request-in-dialog', { ...common, transactionId, dialogId: dialog.id }), req.text)
    return done
  }

  const conn = ctx.appFor(method)
  if (!conn) throw new Error(`no connected app has routed ${method} (route|${method.toLowerCase()})`)
  const transactionId = randomUUID()
  const done = pending(ctx, { id: transactionId, request: req, source, conn, toTag: method === 'INVITE' ? sofiaTag() : undefined, onProvisional: opts.onProvisional })
  conn.send(leader('request-in', { ...common, transactionId, dstAddress: ctx.sip.address, dstPort: ctx.sip.port }), req.text)
  return done
}

/** Headers the app may not set in a response: drachtio copies them from the request (or drops them). */
const FROM_REQUEST = new Set(['Via', 'Route', 'Record-Route', 'RSeq', 'Content-Length', 'From', 'To', 'Call-ID', 'CSeq'])

/** The response as sofia sends it: the request's Via/From/To(+tag)/Call-ID/CSeq, then the app's headers. */
function responseAsSent (ctx: PeerContext, txn: ServerTxn, app: SipText, status: number): string {
  const req = txn.request
  const method = req.msg.method
  const headers: Header[] = req.headers.filter(([n]) => knownName(n) === 'Via').map(([, v]) => ['Via', v])
  if (method === 'INVITE' && status > 100 && status < 300) for (const rr of req.all('Record-Route')) headers.push(['Record-Route', rr])
  const to = req.get('To') ?? ''
  txn.toTag ??= sofiaTag()
  headers.push(['From', req.get('From') ?? ''], ['To', tagOf(to) || status === 100 ? to : `${to};tag=${txn.toTag}`], ['Call-ID', req.get('Call-ID') ?? ''], ['CSeq', req.get('CSeq') ?? ''])
  let contact = false
  for (const [name, value] of app.headers) {
    const canon = knownName(name)
    if (canon && FROM_REQUEST.has(canon)) continue
    if (canon === 'Contact') { contact = true; headers.push(['Contact', addressOf(value, ctx.sip.address, ctx.sip.port)]) } else headers.push([canon ?? capitalizeAfterDash(name), value])
  }
  // drachtio adds its own Contact to a 2xx of an INVITE (or SUBSCRIBE) when the app gave none (drachtio-srf-9022, the 200 to 12345)
  if (!contact && (method === 'INVITE' || method === 'SUBSCRIBE') && status >= 200 && status < 300) headers.push(['Contact', defaultContact(ctx.sip)])
  // ... and `Content-Type: application/sdp` when the body is SDP and the app named no type (same 200)
  if (app.body && !app.get('Content-Type') && app.body.startsWith('v=0')) headers.push(['Content-Type', 'application/sdp'])
  return serialize(`SIP/2.0 ${status} ${app.msg.reason || reasonFor(status)}`, headers, app.body)
}

/** `sip|<transactionId>|` + a response: the app answers a request from the network. */
export function onAppResponse (ctx: PeerContext, conn: Conn, m: AdminMessage): void {
  const txn = ctx.state.serverTxns.get(m.args[0])
  if (!txn) { ctx.log(`response for unknown transaction ${m.args[0]} ignored`); return }
  const app = new SipText(m.sip ?? '')
  const status = app.msg.status ?? 500
  const req = txn.request
  const method = req.msg.method ?? ''
  const text = responseAsSent(ctx, txn, app, status)
  const callId = req.get('Call-ID') ?? ''
  // an INVITE's responses carry the dialog id even when they reject it (drachtio-srf-9022, the 486);
  // a BYE's 200 carries none (the dialog is gone); other requests inside a dialog carry its id (drachtio2, 202 to REFER)
  const dialogId = txn.dialog?.id ?? (method === 'INVITE' ? `${callId};from-tag=${tagOf(req.get('From'))}` : '')
  const name: LeaderName = method === 'INVITE' ? 'response-sent-invite' : txn.dialog && method !== 'BYE' ? 'response-sent-in-dialog' : 'response-sent'
  conn.send(leader(name, { id: randomUUID(), reqId: m.id, bytes: bytes(text), transport: txn.source.transport, address: txn.source.address, port: txn.source.port, time: now(), transactionId: txn.id, dialogId }), text)
  const sent = new SipText(text)
  if (status < 200) { txn.onProvisional?.(sent); return }
  ctx.state.serverTxns.delete(txn.id)
  txn.finished = true
  if (method === 'INVITE' && !txn.dialog && status < 300) ctx.state.dialogs.set(dialogId, uasDialog(txn, sent, dialogId, conn))
  if (method === 'BYE' && txn.dialog && status < 300) ctx.state.dialogs.delete(txn.dialog.id)
  txn.onFinal(sent)
}

function uasDialog (txn: ServerTxn, sent: SipText, id: string, conn: Conn): Dialog {
  const req = txn.request
  const cseq = Number((req.get('CSeq') ?? '1').split(/\s+/)[0])
  return {
    id, role: 'uas', callId: req.get('Call-ID') ?? '', local: sent.get('To') ?? '', remote: req.get('From') ?? '',
    remoteTarget: uriOf(req.get('Contact') ?? req.get('From') ?? ''), localTarget: uriOf(sent.get('Contact') ?? req.msg.uri ?? ''),
    remoteAddress: txn.source, localCSeq: sofiaCSeq(), inviteCSeq: cseq, remoteCSeq: cseq, inviteTxnId: txn.id, conn
  }
}

export interface InDialogOptions { headers?: Record<string, string>, body?: string }

/**
 * A request from the other side of one of the app's dialogs (the caller of a UAS dialog, the far end of a
 * UAC dialog, the caller of a proxied call), shaped like sipp's (Via, From, To, Call-ID, CSeq, Contact,
 * Max-Forwards, ..., Content-Length); ACK reuses the INVITE's CSeq number.
 */
export function otherSideRequest (dialog: Dialog, method: string, opts: InDialogOptions = {}): { text: string, source: string } {
  const a = dialog.remoteAddress
  const seq = method === 'ACK' ? dialog.inviteCSeq : ++dialog.remoteCSeq
  const body = opts.body ?? ''
  const lines = [`${method} ${dialog.localTarget} SIP/2.0`, `Via: SIP/2.0/${a.transport.toUpperCase()} ${a.address}:${a.port};branch=z9hG4bK-${randomUUID().slice(0, 8)}`,
    `From: ${dialog.remote}`, `To: ${dialog.local}`, `Call-ID: ${dialog.callId}`, `CSeq: ${seq} ${method}`, `Contact: <${dialog.remoteTarget}>`, 'Max-Forwards: 70',
    ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${bytes(body)}`]
  return { text: lines.join('\r\n') + '\r\n\r\n' + body, source: `${a.transport}/${a.address}:${a.port}` }
}
