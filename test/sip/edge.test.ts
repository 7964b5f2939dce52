import t from 'tap'
import { TRUNKS, call, edgeScene, optionsText, statusOf, until } from './helpers/edge-scene.ts'
import { tcpProxy } from '../helpers/tcp-proxy.ts'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'

const lastInviteTo = (s: Awaited<ReturnType<typeof edgeScene>>, host: string) =>
  [...s.far].reverse().find((r) => r.method === 'INVITE' && r.uri.includes(`@${host}`))

t.test('an old number from the carrier trunk goes to FreeSWITCH with its hotline and trunk; the BYE ends both legs and frees the slot', async (t) => {
  const s = await edgeScene(t)
  const res = await call(s, { dialed: '12315', from: '13800138000', source: '127.0.0.3:5077' })
  t.equal(statusOf(res), 200, 'the caller is answered (by FreeSWITCH, through the edge)')
  const toFs = lastInviteTo(s, '127.0.0.1')
  t.ok(toFs, 'an INVITE went to the first FreeSWITCH')
  t.match(toFs?.uri, /^sip:12315@127\.0\.0\.1:5080/, 'the number dialed, to its carrier profile')
  t.equal(toFs?.get('X-Hotline'), '12315', 'X-Hotline for the dialplan')
  t.equal(toFs?.get('X-Trunk'), 'carrier-main')
  t.match(toFs?.get('From'), /13800138000/, "the caller's number kept")
  t.equal(s.edge.admission.active('carrier-main'), 1, 'the trunk counts the call')
  await s.peer.inDialog(res!, 'ACK')
  // They talk (drachtio-srf passes the B leg's requests on only once the A leg's ACK was handled).
  await new Promise((r) => setTimeout(r, 200))
  await s.peer.inDialog(res!, 'BYE')
  await until(() => s.sent.some((m) => /^BYE sip:/m.test(m)), 'the BYE passed on to FreeSWITCH')
  await until(() => s.edge.admission.active('carrier-main') === 0, 'the slot freed')
  t.pass('the call ended on both legs and the trunk slot is free')
})

t.test('the dialed number is normalised: +86, and the area code before a service number', async (t) => {
  const s = await edgeScene(t)
  const lastInvite = () => [...s.far].reverse().find((r) => r.method === 'INVITE')
  await call(s, { dialed: '01012345', source: '127.0.0.3:5078' })
  t.equal(lastInvite()?.get('X-Hotline'), '12345')
  await call(s, { dialed: '+8612333', source: '127.0.0.3:5079' })
  t.equal(lastInvite()?.get('X-Hotline'), '12333')
})

t.test('an INVITE from an unknown address gets 403 and a log line, never a route', async (t) => {
  const s = await edgeScene(t)
  const before = s.far.length
  const res = await call(s, { dialed: '12345', source: '192.0.2.10:5060' })
  t.equal(statusOf(res), 403)
  t.equal(s.far.filter((r) => r.method === 'INVITE').length, s.far.slice(0, before).filter((r) => r.method === 'INVITE').length, 'nothing was sent on')
  t.ok(s.logs.some((l) => l.why === 'unknown-source' && l.source === '192.0.2.10'), 'logged with its source')
})

t.test('a trunk over its concurrent calls gets 503 with Retry-After; a freed slot takes the next call', async (t) => {
  const s = await edgeScene(t)
  const a = await call(s, { dialed: '12345', source: '127.0.0.3:5081' })
  const b = await call(s, { dialed: '12345', source: '127.0.0.3:5082' })
  t.equal(statusOf(a), 200)
  t.equal(statusOf(b), 200)
  const c = await call(s, { dialed: '12345', source: '127.0.0.3:5083' })
  t.equal(statusOf(c), 503, 'maxCalls 2 reached')
  t.equal(c?.get('Retry-After'), '5')
  await s.peer.inDialog(a!, 'ACK')
  await s.peer.inDialog(a!, 'BYE')
  await until(() => s.edge.admission.active('carrier-main') === 1, 'one slot freed')
  t.equal(statusOf(await call(s, { dialed: '12345', source: '127.0.0.3:5084' })), 200, 'the next call goes through')
})

t.test('a trunk over its calls per second gets 503 with Retry-After', async (t) => {
  const s = await edgeScene(t, { trunks: [{ ...TRUNKS[0], maxCalls: 100, callsPerSecond: 2 }, ...TRUNKS.slice(1)] })
  const answers = await Promise.all([0, 1, 2, 3].map((i) => call(s, { dialed: '12345', source: `127.0.0.3:${5100 + i}` })))
  const codes = answers.map(statusOf).sort()
  t.same(codes, [200, 200, 503, 503], 'two in the second, two refused')
  t.equal(answers.find((a) => statusOf(a) === 503)?.get('Retry-After'), '5')
})

