/**
 * The carrier for the SIP edge bench: one sipp UAC process per step, from the carrier trunk's source
 * address, placing `rate` calls per second to 12345 at drachtio-server for `seconds` seconds. Each
 * call: INVITE (PCMU SDP), 200 OK (its INVITE -> 200 time recorded: rtd), ACK, a pause of `holdMs`,
 * BYE, 200 OK. Unlike sipp's built-in `uac`, the route set of the 200 OK is kept (rrs) and the ACK and
 * BYE go to its Contact with that route set: the proxy baseline's in-dialog requests must follow the
 * Record-Route through drachtio-server to FreeSWITCH (for the B2BUAs the Contact is drachtio's own).
 * A call counts as failed in sipp when an answer is not 200 or does not come within 8 s (then sipp
 * gives up the call). The SDP's session id is the call's number: bench/sip-edge/drachtio-log.ts pairs
 * the A and B legs of a B2BUA by it. sipp's statistics (-trace_stat) and each call's INVITE -> 200 OK time
 * (-trace_rtt) are read back after sipp exits.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, freeRange } from '../../test/real/helpers/ports.ts'

const ANSWER_TIMEOUT_MS = 8000

export const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="sip edge bench uac">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:13800138000@[local_ip]:[local_port]
      Max-Forwards: 70
      User-Agent: carrier-sbc
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=carrier [call_number] 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true" timeout="${ANSWER_TIMEOUT_MS}"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:13800138000@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:13800138000@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" timeout="${ANSWER_TIMEOUT_MS}"/>
</scenario>
`

export interface SippStats {
  outgoing: number
  successful: number
  failed: number
  retransmissions: number
  /** every failure counter sipp keeps that is not 0 */
  failures: Record<string, number>
}

export interface UacRun {
  pid: number
  process: ChildProcess
  exited: Promise<number | null>
  /** sipp's last statistics line (written at exit). */
  stats(): SippStats | undefined
  /** INVITE -> 200 OK of each answered call, ms. */
  answerTimes(): number[]
  /** sipp's error file and screen (for a failing step). */
  dump(): string
}

/** `rate` calls/s for `count` calls from `ip` to `target` (host:port), each held `holdMs`. */
export async function startUac(dir: string, o: { ip: string; target: string; rate: number; count: number; holdMs: number; dial: string }): Promise<UacRun> {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'uac.xml'), SCENARIO)
  const port = await freePort()
  const mediaPort = await freeRange(4, 20000, 30000)
  const argv = [
    '-sf', 'uac.xml', '-s', o.dial,
    '-i', o.ip, '-p', String(port), '-mi', o.ip, '-mp', String(mediaPort),
    '-r', String(o.rate), '-rp', '1000', '-m', String(o.count), '-l', '100000', '-d', String(o.holdMs),
    '-nostdin', '-timeout', '120', '-trace_stat', '-stf', 'stat.csv', '-fd', '1', '-trace_rtt', '-rtt_freq', '1',
    '-trace_err', '-error_file', 'errors.log',
    o.target,
  ]
  // sipp's screen into a file, not through a pipe into the bench process (which hosts the edge)
  const fd = openSync(join(dir, 'screen.log'), 'w')
  const proc = spawn('sipp', argv, { cwd: dir, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')
  return {
    pid: proc.pid!,
    process: proc,
    exited,
    stats: () => parseStats(read('stat.csv')),
    answerTimes: () => {
      const rtt = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'))
      if (!rtt) return []
      // Date_ms;response_time_ms;rtd_no
      return read(rtt)
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(';')[1]))
        .filter((x) => Number.isFinite(x) && x > 0)
    },
    dump: () => `${read('errors.log').slice(-2000)}\n--- screen\n${read('screen.log').slice(-1500)}`,
  }
}

/** The last line of sipp's -trace_stat file (semicolon-separated, header first). */
export function parseStats(csv: string): SippStats | undefined {
  const lines = csv.split('\n').filter((l) => l.trim())
  if (lines.length < 2) return undefined
  const head = lines[0].split(';')
  const last = lines[lines.length - 1].split(';')
  const get = (col: string) => Number(last[head.indexOf(col)] ?? Number.NaN)
  const failures: Record<string, number> = {}
  head.forEach((h, i) => {
    if (h.startsWith('Failed') && h.endsWith('(C)') && h !== 'FailedCall(C)' && Number(last[i]) > 0) failures[h.replace('(C)', '')] = Number(last[i])
  })
  return {
    outgoing: get('OutgoingCall(C)'),
    successful: get('SuccessfulCall(C)'),
    failed: get('FailedCall(C)'),
    retransmissions: get('Retransmissions(C)'),
    failures,
  }
}
