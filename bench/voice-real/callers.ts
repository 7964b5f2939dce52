/**
 * Citizens calling 12345 on the carrier profile, many per sipp process, at a fixed rate
 * (`sipp -r <rate> -m <count>`): the scenario of test/real/sipp/caller.xml (INVITE with PCMU, ACK,
 * then the caller's voice as RTP: a quiet 440 Hz tone in PCMU, optional) generated here with two
 * changes: each call's number comes from an injection file (distinct valid mobile numbers, so no
 * two calls are one citizen and the matter linker links none), and the caller either waits for the
 * centre's BYE (`holdMs` undefined) or hangs up `holdMs` after the answer unless the centre hung up
 * first. sipp's own statistics (-trace_stat: successful, failed, retransmissions) and each call's
 * INVITE -> 200 OK time (-trace_rtt, the `rtd` on the 200) are read back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { phoneFor } from '../lib/appeal-samples.ts'
import { freePort, freeRange } from '../../test/real/helpers/ports.ts'
import type { Teardowns } from './freeswitch.ts'

const HEAD = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="bench caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field0]" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:[field0]@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
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
  <recv response="200" rtd="true" timeout="30000"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field0]" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:[field0]@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
`
const AUDIO = `  <nop><action><exec rtp_stream="tone.wav,-1,0"/></action></nop>\n`
const ANSWER_BYE = `    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>`
const SEND_BYE = `    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[field0]" <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:[field0]@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>`

/** The scenario: wait for the centre's BYE, or hang up `holdMs` after the answer. */
export function scenario(holdMs: number | undefined, audio: boolean): string {
  const body =
    holdMs === undefined
      ? `  <recv request="BYE" timeout="3600000"/>\n  <send>\n${ANSWER_BYE}\n  </send>\n`
      : `  <recv request="BYE" timeout="${holdMs}" ontimeout="1"/>\n  <send next="2">\n${ANSWER_BYE}\n  </send>\n` +
        `  <label id="1"/>\n  <send retrans="500">\n${SEND_BYE}\n  </send>\n  <recv response="200" timeout="10000"/>\n  <label id="2"/>\n`
  return `${HEAD}${audio ? AUDIO : ''}${body}</scenario>\n`
}

export interface SippStats {
  outgoing: number
  successful: number
  failed: number
  current: number
  retransmissions: number
  /** every failure counter sipp keeps that is not 0 */
  failures: Record<string, number>
}

export interface CallerRun {
  name: string
  process: ChildProcess
  exited: Promise<number | null>
  /** The last statistics line sipp wrote (once a second, and at exit). */
  stats(): SippStats | undefined
  /** INVITE -> 200 OK of each answered call, ms. */
  answerTimes(): number[]
  /** sipp's screen and error file, for a failing run. */
  dump(): string
  kill(): Promise<void>
}

export class Callers {
  readonly dir: string
  readonly #carrier: number
  readonly #all: CallerRun[] = []
  #next = 0

  constructor(t: Teardowns, carrierPort: number) {
    this.#carrier = carrierPort
    this.dir = mkdtempSync(join(tmpdir(), 'gw-bench-sipp-'))
    t.teardown(async () => {
      await Promise.all(this.#all.map((r) => r.kill()))
      if (!process.env.REAL_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true })
    })
  }

  /** `count` callers at `rate` per second, each from a number no other call of the run has. */
  async start(name: string, o: { rate: number; count: number; holdMs?: number; audio: boolean }): Promise<CallerRun> {
    const dir = join(this.dir, name)
    mkdirSync(dir, { recursive: true })
    if (o.audio) {
      const sox = spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'tone.wav'), 'synth', '600', 'sine', '440', 'vol', '0.3'])
      if (sox.status !== 0) throw new Error(`sox could not make the tone: ${sox.stderr}`)
    }
    writeFileSync(join(dir, 'caller.xml'), scenario(o.holdMs, o.audio))
    const numbers = ['SEQUENTIAL']
    for (let i = 0; i < o.count; i++) numbers.push(`${phoneFor(this.#next++)};`)
    writeFileSync(join(dir, 'numbers.csv'), `${numbers.join('\n')}\n`)
    const port = await freePort()
    // the SDP's media port (FreeSWITCH sends the music there) and port + 2; sipp 3.6 sends every
    // call's rtp_stream from that one socket too
    const mediaPort = await freeRange(4, 20000, 30000)
    const argv = [
      '-sf', 'caller.xml', '-inf', 'numbers.csv', '-s', '12345',
      '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort),
      '-r', String(o.rate), '-m', String(o.count), '-l', '100000',
      '-nostdin', '-trace_stat', '-stf', 'stat.csv', '-fd', '1', '-trace_rtt', '-rtt_freq', '1', '-trace_err', '-error_file', 'errors.log',
      `127.0.0.1:${this.#carrier}`,
    ]
    const proc = spawn('sipp', argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let screen = ''
    proc.stdout!.on('data', (d) => (screen = (screen + d.toString()).slice(-4000)))
    proc.stderr!.on('data', (d) => (screen = (screen + d.toString()).slice(-4000)))
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')
    const run: CallerRun = {
      name,
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
      dump: () => `${read('errors.log').slice(-1500)}\n--- screen\n${screen.slice(-1000)}`,
      kill: async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return
        proc.kill('SIGKILL')
        await exited
      },
    }
    this.#all.push(run)
    return run
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
    current: get('CurrentCall(P)'),
    retransmissions: get('Retransmissions(C)'),
    failures,
  }
}
