// Copies the admin-protocol messages and SIP texts the drachtio peer and its tests use out of the
// recorded transcripts into ../frames/drachtio.json.
// Run: npx tsx test/peers/drachtio/tools/extract-frames.ts [fixtures dir]
//
// `leaders`: one recorded message per kind the peer sends, its first line byte for byte, and which
// `|`-separated positions the peer fills in (every other position, empty ones included, is sent as
// recorded). `sip`: whole SIP messages as sipp sent or received them (*.sipmsg.txt, exact bytes), and
// messages of the admin streams (SIP part only) that the tests compare the peer's output with.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = process.argv[2] ?? '/work/shared/fixtures/drachtio'
const out = join(here, '..', 'frames', 'drachtio.json')

/** The messages of one direction of an admin stream (`<bytes>#<payload>`, back to back). */
function stream (file: string): string[] {
  const data = readFileSync(join(fixtures, file))
  const msgs: string[] = []
  let i = 0
  while (i < data.length) {
    const hash = data.indexOf(0x23, i)
    const len = Number(data.subarray(i, hash).toString('ascii'))
    msgs.push(data.subarray(hash + 1, hash + 1 + len).toString('utf8'))
    i = hash + 1 + len
  }
  return msgs
}

/** The SIP messages of a sipp message log: `UDP message sent (N bytes):` / `received [N] bytes :`, a blank line, N bytes. */
function sippMessages (file: string): Array<{ dir: 'sent' | 'received', text: string }> {
  const data = readFileSync(join(fixtures, file))
  const found: Array<{ dir: 'sent' | 'received', text: string }> = []
  const re = /UDP message (sent) \((\d+) bytes\):\n\n|UDP message (received) \[(\d+)\] bytes :\n\n/g
  const text = data.toString('latin1')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length
    const len = Number(m[2] ?? m[4])
    found.push({ dir: (m[1] ?? m[3]) as 'sent' | 'received', text: data.subarray(start, start + len).toString('utf8') })
  }
  return found
}

const firstLine = (msg: string) => msg.split('\r\n')[0]
const sipOf = (msg: string) => msg.slice(msg.indexOf('\r\n') + 2)

interface LeaderPick { file: string, message: number, fields: Record<string, number>, note: string }

// message numbers count from 1 in the stream of that file
const leaderPicks: Record<string, LeaderPick> = {
  'auth-ok': { file: 'drachtio-srf-9022.s2c.raw', message: 1, fields: { id: 0, reqId: 2, hostport: 4, version: 5, localHostports: 6 }, note: 'authenticate with the right secret' },
  'auth-refused': { file: 'drachtio-srf-b2bua-9022.s2c.raw', message: 1, fields: { id: 0, reqId: 2 }, note: 'authenticate with a wrong secret; the server then closes the socket' },
  'route-ok': { file: 'drachtio-srf-9022.s2c.raw', message: 2, fields: { id: 0, reqId: 2 }, note: 'route|invite' },
  'pong': { file: 'drachtio2-srf-9022.s2c.raw', message: 25, fields: { id: 0, reqId: 2 }, note: 'ping' },
  'nok-myself': { file: 'drachtio2-srf-9022.s2c.raw', message: 5, fields: { id: 0, reqId: 2 }, note: 'OPTIONS sip:127.0.0.1:5060 from the app: its request-uri is drachtio itself' },
  'nok-ack': { file: 'drachtio2-srf-9022.s2c.raw', message: 38, fields: { id: 0, reqId: 2 }, note: "drachtio-srf's ACK for the 487 of its cancelled INVITE" },
  'request-in': { file: 'drachtio-srf-9022.s2c.raw', message: 5, fields: { id: 0, bytes: 3, transport: 4, address: 5, port: 6, time: 7, transactionId: 8, dstAddress: 10, dstPort: 11 }, note: 'REGISTER from sipp (a request outside a dialog: empty dialog id, then the address it came in on)' },
  'request-in-dialog': { file: 'drachtio-srf-9022.s2c.raw', message: 12, fields: { id: 0, bytes: 3, transport: 4, address: 5, port: 6, time: 7, transactionId: 8, dialogId: 9 }, note: 'BYE from sipp inside the dialog the app answered (no receiving address)' },
  'ack-in': { file: 'drachtio-srf-9022.s2c.raw', message: 11, fields: { id: 0, bytes: 3, address: 5, port: 6, time: 7, transactionId: 8, dialogId: 9 }, note: "sipp's ACK for the 200: the INVITE's transaction id, and an EMPTY transport field" },
  'response-sent-invite': { file: 'drachtio-srf-9022.s2c.raw', message: 10, fields: { id: 0, reqId: 2, bytes: 5, transport: 6, address: 7, port: 8, time: 9, transactionId: 10, dialogId: 11 }, note: "the app's 200 to an INVITE as sent (a 486 has the same shape, dialog id included)" },
  'response-sent': { file: 'drachtio-srf-9022.s2c.raw', message: 6, fields: { id: 0, reqId: 2, bytes: 5, address: 7, port: 8, time: 9, transactionId: 10 }, note: "the app's 200 to a REGISTER as sent: empty transport, empty dialog id (also its 200 to a BYE)" },
  'response-sent-in-dialog': { file: 'drachtio2-srf-9022.s2c.raw', message: 27, fields: { id: 0, reqId: 2, bytes: 5, address: 7, port: 8, time: 9, transactionId: 10, dialogId: 11 }, note: "the app's 202 to a REFER inside its dialog: empty transport, the dialog id" },
  'request-sent': { file: 'drachtio-srf-b2bua-9022.s2c.raw', message: 4, fields: { id: 0, reqId: 2, bytes: 5, transport: 6, address: 7, port: 8, time: 9, transactionId: 10 }, note: 'a request the app sent (OPTIONS), with its new transaction id and no dialog id field' },
  'response-in': { file: 'drachtio-srf-b2bua-9022.s2c.raw', message: 8, fields: { id: 0, bytes: 3, transport: 4, address: 5, port: 6, time: 7, transactionId: 8, dialogId: 9 }, note: 'the far end answers a request of the app (200 to its INVITE; an OPTIONS answer has an empty dialog id)' },
  'response-local': { file: 'drachtio2-srf-9022.s2c.raw', message: 9, fields: { id: 0, time: 7, transactionId: 8 }, note: "drachtio's own 503 for an OPTIONS to a port nobody listens on: length 0, no address, port 0" },
  'proxy-response': { file: 'drachtio2-srf-9022.s2c.raw', message: 19, fields: { id: 0, reqId: 2, bytes: 5, transport: 6, address: 7, port: 8, time: 9 }, note: "proxy: the far end's answer, `continue`" },
  'proxy-done': { file: 'drachtio2-srf-9022.s2c.raw', message: 20, fields: { id: 0, reqId: 2 }, note: 'proxy: finished' }
}

