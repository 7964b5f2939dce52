// `proxy|<transactionId>|remainInDialog|fullResponse|followRedirects|serial|<provisional timeout>|<final timeout>|<destinations...>`
// + a stub request: drachtio forwards the request it holds under that transaction id and reports the far
// end's answer as `response|<reqId>|OK|network|...|continue` + the response, then `response|<reqId>|OK|done`
// (drachtio2-srf-9022, drachtio3-partner-invite). The caller gets the answer without drachtio's Via; the
// ACK and BYE of that call never reach the app.
import { randomUUID } from 'node:crypto'
import { type PeerContext, bytes, now, viaHost } from './context.ts'
import { farEndRequest, responseTo } from './far-end.ts'
import { leader } from './frames.ts'
import type { AdminMessage } from './framing.ts'
import { type Header, SipText, knownName, parseUri, serialize, sofiaTag, tagOf, uriOf } from './sip.ts'
import type { Conn, Dialog } from './state.ts'

/**
 * The request as drachtio forwards it (drachtio3-partner-invite.pcap): its own Via on top with a uuid
 * branch, Record-Route when it stays in the dialog, Max-Forwards one less, every header re-serialised in
 * sofia's order with unknown ones (names unchanged) after Content-Length.
 */
function forwarded (ctx: PeerContext, req: SipText, destination: string, recordRoute: boolean): string {
  const headers: Header[] = [['Via', `SIP/2.0/${ctx.sip.transport.toUpperCase()} ${viaHost(ctx.sip)};rport;branch=z9hG4bK${randomUUID()}`]]
  let maxForwards = false
  for (const [name, value] of req.headers) {
    const canon = knownName(name)
    if (canon === 'Route') continue
    if (canon === 'Max-Forwards') { maxForwards = true; headers.push([canon, String(Math.max(0, Number(value) - 1))]) } else headers.push([canon ?? name, value])
  }
  if (!maxForwards) headers.push(['Max-Forwards', '69'])
  // on top of any Record-Route already there (serialize keeps the Vias first)
  if (recordRoute) headers.splice(1, 0, ['Record-Route', `<sip:${ctx.sip.address}:${ctx.sip.port};lr>`])
  return serialize(`${req.msg.method} ${destination} SIP/2.0`, headers, req.body)
}

/** The same response without the top Via: what the caller receives (drachtio2-sipp-proxy-caller 200). */
const withoutTopVia = (text: string) => text.replace(/\r\nVia:[^\r]*/, '')

export async function onProxy (ctx: PeerContext, conn: Conn, m: AdminMessage): Promise<void> {
  const [txnId, remainInDialog, , , , , , ...destinations] = m.args
  const txn = ctx.state.serverTxns.get(txnId)
  if (!txn) { ctx.log(`proxy for unknown transaction ${txnId} ignored`); return }
  const req = txn.request
  let final: SipText | undefined
  // serial forking: the next destination only after a failure (one destination in the transcripts)
  for (const destination of destinations.filter(Boolean)) {
    const out = forwarded(ctx, req, destination, remainInDialog === 'remainInDialog')
    const answer = await ctx.answer(farEndRequest('proxy', out))
    const a = 'status' in answer ? answer : { status: 'noAnswer' in answer ? 408 : 503 }
    const target = parseUri(destination)
    const address = target?.host ?? '127.0.0.1'
    const port = target?.port || 5060
    const user = target?.user
    const text = responseTo(new SipText(out), { ...a, toTag: sofiaTag(), contact: `<sip:${user ? user + '@' : ''}${address}:${port};transport=${ctx.sip.transport}>` })
    conn.send(leader('proxy-response', { id: randomUUID(), reqId: m.id, bytes: bytes(text), transport: ctx.sip.transport, address, port, time: now() }), text)
    final = new SipText(text)
    if (a.status < 300 || a.status >= 600) break
  }
  conn.send(leader('proxy-done', { id: randomUUID(), reqId: m.id }))
  ctx.state.serverTxns.delete(txnId)
  if (!final) return
  const toCaller = new SipText(withoutTopVia(final.text))
  const status = final.msg.status ?? 500
  if (req.msg.method === 'INVITE' && status < 300) {
    const callId = req.get('Call-ID') ?? ''
    const cseq = Number((req.get('CSeq') ?? '1').split(/\s+/)[0])
    const dialog: Dialog = {
      id: `${callId};from-tag=${tagOf(req.get('From'))}`, role: 'proxy', callId, local: toCaller.get('To') ?? '', remote: req.get('From') ?? '',
      remoteTarget: uriOf(req.get('Contact') ?? ''), localTarget: uriOf(toCaller.get('Contact') ?? ''), remoteAddress: txn.source,
      localCSeq: 0, inviteCSeq: cseq, remoteCSeq: cseq, inviteTxnId: txnId
    }
    ctx.state.dialogs.set(dialog.id, dialog)
  }
  txn.onFinal(toCaller)
}

/** A request from the caller inside a proxied call: it goes to the far end only (the app is not asked). */
export async function proxyInDialog (ctx: PeerContext, dialog: Dialog, req: SipText): Promise<SipText | undefined> {
  const answer = await ctx.answer(farEndRequest('proxy', req.text, dialog.id))
  if (req.msg.method === 'ACK') return undefined
  const a = 'status' in answer ? answer : { status: 503 }
  const text = responseTo(req, { ...a, toTag: tagOf(req.get('To')) ?? sofiaTag() })
  if (req.msg.method === 'BYE' && a.status < 300) ctx.state.dialogs.delete(dialog.id)
  return new SipText(text)
}
