// Copies the event frames the peer replays out of the recorded transcripts into ../frames/*.events.
// Run: npx tsx test/peers/freeswitch/tools/extract-frames.ts [fixtures dir]
// Each copied event keeps its recorded header lines byte for byte, except that its variable_* lines are
// reduced to the ones that were new or changed since the previous event of the same channel in the same
// recording (the peer keeps each channel's variables and adds these), so frames from different recordings
// can follow each other on one simulated channel.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = process.argv[2] ?? '/work/shared/fixtures/freeswitch'
const out = join(here, '..', 'frames')

interface Frame { no: number, at: string, text: string }

function s2cFrames (file: string): Frame[] {
  const data = readFileSync(join(fixtures, file))
  const frames: Frame[] = []
  let i = 0
  while (i < data.length) {
    const nl = data.indexOf(10, i)
    const line = data.subarray(i, nl).toString('utf8')
    i = nl + 1
    const m = /^#### \[\+([\d.]+)s\] (S->C frame (\d+)|.*?)\s*\((\d+) bytes\)$/.exec(line)
    if (!m) continue
    const len = Number(m[4])
    const body = data.subarray(i, i + len).toString('utf8')
    i += len + 1
    if (m[3]) frames.push({ no: Number(m[3]), at: m[1], text: body })
  }
  return frames
}

/** Splits `Content-Length..\n\n<event>` into the event's header lines and its nested body. */
function eventOf (frame: string): { lines: string[], body: string } | undefined {
  const outer = frame.indexOf('\n\n')
  if (!frame.slice(0, outer).includes('text/event-plain')) return undefined
  const inner = frame.slice(outer + 2)
  const end = inner.indexOf('\n\n')
  return { lines: inner.slice(0, end).split('\n'), body: inner.slice(end + 2) }
}

const headerValue = (lines: string[], key: string) => lines.find(l => l.startsWith(key + ': '))?.slice(key.length + 2)

interface Pick { file: string, frames: number[], roles: Record<string, string>, note: string }

