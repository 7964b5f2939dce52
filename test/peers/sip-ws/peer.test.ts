/**
 * The peer speaks FreeSWITCH's recorded frames: every frame it sends has the recorded start line
 * shape, the recorded headers in the recorded order with the recorded values except the dialog's own
 * (Via, From, To, Call-ID, CSeq, Contact, Route, Date, nonce, Remote-Party-ID, Content-Length), and
 * the recorded body (SDP origin version aside). Driven here by a plain websocket that replays
 * JsSIP's recorded frames; the browser test drives it with the real JsSIP.
 */
import t, { type TAP } from 'tap'
import WebSocket from 'ws'
import { SipWsPeer, digestParams, digestResponse } from './peer.ts'
import frames from './frames/ws3.json' with { type: 'json' }

const F = frames.frames as Record<string, { text: string }>
const DIALOG = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'route', 'date', 'www-authenticate', 'remote-party-id', 'content-length'])

function parts(text: string) {
  const i = text.indexOf('\r\n\r\n')
  const [start, ...lines] = text.slice(0, i).split('\r\n')
  return { start, headers: lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const), body: text.slice(i + 4) }
}

/** Same headers in the same order, same values outside the dialog's own, same body (modulo o= version). */
function sameShape(t: Pick<TAP, 'equal' | 'same'>, sent: string, recorded: string, what: string) {
  const a = parts(sent)
  const b = parts(recorded)
  t.equal(a.start.split(' ')[0], b.start.split(' ')[0], `${what}: start line`)
  t.same(a.headers.map(([k]) => k), b.headers.map(([k]) => k), `${what}: the recorded headers, in the recorded order`)
  t.same(
    a.headers.filter(([k]) => !DIALOG.has(k.toLowerCase())),
    b.headers.filter(([k]) => !DIALOG.has(k.toLowerCase())),
    `${what}: the recorded values`,
  )
  const o = (s: string) => s.replace(/^o=FreeSWITCH (\d+) \d+ /m, 'o=FreeSWITCH $1 V ')
  t.equal(o(a.body), o(b.body), `${what}: the recorded body`)
}

t.test('REGISTER, INVITE and BYE exchanges use the recorded frames', async (t) => {
  const password = 'peer-test-password'
  const peer = await SipWsPeer.start({ domain: '127.0.0.1', passwordOf: (u) => (u === '1001' ? password : undefined) })
  t.teardown(() => peer.close())
  const ws = new WebSocket(peer.url, 'sip')
  t.teardown(() => ws.close())
  const inbox: string[] = []
  let wake: (() => void) | undefined
  ws.on('message', (d) => {
    inbox.push(d.toString())
    wake?.()
  })
  await new Promise((resolve) => ws.once('open', resolve))
  t.equal(ws.protocol, 'sip', 'subprotocol sip')
  const next = async () => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return inbox.shift()!
  }

  ws.send(F.register.text)
  const challenge = await next()
  sameShape(t, challenge, F['register-401'].text, '401')
  const p = digestParams(/^WWW-Authenticate: (.*)$/m.exec(challenge)![1])
  t.equal(p.realm, '127.0.0.1')

  // JsSIP's second REGISTER (ws3-webrtc-call.txt frame 3) with a digest for this nonce and password.
  const params = { username: '1001', realm: '127.0.0.1', nonce: p.nonce, uri: 'sip:127.0.0.1', qop: 'auth', nc: '00000001', cnonce: 'ansmcgrfu9ja' }
  const auth = (pw: string) => F['register-auth'].text.replace(
    /^Authorization: .*$/m,
    `Authorization: Digest algorithm=MD5, username="1001", realm="127.0.0.1", nonce="${p.nonce}", uri="sip:127.0.0.1", response="${digestResponse(params, 'REGISTER', pw)}", qop=auth, cnonce="ansmcgrfu9ja", nc=00000001`,
  )
  ws.send(auth('wrong'))
  sameShape(t, await next(), F['register-403'].text, 'a wrong digest: 403')
  t.equal(peer.registrations.size, 0)
  ws.send(auth(password))
  const ok = await next()
  sameShape(t, ok, F['register-200'].text, '200')
  t.match(ok, /^Contact: <sip:drr43v2s@a79433nvtk1v\.invalid;transport=ws>;expires=600$/m, 'the contact as registered')
  t.ok(peer.registrations.has('1001'))

  const call = peer.call('1001')
  const invite = await next()
  sameShape(t, invite, F.invite.text, 'INVITE')
  t.match(invite, /^INVITE sip:drr43v2s@a79433nvtk1v\.invalid;transport=ws SIP\/2\.0/, 'to the registered contact')
  t.match(invite, /^Route: <sip:drr43v2s@127\.0\.0\.1:\d+>;transport=ws$/m, 'routed to the browser’s port, ;transport=ws outside the brackets')

  // The browser's 200 (frame 8) for this dialog: the peer ACKs it as frame 9.
  const dialog = (text: string) => text
    .replace(/^Via: .*$/m, /^Via: .*$/m.exec(invite)![0])
    .replace(/^From: .*$/m, /^From: .*$/m.exec(invite)![0])
    .replace(/^Call-ID: .*$/m, `Call-ID: ${call.callId}`)
    .replace(/^CSeq: \d+/m, `CSeq: ${call.cseq}`)
  ws.send(dialog(F['invite-200'].text))
  sameShape(t, await next(), F.ack.text, 'ACK')

  // In-dialog requests of the browser (frames 10, 14, 34) get frames 11, 15 + 16, 35.
  const inDialog = (text: string) => text.replace(/^To: <sip:12345@127\.0\.0\.1>;tag=\w+/m, `To: <sip:12345@127.0.0.1>;tag=${call.fromTag}`).replace(/^Call-ID: .*$/m, `Call-ID: ${call.callId}`)
  ws.send(inDialog(F.info.text))
  sameShape(t, await next(), F['info-200'].text, '200 to INFO')
  ws.send(inDialog(F['reinvite-hold'].text))
  sameShape(t, await next(), F['reinvite-100'].text, '100 to a re-INVITE')
  const held = await next()
  sameShape(t, held, F['reinvite-hold-200'].text, '200 to hold (a=recvonly)')
  ws.send(inDialog(F.bye.text))
  sameShape(t, await next(), F['bye-200'].text, '200 to BYE')

  call.bye()
  const bye = await next()
  t.match(bye, /^Reason: Q\.850;cause=16;text="NORMAL_CLEARING"$/m, 'a BYE from "FreeSWITCH" with its NORMAL_CLEARING reason')
  t.same(parts(bye).headers.map(([k]) => k), parts(F['fs-bye'].text).headers.map(([k]) => k), 'in the recorded header order')
})

t.test('digest responses are checked the way FreeSWITCH did: the recorded REGISTER verifies with 1234 only', async (t) => {
  const p = digestParams(/^Authorization: (.*)$/m.exec(F['register-auth'].text)![1])
  t.equal(digestResponse(p, 'REGISTER', '1234'), p.response)
  t.not(digestResponse(p, 'REGISTER', '9999'), p.response)
})
