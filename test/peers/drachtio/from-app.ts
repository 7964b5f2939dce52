// App -> network: `sip||` + a request (a new request: OPTIONS, INVITE), `sip||<dialogId>` + a request
// inside a dialog (ACK, BYE, NOTIFY; request-URI `sip:placeholder`), `sip|<transactionId>|` + CANCEL.
// drachtio answers `Msg sent:` with the request as it went out, then `sip|network|` frames with the far
// end's responses (drachtio-srf-b2bua-9022, drachtio2-srf-9022, drachtio3-partner-invite).
import { randomUUID } from 'node:crypto'
import { type PeerContext, bytes, defaultContact, now, viaHost } from './context.ts'
import { type Answer, farEndRequest, responseTo } from './far-end.ts'
import { leader } from './frames.ts'
import type { AdminMessage } from './framing.ts'
import { type Header, SipText, addressOf, capitalizeAfterDash, knownName, parseUri, serialize, sofiaBranch, sofiaCSeq, sofiaCallId, sofiaTag, tagOf, uriOf } from './sip.ts'
import type { Address, ClientTxn, Conn } from './state.ts'

/** Headers drachtio builds itself for a request it sends (the app's values for From/To/Contact/Call-ID are used where allowed). */
const BUILT = new Set(['Via', 'Route', 'Record-Route', 'RSeq', 'Content-Length', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Max-Forwards'])

/** The app's other headers: known ones by their canonical name, custom ones through capitalizeAfterDash (`User-to-User` -> `User-To-User`). */
function appHeaders (app: SipText): Header[] {
  const out: Header[] = []
  for (const [name, value] of app.headers) {
    const canon = knownName(name)
    if (canon && BUILT.has(canon)) continue
    out.push([canon ?? capitalizeAfterDash(name), value])
  }
  if (app.body && !app.get('Content-Type') && app.body.startsWith('v=0')) out.push(['Content-Type', 'application/sdp'])
  return out
}

function targetOf (uri: string): Address {
  const u = parseUri(uri)
  return { transport: String(u?.params?.transport ?? 'udp').toLowerCase(), address: u?.host ?? '127.0.0.1', port: u?.port || 5060 }
}

/** `... OK|application|<bytes>|udp|<drachtio address>|<port>|<time>|<new transactionId>|Msg sent:|` + the request */
function msgSent (ctx: PeerContext, conn: Conn, m: AdminMessage, text: string): string {
  const transactionId = randomUUID()
  conn.send(leader('request-sent', { id: randomUUID(), reqId: m.id, bytes: bytes(text), transport: ctx.sip.transport, address: ctx.sip.address, port: ctx.sip.port, time: now(), transactionId }), text)
  return transactionId
}

/**
 * `<id>|response|<reqId>|NOK|<reason>`: the recorded one (drachtio2, drachtio-srf's ACK for a 487), or the
 * same frame with another reason text of drachtio-server's (src/sip-dialog-controller.cpp).
 */
function nok (conn: Conn, m: AdminMessage, reason?: string): void {
  const line = leader('nok-ack', { id: randomUUID(), reqId: m.id })
  conn.send(reason === undefined ? line : line.split('|').slice(0, 4).join('|') + `|${reason}`)
}

export function onAppRequest (ctx: PeerContext, conn: Conn, m: AdminMessage): void {
  const app = new SipText(m.sip ?? '')
  const [txnId, dialogId] = m.args
  if (app.msg.method === 'CANCEL' && txnId) return cancel(ctx, conn, m, app)
  if (dialogId) return inDialog(ctx, conn, m, app, dialogId)
  return newRequest(ctx, conn, m, app)
}

function newRequest (ctx: PeerContext, conn: Conn, m: AdminMessage, app: SipText): void {
  const method = app.msg.method ?? ''
  const ruri = app.msg.uri ?? ''
  const target = targetOf(ruri)
  const { address, port } = ctx.sip
  // drachtio2: OPTIONS sip:127.0.0.1:5060 from the app
  if (target.address === address && target.port === port) {
    conn.send(leader('nok-myself', { id: randomUUID(), reqId: m.id }))
    return
  }
  const fromValue = app.get('From') ? addressOf(app.get('From') ?? '', address, port) : defaultContact(ctx.sip)
  const from = tagOf(fromValue) ? fromValue : `${fromValue};tag=${sofiaTag()}`
  const to = app.get('To') ? addressOf(app.get('To') ?? '', address, port) : `<${ruri}>`
  const callId = app.get('Call-ID') ?? sofiaCallId()
  const seq = Number((app.get('CSeq') ?? '').split(/\s+/)[0]) || sofiaCSeq()
  const headers: Header[] = [['Via', `SIP/2.0/${ctx.sip.transport.toUpperCase()} ${viaHost(ctx.sip)};rport;branch=${sofiaBranch()}`],
    ['Max-Forwards', app.get('Max-Forwards') ?? '70'], ['From', from], ['To', to], ['Call-ID', callId], ['CSeq', `${seq} ${method}`]]
  // the app's Contact (sip:u@localhost -> <sip:u@127.0.0.1:5060>), else drachtio's own for INVITE/SUBSCRIBE (drachtio3: <sip:127.0.0.1:5260>)
  const contact = app.get('Contact') ? addressOf(app.get('Contact') ?? '', address, port) : method === 'INVITE' || method === 'SUBSCRIBE' ? defaultContact(ctx.sip) : undefined
  if (contact) headers.push(['Contact', contact])
  headers.push(...appHeaders(app))
  const text = serialize(`${method} ${ruri} SIP/2.0`, headers, app.body)
  const id = msgSent(ctx, conn, m, text)
  const request = new SipText(text)
  const txn: ClientTxn = { id, method, request, target, conn }
  if (method === 'INVITE') {
    txn.dialog = {
      id: `${callId};from-tag=${tagOf(from)}`, role: 'uac', callId, local: from, remote: to, remoteTarget: ruri, localTarget: uriOf(contact ?? from),
      remoteAddress: target, localCSeq: seq, inviteCSeq: seq, remoteCSeq: 100, inviteTxnId: id, conn
    }
  }
  ctx.state.clientTxns.set(id, txn)
  void farEnd(ctx, txn, 'uac')
}

function inDialog (ctx: PeerContext, conn: Conn, m: AdminMessage, app: SipText, dialogId: string): void {
  const method = app.msg.method ?? ''
  const dialog = ctx.state.dialogs.get(dialogId)
  if (!dialog || dialog.role === 'proxy') {
    // drachtio2: drachtio-srf ACKs the 487 of its cancelled INVITE; no dialog exists for a failed INVITE
    if (method === 'ACK') nok(conn, m)
    else nok(conn, m, 'Server error: unable to find dialog for dialog id provided')
    return
  }
  const seq = method === 'ACK' ? dialog.inviteCSeq : ++dialog.localCSeq
  const headers: Header[] = [['Via', `SIP/2.0/${ctx.sip.transport.toUpperCase()} ${viaHost(ctx.sip)};rport;branch=${sofiaBranch()}`], ['Max-Forwards', '70'],
    ['From', dialog.local], ['To', dialog.remote], ['Call-ID', dialog.callId], ['CSeq', `${seq} ${method}`]]
  if (app.get('Contact')) headers.push(['Contact', addressOf(app.get('Contact') ?? '', ctx.sip.address, ctx.sip.port)])
  headers.push(...appHeaders(app))
  // the request-URI is the other side's Contact, not the app's `sip:placeholder` (drachtio2 NOTIFY/BYE, b2bua ACK with ;transport=udp)
  const text = serialize(`${method} ${dialog.remoteTarget} SIP/2.0`, headers, app.body)
  const id = msgSent(ctx, conn, m, text)
  const txn: ClientTxn = { id, method, request: new SipText(text), target: dialog.remoteAddress, conn, dialog }
  if (method === 'ACK') { void ctx.answer(farEndRequest('in-dialog', text, dialog.id)); return }
  ctx.state.clientTxns.set(id, txn)
  void farEnd(ctx, txn, 'in-dialog')
}

function cancel (ctx: PeerContext, conn: Conn, m: AdminMessage, app: SipText): void {
  const invite = ctx.state.clientTxns.get(m.args[0])
  // a CANCEL after the final answer finds no INVITE in progress
  if (!invite || invite.method !== 'INVITE') { nok(conn, m, `unable to cancel unknown transaction id: ${m.args[0]}`); return }
  const req = invite.request
  // drachtio2: the CANCEL reuses the INVITE's Via (branch), From, To without tag, Call-ID and CSeq number
  const headers: Header[] = [['Via', req.get('Via') ?? ''], ['Max-Forwards', '70'], ['From', req.get('From') ?? ''], ['To', req.get('To') ?? ''],
    ['Call-ID', req.get('Call-ID') ?? ''], ['CSeq', `${(req.get('CSeq') ?? '').split(/\s+/)[0]} CANCEL`], ...appHeaders(app)]
  msgSent(ctx, conn, m, serialize(`CANCEL ${req.msg.uri} SIP/2.0`, headers))
  // sofia does not pass the 200 to the CANCEL up; the INVITE gets its 487 (drachtio2)
  if (invite.ringing) respond(ctx, invite, { status: 487 }, invite.ringing.toTag)
}

/** A response from the far end: `sip|network|<bytes>|udp|<far address>|<port>|<time>|<transactionId>|<dialogId>|` */
function respond (ctx: PeerContext, txn: ClientTxn, a: { status: number, reason?: string, headers?: Record<string, string>, body?: string }, toTag: string): void {
  const user = parseUri(txn.request.msg.uri ?? '')?.user
  const contact = `<sip:${user ? user + '@' : ''}${txn.target.address}:${txn.target.port}>`
  const text = responseTo(txn.request, { ...a, toTag, contact })
  const dialog = txn.dialog
  txn.conn.send(leader('response-in', { id: randomUUID(), bytes: bytes(text), transport: txn.target.transport, address: txn.target.address, port: txn.target.port, time: now(), transactionId: txn.id, dialogId: dialog?.id ?? '' }), text)
  if (a.status < 200) return
  txn.finalStatus = a.status
  txn.ringing = undefined
  ctx.state.clientTxns.delete(txn.id)
  if (!dialog) return
  if (txn.method === 'INVITE' && dialog.role === 'uac' && !ctx.state.dialogs.has(dialog.id)) {
    if (a.status < 300) {
      const sent = new SipText(text)
      dialog.remote = sent.get('To') ?? dialog.remote
      dialog.remoteTarget = uriOf(sent.get('Contact') ?? dialog.remoteTarget)
      ctx.state.dialogs.set(dialog.id, dialog)
    }
  } else if (txn.method === 'BYE' && a.status < 300) ctx.state.dialogs.delete(dialog.id)
}

/** Asks the test's handler how the far end answers, then plays it out. */
async function farEnd (ctx: PeerContext, txn: ClientTxn, kind: 'uac' | 'in-dialog'): Promise<void> {
  const answer: Answer = await ctx.answer(farEndRequest(kind, txn.request.text, txn.dialog?.id))
  const toTag = tagOf(txn.request.get('To')) ?? sofiaTag()
  if ('unreachable' in answer) return localUnavailable(ctx, txn)
  if ('noAnswer' in answer) {
    txn.ringing = { toTag }
    respond(ctx, txn, { status: 180 }, toTag)
    return
  }
  if (answer.ringing && txn.method === 'INVITE') respond(ctx, txn, { status: 180 }, toTag)
  if (answer.delayMs) {
    txn.ringing = { toTag }
    await new Promise(resolve => setTimeout(resolve, answer.delayMs))
    if (!txn.ringing) return // cancelled meanwhile
  }
  if (!txn.conn.sock.destroyed) respond(ctx, txn, answer, toTag)
}

/**
 * drachtio2: OPTIONS to 127.0.0.1:5099 where nothing listens -> sofia's own 503: length 0, no address,
 * port 0; the To loses its brackets and gets a tag.
 */
function localUnavailable (ctx: PeerContext, txn: ClientTxn): void {
  const req = txn.request
  const to = req.get('To') ?? ''
  const bare = /^<[^>]*>$/.test(to) ? to.slice(1, -1) : to
  const text = serialize('SIP/2.0 503 Service Unavailable', [['Via', req.get('Via') ?? ''], ['From', req.get('From') ?? ''], ['To', `${bare};tag=${sofiaTag()}`],
    ['Call-ID', req.get('Call-ID') ?? ''], ['CSeq', req.get('CSeq') ?? '']])
  txn.conn.send(leader('response-local', { id: randomUUID(), time: now(), transactionId: txn.id }), text)
  ctx.state.clientTxns.delete(txn.id)
}