// Which recorded frames each sequence file holds. Roles name the channels (a = the first leg, b = the
// second) so the peer can substitute its own channels for them.
const manifest: Record<string, Pick[]> = {
  'inbound-call': [{ file: 'esl3-eavesdrop.txt', frames: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21], roles: { a: '4f15e286-af80-4699-a5a6-764d1489aa3d' }, note: 'caller -> 12399 on external: answer, (tone frames 16-19 left out), park' }],
  'dialplan-set': [{ file: 'esl-inbound-plain.txt', frames: [14, 15], roles: { a: 'ebb2fb84-afe7-46ef-b655-72b910895ca4' }, note: 'dialplan `set hotline=12345` of the call to 12345' }],
  'originate-answer': [{ file: 'esl3-eavesdrop.txt', frames: [24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 41, 42, 43, 44], roles: { b: '985fa7e3-7d9d-470b-a7c2-f9055d74f168' }, note: 'bgapi originate {origination_uuid=..}user/1001 &park, answered; 41 is its BACKGROUND_JOB' }],
  'bridge': [{ file: 'esl3-eavesdrop.txt', frames: [47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62], roles: { a: '4f15e286-af80-4699-a5a6-764d1489aa3d', b: '985fa7e3-7d9d-470b-a7c2-f9055d74f168' }, note: 'api uuid_bridge <caller a> <agent b>, both parked' }],
  'bridged-kill': [{ file: 'esl3-eavesdrop.txt', frames: [169, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 190, 196], roles: { a: '4f15e286-af80-4699-a5a6-764d1489aa3d', b: '985fa7e3-7d9d-470b-a7c2-f9055d74f168' }, note: 'api uuid_kill <a> while a is bridged to b: b is hung up too (supervisor frames left out)' }],
  'parked-kill': [{ file: 'esl3-partner-headers.txt', frames: [], roles: { a: 'a0d32fd5-4286-4c50-93ed-eba5ebf5f97b' }, note: 'api uuid_kill of a parked inbound call (call 2)' }],
  'parked-bye': [{ file: 'esl-inbound-plain.txt', frames: [37, 38, 39, 40, 41, 42, 43, 44, 45], roles: { a: 'ebb2fb84-afe7-46ef-b655-72b910895ca4' }, note: 'the caller of a parked call sends BYE' }],
  'dtmf': [{ file: 'esl-inbound-plain.txt', frames: [28, 32, 33], roles: { a: 'ebb2fb84-afe7-46ef-b655-72b910895ca4' }, note: 'RFC2833 digit 1 (DTMF-Source RTP); SIP INFO digit 5 (RECV_INFO then DTMF-Source ENDPOINT)' }],
  'heartbeat': [{ file: 'esl-inbound-plain.txt', frames: [34, 35, 36], roles: {}, note: 'HEARTBEAT and the two RE_SCHEDULE events that follow it' }],
  'api-event': [{ file: 'esl-inbound-plain.txt', frames: [47], roles: {}, note: 'API event (event plain ALL) for `api uuid_getvar`' }],
  'bgapi-job': [{ file: 'esl-inbound-plain.txt', frames: [], roles: {}, note: 'BACKGROUND_JOB of `bgapi uuid_kill <bad uuid>`' }],
  'originate-failures': [{ file: 'esl2-agent-leg.txt', frames: [70, 71, 72, 73, 74, 76, 77, 78, 79, 85, 86, 87, 88, 103, 105], roles: { n: '09fae01f-7fbf-4fdd-90bf-df18bce95df6', u: '278755e5-6a63-4d00-b3bc-08f7bcaf16f6', t: '3777633c-6334-41fa-ba22-2a2de69d2839' }, note: 'originate to an agent that never answers (n, -ERR NO_ANSWER), is busy (u, -ERR USER_BUSY), is unreachable (t, -ERR NORMAL_TEMPORARY_FAILURE); bad profile; bad endpoint' }],
  'hold-record': [{ file: 'esl2-agent-leg.txt', frames: [20, 22, 29, 36], roles: { a: 'd27d3068-319d-416a-97cc-b293ccfcea64', b: '553f86d4-c41f-4dcd-bb69-2fa4ffa6a217' }, note: 'uuid_hold / uuid_hold off / uuid_record start / stop on the bridged caller' }],
  'apps': [{ file: 'esl3-prompts-zh.txt', frames: [53, 54, 55, 58, 60, 61, 64, 65, 66, 82, 83, 84, 85, 86, 89, 90, 91, 92, 93, 41, 42, 43], roles: { a: 'bad8f5f2-7822-47e0-b71a-660f32fe2e93' }, note: 'sendmsg set; phrase (UNKNOWN ERROR); playback of a missing file; uuid_broadcast playback; sendmsg playback; say' }],
  'play-and-get-digits': [{ file: 'esl-outbound-ivr.txt', frames: [8, 9, 13], roles: { a: 'de1828a8-3593-43b4-ad72-c0999cb6626c' }, note: 'play_and_get_digits 1 4 1 8000 # ... collecting 456 (outbound socket, myevents)' }],
  'eavesdrop': [{ file: 'esl3-eavesdrop.txt', frames: [84, 85, 86, 87, 100, 101, 102], roles: { s: '57c617c5-d963-4967-81cc-7f1f8ddd3ad0', b: '985fa7e3-7d9d-470b-a7c2-f9055d74f168', a: '4f15e286-af80-4699-a5a6-764d1489aa3d' }, note: 'supervisor s runs &eavesdrop(<agent leg b>) (b bridged to caller a): EXECUTE, CODEC, MEDIA_BUG_START on b, CALL_UPDATE; when it ends: MEDIA_BUG_STOP on b, CODEC, EXECUTE_COMPLETE' },
    { file: 'esl3-eavesdrop.txt', frames: [131, 132], roles: { u: '50994180-fef7-46d9-9d47-fb052e19db57' }, note: '&eavesdrop(00000000-0000-0000-0000-000000000000): EXECUTE and EXECUTE_COMPLETE at once' }],
  'outbound-hangup': [{ file: 'esl3-eavesdrop.txt', frames: [99, 103, 104, 105, 106, 107, 108, 109], roles: { a: '57c617c5-d963-4967-81cc-7f1f8ddd3ad0' }, note: 'an originated user/1002 leg (not parked, not bridged) hangs up' }],
  'app-bridge': [{ file: 'esl2-originate-uuid.txt', frames: [23, 24, 25], roles: { a: '32bc5315-389c-495b-893b-6cc07b987105', b: '4eadbc64-e1f3-4008-a023-c4374c7d3141' }, note: 'the bridge application of leg a dials b (`&bridge({..}sofia/external/110@..)`): CREATE and ANSWER of b, CHANNEL_BRIDGE on a (named subscription)' },
    { file: 'esl2-agent-leg.txt', frames: [54], roles: { c: 'd27d3068-319d-416a-97cc-b293ccfcea64', d: '553f86d4-c41f-4dcd-bb69-2fa4ffa6a217' }, note: 'CHANNEL_UNBRIDGE on c while c is still up (its partner d left the bridge)' }],
  'registration': [{ file: 'esl2-agent-registration.txt', frames: [], roles: {}, note: 'sofia::register of 1001, sofia::unregister of 1002 (REGISTER Expires: 0)' }],
  'conference': [{ file: 'esl2-conference-warm.txt', frames: [15, 16, 17, 18, 19, 20, 25, 31, 32, 34, 35, 38, 41, 45, 46, 48, 49, 52, 53, 54, 56, 57, 64, 65, 67, 69, 71, 72], roles: { a: 'a6cd18b4-1f66-4eb9-9f46-c72b9ca590cd', b: '2c8a44f0-edb8-4640-a673-abeae5f79cca', c: 'a5bf387a-a703-428e-982a-c13f1f57b1ca' }, note: 'warm transfer into conference 3001: caller a and agent b (bridged) moved in by `uuid_transfer a -both conference:3001@default inline` (CHANNEL_UNBRIDGE, conference-create, add-member x2, floor-change, enter sound done); dispatcher c originated with &conference(3001@default); mute/deaf/undeaf/unmute of a; play to a member and to all; hup b; hup all; conference-destroy' },
    { file: 'esl-conference-plain.txt', frames: [7, 34, 37, 41], roles: { p: '551a32df-3ffc-485e-9f04-8d5d8771d3b4', q: 'cbf76760-3212-4cb0-8b4f-23b9dd33d9c9' }, note: 'conference 3000: add-member of a caller p that dialled the conference extension (no transfer); lock; unlock; kick-member of caller q' }]
}