t.test('a scanner User-Agent is refused; REGISTER gets the same 403 for every user', async (t) => {
  const s = await edgeScene(t)
  const res = await call(s, { dialed: '12345', source: '127.0.0.3:5085', userAgent: 'friendly-scanner' })
  t.equal(statusOf(res), 403, 'friendly-scanner refused, although it comes from a trunk address')
  const reg = (user: string, n: number) =>
    s.peer.inject(
      [
        `REGISTER sip:127.0.0.1:5060 SIP/2.0`,
        `Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-reg-${n}`,
        `From: <sip:${user}@127.0.0.1>;tag=r${n}`,
        `To: <sip:${user}@127.0.0.1>`,
        `Call-ID: reg-${n}-${process.pid}`,
        `CSeq: 1 REGISTER`,
        `Contact: <sip:${user}@192.0.2.20:5060>`,
        `Max-Forwards: 70`,
        `Expires: 60`,
        `Content-Length: 0`,
        ``,
        ``,
      ].join('\r\n'),
      { source: 'udp/192.0.2.20:5060' },
    )
  const known = await reg('1001', 1)
  const unknown = await reg('9999', 2)
  t.equal(statusOf(known), 403)
  t.equal(statusOf(unknown), 403)
  t.equal(known?.startLine, unknown?.startLine, 'an existing and an unknown user get the same answer')
})

t.test("a flood of OPTIONS from one address is throttled (503) while another source's calls go through", async (t) => {
  const s = await edgeScene(t, { perSourceRequestsPerSecond: 10 })
  const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => s.peer.inject(optionsText('127.0.0.3:5999', i), { source: 'udp/127.0.0.3:5999' })))
  const codes = flood.map(statusOf)
  t.equal(codes.filter((c) => c === 200).length, 10, 'ten answered (a keep-alive from a trunk)')
  t.equal(codes.filter((c) => c === 503).length, 30, 'the rest throttled')
  const res = await call(s, { dialed: '12345', source: '127.0.0.4:5060', headers: {} })
  t.equal(statusOf(res), 200, "the partner trunk's call goes through meanwhile")
})

t.test('a partner call carries the partner and its case headers to FreeSWITCH as X- headers', async (t) => {
  const s = await edgeScene(t)
  const res = await call(s, {
    dialed: '12345',
    source: '127.0.0.4:5060',
    headers: {
      'User-to-User': '3230323631323032;encoding=hex;purpose=call-info',
      'Call-Info': '<https://partner.example/records/R123>;purpose=emergency-CallData',
      'X-Partner-Case': 'R123',
    },
  })
  t.equal(statusOf(res), 200)
  const toFs = lastInviteTo(s, '127.0.0.1')
  t.equal(toFs?.get('X-Trunk'), 'partner-110')
  t.equal(toFs?.get('X-Partner'), '110')
  t.equal(toFs?.get('X-Partner-Case'), 'R123')
  t.equal(toFs?.get('X-UUI'), '3230323631323032;encoding=hex;purpose=call-info')
  t.match(toFs?.get('X-Call-Info'), /partner\.example\/records\/R123/)
})

t.test('a call out from FreeSWITCH to 110 leaves on the partner trunk with the centre number and the partner headers', async (t) => {
  const s = await edgeScene(t)
  const res = await call(s, {
    dialed: '110',
    from: '13800138000',
    source: '127.0.0.1:5080',
    headers: { 'User-to-User': '3230323631323033;encoding=hex;purpose=call-info', 'Call-Info': '<https://gw.example/handoff/abc>;purpose=emergency-CallData' },
  })
  t.equal(statusOf(res), 200)
  const out = lastInviteTo(s, '127.0.0.4')
  t.match(out?.uri, /^sip:110@127\.0\.0\.4:5060/, "to the partner trunk's target")
  t.match(out?.get('From'), /sip:12345@/, "the centre's number as caller id")
  t.match(out?.get('User-to-User'), /^3230323631323033;encoding=hex/, 'User-to-User passed on')
  t.match(out?.get('Call-Info'), /handoff\/abc/)
  t.equal(s.edge.admission.active('partner-110'), 1, "counted on the partner's trunk")
})

t.test('a call-back out from FreeSWITCH to a mobile leaves on the default carrier trunk', async (t) => {
  const s = await edgeScene(t)
  const res = await call(s, { dialed: '13900001111', source: '127.0.0.1:5080' })
  t.equal(statusOf(res), 200)
  t.match(lastInviteTo(s, '127.0.0.3')?.uri, /^sip:13900001111@127\.0\.0\.3:5090/)
})