const leaders: Record<string, { source: string, note: string, recorded: string, fields: Record<string, number> }> = {}
for (const [name, p] of Object.entries(leaderPicks)) {
  const msg = stream(p.file)[p.message - 1]
  leaders[name] = { source: `${p.file} message ${p.message}`, note: p.note, recorded: firstLine(msg), fields: p.fields }
}

const sippPick = (file: string, n: number) => ({ source: `${file} message ${n}`, text: sippMessages(file)[n - 1].text })
const adminPick = (file: string, n: number) => ({ source: `${file} message ${n}`, text: sipOf(stream(file)[n - 1]) })

const sip = {
  // what sipp sent / received (drachtio-srf-9022 run)
  'sipp-register': sippPick('drachtio-sipp-register.sipmsg.txt', 1),
  'sipp-register-200': sippPick('drachtio-sipp-register.sipmsg.txt', 2),
  'sipp-invite-486': sippPick('drachtio-sipp-invite486.sipmsg.txt', 1),
  'sipp-busy-486': sippPick('drachtio-sipp-invite486.sipmsg.txt', 3),
  'sipp-ack-486': sippPick('drachtio-sipp-invite486.sipmsg.txt', 4),
  'sipp-invite-12345': sippPick('drachtio-sipp-invite200.sipmsg.txt', 1),
  'sipp-ok-200': sippPick('drachtio-sipp-invite200.sipmsg.txt', 3),
  'sipp-ack': sippPick('drachtio-sipp-invite200.sipmsg.txt', 4),
  'sipp-bye': sippPick('drachtio-sipp-invite200.sipmsg.txt', 5),
  'sipp-bye-200': sippPick('drachtio-sipp-invite200.sipmsg.txt', 6),
  // round 2: the caller of the proxied INVITE, and the 200 that reached it through drachtio
  'sipp-proxy-invite': sippPick('drachtio2-sipp-proxy-caller.sipmsg.txt', 1),
  'sipp-proxy-200': sippPick('drachtio2-sipp-proxy-caller.sipmsg.txt', 3),
  // round 2: the far end of the app's UAC INVITE (User-to-User, Call-Info) answered 180, 200 with this SDP
  'sipp-uas-200': sippPick('drachtio2-sipp-uas-refer.sipmsg.txt', 3),
  // admin stream, SIP part: what drachtio-srf sent and drachtio echoed
  'app-register-200': adminPick('drachtio-srf-9022.c2s.raw', 5),
  'echo-register-200': adminPick('drachtio-srf-9022.s2c.raw', 6),
  'app-busy-486': adminPick('drachtio-srf-9022.c2s.raw', 6),
  'echo-busy-486': adminPick('drachtio-srf-9022.s2c.raw', 8),
  'app-ok-200': adminPick('drachtio-srf-9022.c2s.raw', 7),
  'echo-ok-200': adminPick('drachtio-srf-9022.s2c.raw', 10),
  'delivered-register': adminPick('drachtio-srf-9022.s2c.raw', 5),
  'delivered-ack': adminPick('drachtio-srf-9022.s2c.raw', 11),
  'app-uac-invite': adminPick('drachtio2-srf-9022.c2s.raw', 13),
  'echo-uac-invite': adminPick('drachtio2-srf-9022.s2c.raw', 21),
  'app-proxy': adminPick('drachtio2-srf-9022.c2s.raw', 12),
  'proxied-200': adminPick('drachtio2-srf-9022.s2c.raw', 19)
}

const adminLine = (file: string, n: number) => ({ source: `${file} message ${n}`, text: firstLine(stream(file)[n - 1]) })
const commands = {
  'authenticate': adminLine('drachtio-srf-9022.c2s.raw', 1),
  'route-invite': adminLine('drachtio-srf-9022.c2s.raw', 2),
  'proxy': adminLine('drachtio2-srf-9022.c2s.raw', 12),
  'ping': adminLine('drachtio2-srf-9022.c2s.raw', 15)
}

writeFileSync(out, JSON.stringify({ generatedFrom: fixtures, leaders, commands, sip }, null, 2) + '\n')
console.log(`wrote ${out}: ${Object.keys(leaders).length} leaders, ${Object.keys(commands).length} commands, ${Object.keys(sip).length} SIP messages`)