// Frame numbers found by event name where a fixed list would be fragile.
function autoFrames (file: string, want: (ev: { lines: string[], body: string }) => boolean, limit: number): number[] {
  return s2cFrames(file).filter(f => { const ev = eventOf(f.text); return ev !== undefined && want(ev) }).slice(0, limit).map(f => f.no)
}
const ev = (name: string) => (e: { lines: string[] }) => headerValue(e.lines, 'Event-Name') === name
manifest['parked-kill'][0].frames = autoFrames('esl3-partner-headers.txt', e => headerValue(e.lines, 'Unique-ID') === 'a0d32fd5-4286-4c50-93ed-eba5ebf5f97b' && /HANGUP|UNPARK|EXECUTE_COMPLETE|CHANNEL_STATE|CALLSTATE|DESTROY/.test(headerValue(e.lines, 'Event-Name') ?? '') && headerValue(e.lines, 'Answer-State') === 'hangup', 20)
manifest['bgapi-job'][0].frames = autoFrames('esl-inbound-plain.txt', e => ev('BACKGROUND_JOB')(e) && headerValue(e.lines, 'Job-Command') === 'uuid_kill', 1)
manifest['registration'][0].frames = [
  ...autoFrames('esl2-agent-registration.txt', e => headerValue(e.lines, 'Event-Subclass') === 'sofia%3A%3Aregister', 1),
  ...autoFrames('esl2-agent-registration.txt', e => headerValue(e.lines, 'Event-Subclass') === 'sofia%3A%3Aunregister', 1)
]
manifest['registration'].push({ file: 'esl3-webrtc-closedpage.txt', frames: autoFrames('esl3-webrtc-closedpage.txt', e => headerValue(e.lines, 'Event-Subclass') === 'sofia%3A%3Aunregister' && (headerValue(e.lines, 'reason') ?? '') !== '', 1), roles: {}, note: 'sofia::unregister with reason: socket-disconnection (page closed)' })

