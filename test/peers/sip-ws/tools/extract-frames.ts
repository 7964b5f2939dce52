/**
 * Copies the SIP-over-WebSocket frames the peer answers with (and the browser frames its tests compare
 * against) from the round 3a transcripts into ../frames/ws3.json, byte for byte:
 *
 *   npx tsx test/peers/sip-ws/tools/extract-frames.ts [/work/shared/fixtures/freeswitch]
 *
 * A transcript frame is `#### [+T s] conn K C->S|S->C ws N text fin=1 masked=M (L bytes)` followed by
 * exactly L bytes of payload and one `\n` (fixtures README, round 3a).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const FIXTURES = process.argv[2] ?? '/work/shared/fixtures/freeswitch'
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'frames', 'ws3.json')

/** name -> [transcript, frame number, what it is] */
const PICK: Record<string, [string, number, string]> = {
  'register': ['ws3-webrtc-call.txt', 1, 'JsSIP: first REGISTER (no credentials)'],
  'register-auth': ['ws3-webrtc-call.txt', 3, 'JsSIP: REGISTER with Authorization (password 1234)'],
  'register-401': ['ws3-webrtc-call.txt', 2, 'FreeSWITCH: 401 Digest challenge'],
  'register-200': ['ws3-webrtc-call.txt', 4, 'FreeSWITCH: 200 to REGISTER (Contact ;expires=600)'],
  'register-403': ['ws3-webrtc-badpass.txt', 4, 'FreeSWITCH: 403 Forbidden to a wrong digest'],
  'unregister-401': ['ws3-webrtc-call.txt', 37, 'FreeSWITCH: 401 to REGISTER Expires: 0'],
  'unregister-200': ['ws3-webrtc-call.txt', 39, 'FreeSWITCH: 200 to the authenticated unREGISTER (no Contact)'],
  'invite': ['ws3-webrtc-call.txt', 5, 'FreeSWITCH: INVITE to the browser (originate user/1001), WebRTC SDP offer'],
  'invite-100': ['ws3-webrtc-call.txt', 6, 'JsSIP: 100 Trying'],
  'invite-180': ['ws3-webrtc-call.txt', 7, 'JsSIP: 180 Ringing'],
  'invite-200': ['ws3-webrtc-call.txt', 8, 'JsSIP: 200 OK with the SDP answer'],
  'ack': ['ws3-webrtc-call.txt', 9, 'FreeSWITCH: ACK of the 200'],
  'ack-failure': ['ws3-webrtc-failures.txt', 9, 'FreeSWITCH: ACK of a 480 (same branch as the INVITE, with Route)'],
  'info': ['ws3-webrtc-call.txt', 10, 'JsSIP: INFO application/dtmf-relay Signal=1'],
  'info-200': ['ws3-webrtc-call.txt', 11, 'FreeSWITCH: 200 to INFO'],
  'reinvite-hold': ['ws3-webrtc-call.txt', 14, 'JsSIP: hold() re-INVITE, a=sendonly'],
  'reinvite-100': ['ws3-webrtc-call.txt', 15, 'FreeSWITCH: 100 Trying to a re-INVITE'],
  'reinvite-hold-200': ['ws3-webrtc-call.txt', 16, 'FreeSWITCH: 200 to hold, a=recvonly'],
  'reinvite-ack': ['ws3-webrtc-call.txt', 17, 'JsSIP: ACK of the re-INVITE 200'],
  'reinvite-unhold-200': ['ws3-webrtc-call.txt', 20, 'FreeSWITCH: 200 to unhold, no direction attribute'],
  'fs-hold': ['ws3-webrtc-call.txt', 22, 'FreeSWITCH: uuid_hold re-INVITE, a=sendonly'],
  'fs-reinvite-ack': ['ws3-webrtc-call.txt', 25, 'FreeSWITCH: ACK of the browser 200 to its re-INVITE'],
  'fs-unhold': ['ws3-webrtc-call.txt', 26, 'FreeSWITCH: uuid_hold off re-INVITE, no direction attribute'],
  'fs-refresh': ['ws3-webrtc-call.txt', 30, 'FreeSWITCH: session-timer refresh re-INVITE'],
  'bye': ['ws3-webrtc-call.txt', 34, 'JsSIP: BYE'],
  'bye-200': ['ws3-webrtc-call.txt', 35, 'FreeSWITCH: 200 to BYE'],
  'fs-bye': ['ws3-webrtc-failures.txt', 25, 'FreeSWITCH: BYE to the browser (recorded with cause 88)'],
  'fs-bye-200': ['ws3-webrtc-failures.txt', 26, 'JsSIP: 200 to BYE'],
}

function frames(file: string): Map<number, string> {
  const buf = readFileSync(join(FIXTURES, file))
  const out = new Map<number, string>()
  let pos = 0
  while (pos < buf.length) {
    const eol = buf.indexOf(0x0a, pos)
    const line = buf.subarray(pos, eol < 0 ? buf.length : eol).toString('latin1')
    pos = eol < 0 ? buf.length : eol + 1
    const m = /^#### \[[^\]]+\] conn \d+ (?:C->S|S->C) (?:ws (\d+) \w+ .*|http upgrade \w+) \((\d+) bytes\)$/.exec(line)
    if (!m) continue
    const len = Number(m[2])
    if (m[1]) out.set(Number(m[1]), buf.subarray(pos, pos + len).toString('utf8'))
    pos += len + 1
  }
  return out
}

const cache = new Map<string, Map<number, string>>()
const result: Record<string, { source: string; what: string; text: string }> = {}
for (const [name, [file, n, what]] of Object.entries(PICK)) {
  if (!cache.has(file)) cache.set(file, frames(file))
  const text = cache.get(file)!.get(n)
  if (text === undefined) throw new Error(`${file}: no ws frame ${n}`)
  result[name] = { source: `${file} frame ${n}`, what, text }
}
writeFileSync(OUT, JSON.stringify({ note: 'Copied by tools/extract-frames.ts from the round 3a transcripts; do not edit by hand.', frames: result }, null, 1) + '\n')
process.stdout.write(`${Object.keys(result).length} frames -> ${OUT}\n`)
