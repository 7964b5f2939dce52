import t from 'tap'
import Srf from 'drachtio-srf'
import { connect as tcpConnect } from 'node:net'
import { type DrachtioPeer, type SipText, startDrachtioPeer } from './drachtio/peer.ts'
import { FAR_END_SDP, type FarEndRequest } from './drachtio/far-end.ts'
import { leaderFrame, recordedCommand, recordedSip } from './drachtio/frames.ts'
import { type AdminMessage, FrameReader, encode } from './drachtio/framing.ts'
import { SipText as Sip, tagOf } from './drachtio/sip.ts'

/** What the helpers need of a tap test. */
interface TestLike { teardown (fn: () => unknown): void }

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const TIME = /\|\d\d:\d\d:\d\d\.\d{6}\|/g
/** A leader with what differs by nature (message ids, transaction ids, times) blanked out. */
const shape = (line: string) => line.replace(UUID, '<uuid>').replace(TIME, '|<time>|')

/** drachtio-srf's types miss the per-method routes and some connect options. */
type App = Srf & {
  register (fn: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void
  request (uri: string, opts: object, cb: (err: Error | null, req: Srf.SrfRequest) => void): void
}
interface Connected { srf: App, hostport: string, version: string }

async function peerFor (t: TestLike, opts = {}): Promise<DrachtioPeer> {
  const peer = await startDrachtioPeer({ port: 0, ...opts })
  t.teardown(() => peer.close())
  return peer
}

/** A real drachtio-srf app connected to the peer; resolves after its `connect` event and once the peer has its routes. */
async function appFor (t: TestLike, peer: DrachtioPeer, setup: (srf: App) => void = () => {}, opts: object = {}): Promise<Connected> {
  const srf = new Srf() as App
  setup(srf)
  srf.on('error', () => {}) // refused reconnects while the peer is down
  const connected = new Promise<Connected>((resolve, reject) => {
    srf.once('connect', (err: Error | null, hostport: string, version: string) => err ? reject(err) : resolve({ srf, hostport, version }))
  })
  void srf.connect({ host: peer.host, port: peer.port, secret: 'cymru', ...opts } as Srf.SrfConfig)
  t.teardown(() => { try { srf.disconnect() } catch {} })
  const c = await connected
  // drachtio-srf emits connect right after writing its route messages; wait until the peer answered them
  const verbs = [...(srf as unknown as { _app: { client: { verbs: Map<string, unknown> } } })._app.client.verbs.keys()]
  for (const v of verbs) {
    const route = await peer.waitFor(d => d.dir === 'in' && d.msg.type === 'route' && d.msg.args[0] === v)
    await peer.waitFor(d => d.dir === 'out' && d.msg.args[0] === route.id)
  }
  return c
}

const out = (peer: DrachtioPeer, re: RegExp) => peer.waitFor(d => d.dir === 'out' && re.test(d.msg.payload))
const inMsg = (peer: DrachtioPeer, re: RegExp, timeoutMs?: number) => peer.waitFor(d => d.dir === 'in' && re.test(d.msg.payload), timeoutMs)
/** The recorded text with its To tag replaced by the one the peer generated. */
const withTag = (recorded: string, tag: string | undefined) => recorded.replace(/(\r\nTo:[^\r]*;tag=)[^;\r]+/, `$1${tag}`)
const toTag = (s: SipText | undefined) => tagOf(s?.get('To'))

t.test('connects and authenticates: the hostport and version drachtio-server reports', async t => {
  const peer = await peerFor(t)
  const { hostport, version } = await appFor(t, peer, srf => { srf.invite(() => {}) })
  t.equal(hostport, 'udp/127.0.0.1:5060', "the SIP address drachtio-srf's connect event reports")
  t.equal(version, 'v0.9.10-1-g9c2dd4cb6a')
  const auth = await inMsg(peer, /\|authenticate\|/)
  t.equal(shape(auth.leader), shape(recordedCommand('authenticate')), 'drachtio-srf authenticates as recorded')
  const ok = await out(peer, /\|response\|.*\|OK\|udp/)
  t.equal(shape(ok.leader), shape(leaderFrame('auth-ok').recorded), 'the OK carries the recorded hostport / version / hostport fields')
  t.equal(ok.args[0], auth.id, 'answering the authenticate request')
  const route = await inMsg(peer, /\|route\|invite$/)
  t.equal(shape((await out(peer, new RegExp(`\\|response\\|${route.id}\\|`))).leader), shape(leaderFrame('route-ok').recorded), 'route|invite -> OK')
  t.equal(peer.connections(), 1)
})

t.test('a wrong secret: the recorded refusal, the socket closed, drachtio-srf reports it failed to authenticate', async t => {
  const peer = await peerFor(t)
  const srf = new Srf()
  srf.on('error', () => {})
  const refused = new Promise<Error | null>(resolve => srf.once('connect', (err: Error | null) => resolve(err)))
  const closed = new Promise<void>(resolve => srf.once('close', () => resolve()))
  void srf.connect({ host: peer.host, port: peer.port, secret: 'wrong-secret', reconnect: { maxAttempts: 1 } } as Srf.SrfConfig)
  const err = await refused
  t.equal(err?.message, 'failed to authenticate to server', "drachtio-srf's connect event carries this error")
  await closed
  t.pass('drachtio closed the connection')
  const no = await out(peer, /\|NO\|/)
  t.equal(shape(no.payload), shape(leaderFrame('auth-refused').recorded), '`<id>|response|<reqId>|NO|incorrect secret`, nothing else')
  t.equal(peer.connections(), 0)
})

t.test('REGISTER answered 200 by srf.register reaches the network as the recorded response', async t => {
  const peer = await peerFor(t)
  await appFor(t, peer, srf => {
    srf.register((req, res) => res.send(200, { headers: { contact: `${req.get('Contact')};expires=3600`, expires: 3600 } }))
  })
  const res = await peer.inject(recordedSip('sipp-register'), { source: 'udp/127.0.0.1:5075' })
  t.equal(res?.msg.status, 200)
  t.equal(res?.text, withTag(recordedSip('sipp-register-200'), toTag(res)), 'byte for byte what sipp received, To tag aside')
  const delivered = await out(peer, /\|sip\|network\|/)
  t.equal(shape(delivered.leader), shape(leaderFrame('request-in').recorded), 'sip|network|347|udp|127.0.0.1|5075|<time>|<txn>||127.0.0.1|5060|')
  t.equal(delivered.args[1], '347', 'the length field is the datagram as received, before drachtio appended ;rport=5075')
  t.equal(delivered.sip, recordedSip('delivered-register'), 'the REGISTER the app got, with ;rport=5075')
  const reply = await inMsg(peer, /\|sip\|[0-9a-f-]+\|\r\nSIP\/2.0 200/)
  t.equal(reply.sip, recordedSip('app-register-200'), 'drachtio-srf answered with the recorded bytes')
  const sent = await out(peer, /\|Msg sent:\|/)
  t.equal(shape(sent.leader), shape(leaderFrame('response-sent').recorded), 'Msg sent: empty transport and empty dialog id for a REGISTER')
  t.equal(sent.sip, withTag(recordedSip('echo-register-200'), toTag(res)))
})

t.test('an INVITE to 486 answered 486 Busy Here by the app', async t => {
  const peer = await peerFor(t)
  await appFor(t, peer, srf => {
    srf.invite((req, res) => { if (req.calledNumber === '486') res.send(486, { headers: { 'X-Hotline': 'busy' } }) })
  })
  const res = await peer.inject(recordedSip('sipp-invite-486'), { source: 'udp/127.0.0.1:5076' })
  t.equal(res?.msg.status, 486, 'the caller is told busy')
  t.equal(res?.text, withTag(recordedSip('sipp-busy-486'), toTag(res)), 'the recorded 486, X-Hotline after Content-Length')
  const sent = await out(peer, /\|Msg sent:\|/)
  t.equal(shape(sent.leader), shape(leaderFrame('response-sent-invite').recorded.replace('1-20887@127.0.0.1;from-tag=20887SIPpTag001', '1-20885@127.0.0.1;from-tag=20885SIPpTag001')
    .replace('|544|udp|127.0.0.1|5077|', '|289|udp|127.0.0.1|5076|')), 'an INVITE response: transport udp and the dialog id, even for a rejection')
  t.equal(await peer.inject(withTag(recordedSip('sipp-ack-486'), toTag(res)), { source: 'udp/127.0.0.1:5076' }), undefined)
  await new Promise(resolve => setTimeout(resolve, 100))
  t.notOk(peer.log.some(d => d.dir === 'out' && /^ACK /.test(d.msg.sip ?? '')), 'the ACK of a failure never reaches the app')
})

t.test('an INVITE answered 200 with SDP, ACKed, then ended by the caller\'s BYE', async t => {
  const peer = await peerFor(t)
  const appSdp = new Sip(recordedSip('app-ok-200')).body
  let up: (d: Srf.Dialog) => void = () => {}
  const dialogUp = new Promise<Srf.Dialog>(resolve => { up = resolve })
  await appFor(t, peer, srf => {
    srf.invite(async (req, res) => up(await srf.createUAS(req, res, { localSdp: appSdp, headers: { 'X-Hotline': 'answered' } })))
  })
  const ok = await peer.inject(recordedSip('sipp-invite-12345'), { source: 'udp/127.0.0.1:5077' })
  // sipp's ACK came 1 ms after the 200, its BYE 2 s later: wait until the app holds the dialog
  const dialog = await dialogUp
  const ended = new Promise<void>(resolve => dialog.on('destroy', () => resolve()))
  t.equal(ok?.msg.status, 200)
  t.equal(ok?.text, withTag(recordedSip('sipp-ok-200'), toTag(ok)), "the recorded 200: drachtio's Contact <sip:127.0.0.1:5060> and Content-Type added")
  t.equal(ok?.body, appSdp, "the caller gets the app's SDP")

  await peer.inject(withTag(recordedSip('sipp-ack'), toTag(ok)), { source: 'udp/127.0.0.1:5077' })
  const ack = await out(peer, /\r\nACK /)
  const invite = await out(peer, /\r\nINVITE sip:12345/)
  t.equal(shape(ack.leader), shape(leaderFrame('ack-in').recorded.replace('96QDSpUZa8gjj', toTag(ok) ?? '')), 'the ACK: empty transport field, the dialog id')
  t.equal(ack.args[6], invite.args[6], "the ACK carries the INVITE's transaction id")
  t.equal(ack.sip, withTag(recordedSip('delivered-ack'), toTag(ok)))

  const bye = await peer.inject(withTag(recordedSip('sipp-bye'), toTag(ok)), { source: 'udp/127.0.0.1:5077' })
  t.equal(bye?.text, withTag(recordedSip('sipp-bye-200'), toTag(ok)), 'the BYE is answered 200 as recorded')
  await ended
  t.pass("the app's dialog emitted destroy")
  const byeIn = await out(peer, /\r\nBYE /)
  t.equal(shape(byeIn.leader), shape(leaderFrame('request-in-dialog').recorded), 'BYE: transport udp, the dialog id, no receiving address')
  const byeOk = await out(peer, /\|Msg sent:\|\r\nSIP\/2.0 200 OK[\s\S]*CSeq: 2 BYE/)
  t.match(byeOk.leader, /\|application\|261\|\|127\.0\.0\.1\|5077\|[^|]+\|[^|]+\|\|\|Msg sent:\|$/, 'its 200: empty transport, empty dialog id (the dialog is gone)')
  t.same(peer.dialogIds(), [])
})

t.test('a UAC INVITE with User-to-User and Call-Info: drachtio re-cases and moves them; ringing, answer, BYE', async t => {
  const peer = await peerFor(t)
  const seen: FarEndRequest[] = []
  peer.onRequest(req => { seen.push(req); return req.method === 'INVITE' ? { status: 200, body: FAR_END_SDP, ringing: true } : undefined })
  const { srf } = await appFor(t, peer)
  const recordedApp = new Sip(recordedSip('app-uac-invite'))
  const ringing: number[] = []
  const dialog = await srf.createUAC('sip:110@127.0.0.1:5090', {
    localSdp: recordedApp.body,
    callingNumber: '12345',
    headers: { 'User-to-User': recordedApp.get('User-to-User') ?? '', 'Call-Info': recordedApp.get('Call-Info') ?? '', 'X-Hotline': 'dispatch' }
  } as Srf.CreateUACOptions, { cbProvisional: res => ringing.push(res.status) })
  t.same(ringing, [180], 'the app saw 180 Ringing')
  t.equal(dialog.remote.sdp, FAR_END_SDP, "the dialog holds the far end's SDP")
  const sentByApp = await inMsg(peer, /\|sip\|\|\r\nINVITE/)
  t.equal(sentByApp.sip, recordedSip('app-uac-invite'), 'drachtio-srf sent the recorded request')
  const invite = seen.find(r => r.method === 'INVITE')
  t.ok(invite, 'the far end got the INVITE')
  // what differs by nature: Call-ID, tag, branch, CSeq
  const norm = (s: string) => s.replace(/branch=z9hG4bK\w+/, 'branch=B').replace(/tag=\w+/, 'tag=T').replace(/Call-ID: \S+/, 'Call-ID: C').replace(/CSeq: \d+/, 'CSeq: N')
  t.equal(norm(invite?.text ?? ''), norm(recordedSip('echo-uac-invite')), 'the INVITE as drachtio sent it, byte for byte otherwise')
  t.match(invite?.text, /Content-Length: 178\r\nUser-To-User: 3230323631313237;encoding=hex;purpose=call\r\nX-Hotline: dispatch\r\n/, 'User-to-User written User-To-User, after Content-Length')
  t.equal(invite?.get('user-to-user'), '3230323631313237;encoding=hex;purpose=call', 'read case-insensitively it is the value the app gave')
  t.match(invite?.text, /\r\nContact: <sip:12345@127\.0\.0\.1:5060>\r\nCall-Info: </, 'Call-Info among the standard headers; localhost replaced')
  const sentMsg = await out(peer, /\|Msg sent:\|\r\nINVITE/)
  t.equal(shape(sentMsg.leader), shape(leaderFrame('request-sent').recorded.replace('|308|', '|686|')), 'Msg sent: 686 bytes as recorded, no dialog id field')
  const answered = await out(peer, /\r\nSIP\/2.0 200 OK\r\n[\s\S]*CSeq: \d+ INVITE/)
  t.equal(answered.args[7], invite?.dialogId, "the far end's answer carries the dialog id <Call-ID>;from-tag=<drachtio's tag>")

  await inMsg(peer, /\r\nACK sip:110@127\.0\.0\.1:5090 SIP\/2\.0/)
  await new Promise<void>(resolve => dialog.destroy(undefined, () => resolve()))
  const bye = seen.find(r => r.method === 'BYE')
  t.equal(bye?.uri, 'sip:110@127.0.0.1:5090', "BYE to the far end's Contact (the app wrote sip:placeholder)")
  t.same(peer.dialogIds(), [], 'the dialog is over')
})

t.test('a UAC INVITE nobody answers, cancelled by the app: 487, and drachtio refuses the ACK', async t => {
  const peer = await peerFor(t)
  peer.onRequest(req => req.method === 'INVITE' ? { noAnswer: true } : undefined)
  const { srf } = await appFor(t, peer)
  let req: Srf.SrfRequest | undefined
  // drachtio-srf calls cbRequest(err, req), whatever its types say
  const cbRequest = ((_err: Error | null, r: Srf.SrfRequest) => { req = r }) as unknown as (req: Srf.SrfRequest) => void
  const err = await srf.createUAC('sip:110@127.0.0.1:5095', { localSdp: FAR_END_SDP }, {
    cbProvisional: res => { if (res.status === 180) setTimeout(() => req?.cancel(() => {}), 20) },
    cbRequest
  }).then(() => undefined, (e: { status?: number }) => e)
  t.equal(err?.status, 487, 'the app learns Request Terminated')
  const cancel = await out(peer, /\|Msg sent:\|\r\nCANCEL /)
  t.match(cancel.sip, /CSeq: \d+ CANCEL\r\n/)
  const nok = await out(peer, /\|NOK\|/)
  t.equal(shape(nok.payload), shape(leaderFrame('nok-ack').recorded), "drachtio-srf's own ACK for the 487 is refused with the recorded text")
})

t.test('a proxied INVITE: the recorded proxy command, the far end\'s 200 relayed, the app not involved afterwards', async t => {
  const peer = await peerFor(t)
  const seen: FarEndRequest[] = []
  peer.onRequest(req => { seen.push(req); return undefined })
  let proxied: (r: { finalStatus?: number }) => void = () => {}
  const results = new Promise<{ finalStatus?: number }>(resolve => { proxied = resolve })
  await appFor(t, peer, srf => {
    srf.invite((req) => { srf.proxyRequest(req, 'sip:12399@127.0.0.1:5080', { recordRoute: true }, (err, r) => proxied(err ? {} : r as unknown as { finalStatus: number })) })
  })
  const res = await peer.inject(recordedSip('sipp-proxy-invite'), { source: 'udp/127.0.0.1:5061' })
  t.equal(res?.msg.status, 200, 'the caller is connected')
  const proxy = await inMsg(peer, /\|proxy\|/)
  t.equal(shape(proxy.leader), shape(recordedCommand('proxy')), '<id>|proxy|<txn>|remainInDialog|fullResponse||serial|||sip:12399@127.0.0.1:5080')
  t.equal(proxy.sip, recordedSip('app-proxy'), 'with a stub INVITE')
  const delivered = peer.log.find(d => d.dir === 'out' && d.msg.type === 'sip' && /^INVITE/.test(d.msg.sip ?? ''))
  t.equal(proxy.args[0], delivered?.msg.args[6], "the INVITE's transaction id")
  const forwarded = seen[0]
  t.equal(forwarded?.uri, 'sip:12399@127.0.0.1:5080')
  t.equal(forwarded?.get('Max-Forwards'), '69')
  t.equal(forwarded?.get('Record-Route'), '<sip:127.0.0.1:5060;lr>')
  t.equal(forwarded?.msg.headers.via?.split(',').length, 2, "drachtio's Via on top of the caller's")
  const cont = await out(peer, /\|continue\r\n/)
  t.equal(shape(cont.leader).replace(/\|network\|\d+\|/, '|network|N|'), shape(leaderFrame('proxy-response').recorded).replace(/\|network\|\d+\|/, '|network|N|'), "`...|OK|network|<len>|udp|<far end>|<time>|||continue` + the far end's 200")
  const done = await out(peer, /\|OK\|done$/)
  t.equal(shape(done.payload), shape(leaderFrame('proxy-done').recorded))
  t.equal(res?.all('Via').length, 1, 'the caller gets it without drachtio\'s Via')
  t.equal(res?.get('Record-Route'), '<sip:127.0.0.1:5060;lr>')
  t.equal((await results).finalStatus, 200, 'proxyRequest resolved with finalStatus 200')
  const before = peer.log.length
  await peer.inDialog(res!, 'ACK')
  const bye = await peer.inDialog(res!, 'BYE')
  t.equal(bye?.msg.status, 200, "the far end answers the caller's BYE")
  t.same(peer.log.slice(before), [], 'neither the ACK nor the BYE reaches the app')
  t.same(seen.map(r => r.method), ['INVITE', 'ACK', 'BYE'])
})

t.test('ping -> pong (drachtio-srf enablePing, pingInterval 5000 ms, the shortest it allows)', { timeout: 15000 }, async t => {
  const peer = await peerFor(t)
  await appFor(t, peer, () => {}, { enablePing: true, pingInterval: 5000 })
  const ping = await inMsg(peer, /^[0-9a-f-]+\|ping$/, 8000)
  t.equal(shape(ping.payload), shape(recordedCommand('ping')))
  const pong = await out(peer, new RegExp(`\\|response\\|${ping.id}\\|OK\\|pong$`))
  t.equal(shape(pong.payload), shape(leaderFrame('pong').recorded), '<id>|response|<ping id>|OK|pong')
  t.equal(peer.connections(), 1, 'still connected')
})

t.test('drachtio restarts: drachtio-srf reconnects by itself, authenticates, routes again and gets calls', { timeout: 20000 }, async t => {
  const peer = await peerFor(t)
  const app = await appFor(t, peer, srf => {
    srf.register((req, res) => res.send(200, { headers: { expires: 3600 } }))
  })
  const gone = new Promise<void>(resolve => app.srf.once('close', () => resolve()))
  const reconnecting = new Promise<void>(resolve => app.srf.once('reconnecting', () => resolve()))
  peer.kill()
  await gone
  await reconnecting
  t.pass('drachtio-srf noticed and is reconnecting')
  t.equal(peer.connections(), 0)
  await new Promise(resolve => setTimeout(resolve, 300))
  const again = new Promise<string>(resolve => app.srf.once('connect', (_err: Error | null, hostport: string) => resolve(hostport)))
  await peer.restart()
  t.equal(await again, 'udp/127.0.0.1:5060', 'connect again, with the hostport')
  const auths = peer.log.filter(d => d.dir === 'in' && d.msg.type === 'authenticate')
  t.equal(auths.length, 2, 'authenticated a second time')
  await peer.waitFor(d => d.dir === 'in' && d.msg.type === 'route' && d.msg.args[0] === 'register' && peer.log.indexOf(d) > peer.log.indexOf(auths[1]))
  const res = await peer.inject(recordedSip('sipp-register'), { source: 'udp/127.0.0.1:5075' })
  t.equal(res?.msg.status, 200, 'a REGISTER after the restart is answered')
})

t.test('more of the transcripts: OPTIONS to drachtio itself, to a dead port, a REFER from the far end', async t => {
  const peer = await peerFor(t)
  peer.onRequest(req => /:5099/.test(req.uri) ? { unreachable: true } : undefined)
  const { srf } = await appFor(t, peer)
  const options = (uri: string) => new Promise<number | string>(resolve => {
    srf.request(uri, { method: 'OPTIONS', headers: { 'X-Hotline': 'ping' } }, (err, req) => {
      if (err) return resolve(err.message)
      req.on('response', (res?: Srf.SrfResponse) => resolve(res?.status ?? 0))
    })
  })
  t.equal(await options('sip:127.0.0.1:5060'), 'can not send request to myself', 'NOK as recorded')
  t.equal(await options('sip:ping@127.0.0.1:5080'), 200)
  t.equal(await options('sip:ping@127.0.0.1:5099'), 503, "drachtio's own 503")
  const local = await out(peer, /\|sip\|network\|0\|udp\|\|0\|/)
  t.equal(shape(local.leader), shape(leaderFrame('response-local').recorded))
  t.match(local.sip, /\r\nTo: sip:ping@127\.0\.0\.1:5099;tag=\w+\r\n/, 'the To without brackets, as recorded')

  const refer = new Promise<{ to?: string }>(resolve => {
    void srf.createUAC('sip:110@127.0.0.1:5090', { localSdp: FAR_END_SDP }).then(dialog => {
      dialog.on('refer', (req, res) => { res.send(202); resolve({ to: req.get('Refer-To') }) })
      void peer.inDialog(peer.dialogIds()[0], 'REFER', { headers: { 'Refer-To': '<sip:12399@127.0.0.1:5080>', 'Referred-By': '<sip:110@127.0.0.1:5090>' } })
    })
  })
  t.equal((await refer).to, '<sip:12399@127.0.0.1:5080>', 'the app gets the REFER in its dialog')
  const accepted = await out(peer, /\|Msg sent:\|\r\nSIP\/2.0 202/)
  t.equal(shape(accepted.leader.replace(/\|[^|]*;from-tag=[^|]*\|/, '|D|')), shape(leaderFrame('response-sent-in-dialog').recorded.replace(/\|[^|]*;from-tag=[^|]*\|/, '|D|')).replace(/\|278\|/, `|${accepted.args[3]}|`),
    '202: empty transport, the dialog id')
})

t.test('framing: messages split across reads and several in one read; lengths count UTF-8 bytes', async t => {
  const peer = await peerFor(t)
  const sock = tcpConnect(peer.port, peer.host)
  t.teardown(() => sock.destroy())
  const reader = new FrameReader()
  const got: string[] = []
  sock.on('data', (d: Buffer) => got.push(...reader.push(d)))
  await new Promise(resolve => sock.once('connect', resolve))
  const auth = encode('a1|authenticate|cymru|')
  sock.write(auth.slice(0, 5))
  await new Promise(resolve => setTimeout(resolve, 30))
  sock.write(auth.slice(5) + encode('r1|route|register') + encode('p1|ping'))
  await peer.waitFor(d => d.dir === 'out' && d.msg.args[0] === 'p1')
  await new Promise(resolve => setTimeout(resolve, 30))
  t.same(got.map(p => p.replace(UUID, '<uuid>')), ['<uuid>|response|a1|OK|udp/127.0.0.1:5060|v0.9.10-1-g9c2dd4cb6a|udp/127.0.0.1:5060', '<uuid>|response|r1|OK', '<uuid>|response|p1|OK|pong'])
  const register = recordedSip('sipp-register').replace('User-Agent: sipp-register', 'User-Agent: 接线员')
  void peer.inject(register, { source: 'udp/127.0.0.1:5075' })
  const msg: AdminMessage = await peer.waitFor(d => d.dir === 'out' && d.msg.type === 'sip')
  t.equal(msg.args[1], String(Buffer.byteLength(register)), 'the SIP length field counts bytes')
  await new Promise(resolve => setTimeout(resolve, 30))
  const raw = got[3]
  t.equal(raw, msg.payload, 'the frame arrived whole')
  t.not(Buffer.byteLength(raw), raw.length, 'its framed length (bytes) differs from its character count')
})