const identity = ['Caller-Caller-ID-Number', 'Caller-Caller-ID-Name', 'Caller-Destination-Number', 'Channel-Name']

for (const [name, picks] of Object.entries(manifest)) {
  const text: string[] = [`# Recorded FreeSWITCH events, copied by tools/extract-frames.ts from ${fixtures}; do not edit by hand.`]
  for (const pick of picks) {
    const frames = s2cFrames(pick.file)
    text.push(`# source ${pick.file}: ${pick.note}`)
    // variables as they stood before each frame, per channel, over the whole recording
    const lastVars = new Map<string, Map<string, string>>()
    const diffs = new Map<number, string[]>()
    for (const f of frames) {
      const e = eventOf(f.text)
      const uuid = e && headerValue(e.lines, 'Unique-ID')
      if (!e || !uuid) continue
      const vars = e.lines.filter(l => l.startsWith('variable_'))
      if (vars.length === 0) continue
      const prev = lastVars.get(uuid) ?? new Map()
      const now = new Map(vars.map(l => [l.slice(0, l.indexOf(': ')), l]))
      diffs.set(f.no, vars.filter(l => prev.get(l.slice(0, l.indexOf(': '))) !== l))
      lastVars.set(uuid, now)
    }
    for (const [role, uuid] of Object.entries(pick.roles)) {
      text.push(`# role ${role} Unique-ID ${uuid}`)
      const first = frames.map(f => eventOf(f.text)).find(e => e && headerValue(e.lines, 'Unique-ID') === uuid && headerValue(e.lines, 'Caller-Caller-ID-Number') !== undefined)
      for (const key of identity) {
        const v = first && headerValue(first.lines, key)
        if (v !== undefined) text.push(`# role ${role} ${key} ${v}`)
      }
    }
    for (const no of pick.frames) {
      const f = frames.find(x => x.no === no)
      const e = f && eventOf(f.text)
      if (!f || !e) throw new Error(`${pick.file} frame ${no} is not a plain event`)
      const uuid = headerValue(e.lines, 'Unique-ID')
      const role = Object.entries(pick.roles).find(([, u]) => u === uuid)?.[0] ?? '-'
      const hasVars = e.lines.some(l => l.startsWith('variable_'))
      let firstVar = true
      const lines: string[] = []
      for (const l of e.lines) {
        if (!l.startsWith('variable_')) { lines.push(l); continue }
        if (firstVar) { lines.push('@variables'); lines.push(...(diffs.get(no) ?? [])); firstVar = false }
      }
      text.push(`#### ${headerValue(e.lines, 'Event-Name')} ${pick.file} frame ${no} (+${f.at}s) role=${role} vars=${hasVars ? 'yes' : 'no'}`)
      text.push(...lines)
      if (e.body !== '') { text.push(''); text.push(e.body.replace(/\n$/, '')); text.push('@end-body') }
    }
  }
  writeFileSync(join(out, `${name}.events`), text.join('\n') + '\n')
  console.log(name, picks.map(p => p.frames.length).join('+'), 'frames')
}

// Command/reply transcripts (everything but events) for the replay tests.
for (const file of ['esl-inbound-plain.txt', 'esl-inbound-badauth.txt', 'esl2-originate-uuid.txt']) {
  const data = readFileSync(join(fixtures, file))
  const text: string[] = [`# Commands and non-event replies of ${file}, copied by tools/extract-frames.ts; do not edit by hand.`]
  let i = 0
  while (i < data.length) {
    const nl = data.indexOf(10, i)
    const line = data.subarray(i, nl).toString('utf8')
    i = nl + 1
    const m = /^#### \[\+([\d.]+)s\] (S->C frame \d+|C->S send \d+).*\((\d+) bytes\)$/.exec(line)
    if (!m) { if (/^#### .*(EOF|NOTE)/.test(line)) text.push(line); continue }
    const len = Number(m[3])
    const body = data.subarray(i, i + len).toString('utf8')
    i += len + 1
    if (/^Content-Length: \d+\nContent-Type: text\/event-/.test(body)) continue
    text.push(`#### ${m[2]} (${len} bytes)`)
    text.push(body)
  }
  writeFileSync(join(out, file.replace('.txt', '.replay')), text.join('\n') + '\n')
}