t.test('a FreeSWITCH that stops answering OPTIONS is out of the pool within 5 s (new calls go to the other) and back when it answers', async (t) => {
  const s = await edgeScene(t)
  s.answer.set('127.0.0.1', 'none')
  const started = Date.now()
  await until(() => s.edge.pool.get('fs1')?.up === false, 'fs1 out of the pool', 5000)
  t.ok(Date.now() - started < 5000, `out after ${Date.now() - started} ms`)
  const res = await call(s, { dialed: '12345', source: '127.0.0.3:5086' })
  t.equal(statusOf(res), 200)
  t.ok(lastInviteTo(s, '127.0.0.2'), 'the call went to fs2')
  s.answer.set('127.0.0.1', 'ok')
  await until(() => s.edge.pool.get('fs1')?.up === true, 'fs1 back', 5000)
  t.pass('fs1 back in the pool')
})

t.test('a FreeSWITCH that fails the INVITE itself: the call is tried on the other one', async (t) => {
  const s = await edgeScene(t, { optionsIntervalMs: 2000 })
  s.answer.set('127.0.0.1', 'none')
  const res = await call(s, { dialed: '12345', source: '127.0.0.3:5087' })
  t.equal(statusOf(res), 200, 'answered by fs2')
  t.ok(lastInviteTo(s, '127.0.0.2'))
})

t.test('drachtio-server restarted: the edge reconnects by itself and takes calls again', async (t) => {
  const s = await edgeScene(t)
  s.peer.kill()
  await until(() => s.edge.link.state !== 'connected', 'the loss noticed')
  await s.peer.restart()
  await until(() => s.edge.link.state === 'connected', 'reconnected', 5000)
  await until(() => s.peer.connections() === 1, 'authenticated again')
  await new Promise((r) => setTimeout(r, 100))
  t.equal(statusOf(await call(s, { dialed: '12345', source: '127.0.0.3:5088' })), 200, 'calls go through again')
})

t.test('a wrong drachtio secret stops startup with SIP_ERR_AUTH', async (t) => {
  await t.rejects(edgeScene(t, { drachtio: { secret: 'not-the-secret' } as never }), { code: 'SIP_ERR_AUTH' })
})


t.test('drachtio-server stalls (socket open, no answers): noticed within two ping intervals, reconnected when it answers again', async (t) => {
  const s = await edgeScene(t)
  const proxy = await tcpProxy({ host: s.peer.host, port: s.peer.port })
  t.teardown(() => proxy.close())
  const viaProxy = await edgeScene(t, { drachtio: { host: '127.0.0.1', port: Number(new URL(proxy.url).port), pingIntervalMs: 5000 } as never })
  proxy.stall()
  const stalledAt = Date.now()
  await until(() => viaProxy.edge.link.state !== 'connected', 'the stall noticed', 12_000)
  const noticed = Date.now() - stalledAt
  t.ok(noticed <= 11_000, `noticed after ${noticed} ms (two intervals: 10,000, plus timer slack)`)
  t.ok(viaProxy.logs.some((l) => l.why === 'no answer to two pings'), 'logged why')
  proxy.resume()
  await until(() => viaProxy.edge.link.state === 'connected', 'reconnected', 12_000)
  t.pass('connected again')
})

t.test('a TLS admin connection stays TLS after a reconnect (drachtio-srf would come back in plain TCP)', async (t) => {
  const s = await edgeScene(t)
  const dir = mkdtempSync(join(tmpdir(), 'edge-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'])
  t.equal(made.status, 0, 'a test certificate')
  // drachtio-server's TLS admin port, played by a TLS front to the peer.
  let handshakes = 0
  const plainAttempts: string[] = []
  const sockets = new Set<Socket>()
  const front = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (client) => {
    handshakes += 1
    const upstream = connect(s.peer.port, s.peer.host)
    sockets.add(client).add(upstream)
    client.pipe(upstream).pipe(client)
    const drop = () => (client.destroy(), upstream.destroy())
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
  })
  front.on('tlsClientError', (err) => plainAttempts.push(err.message))
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => front.close(() => r())))
  const port = (front.address() as AddressInfo).port
  const tls = await edgeScene(t, { drachtio: { host: '127.0.0.1', port, tls: true, tlsCaFile: join(dir, 'cert.pem') } as never })
  t.equal(handshakes, 1, 'connected over TLS')
  for (const sock of sockets) sock.destroy()
  await until(() => tls.edge.link.state !== 'connected', 'the loss noticed')
  await until(() => tls.edge.link.state === 'connected', 'reconnected', 5000)
  t.equal(handshakes, 2, 'the reconnect is a TLS handshake again')
  t.same(plainAttempts, [], 'no plain-TCP attempt on the TLS port')
})
