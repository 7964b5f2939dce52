import { createSocket } from 'node:dgram'
/**
 * sipp processes for the real-server suite, all on 127.0.0.1 with free ports: citizens calling the
 * carrier profile (test/real/sipp/caller*.xml), agent phones that REGISTER with digest as 1001/1002
 * on the agents profile and then answer, ring unanswered or are busy, and a carrier target that
 * answers the gateway's outbound calls (call-backs, third parties). Every process writes its SIP
 * message log (-trace_msg) and its final screen into the test's temp folder; `dump()` returns them
 * for a failing test; everything is killed at teardown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sipPassword } from '../../../gateway/telephony/sip-credentials.ts'
import { SIP_DOMAIN, TEST_SIP_SECRET, type RealFreeswitch } from './freeswitch.ts'
import { freePort, freeRange } from './ports.ts'

const SCENARIOS = resolve('test/real/sipp')

interface TapLike {
  teardown(fn: () => unknown): void
}

export interface Sipp {
  name: string
  /** The SIP port it listens on. */
  port: number
  /** The RTP port in its SDP. */
  mediaPort: number
  process: ChildProcess
  /** Resolves with the exit code (0: every call of the scenario went as written). */
  exited: Promise<number | null>
  /** The SIP messages it sent and received so far. */
  messages(): string
  kill(): Promise<void>
}

export type CallerMode =
  /** talks (tone) and waits for the centre's BYE */
  | { kind: 'wait' }
  /** talks (tone) and hangs up `afterMs` after the answer */
  | { kind: 'hangup'; afterMs: number }
  /** silent, presses 1 `afterMs` after the answer, waits for the centre's BYE */
  | { kind: 'dtmf1'; afterMs: number }

export type PhoneBehaviour = 'answer' | 'no-answer' | 'busy'

export class SippKit {
  readonly dir: string
  readonly #fs: RealFreeswitch
  readonly #all: Sipp[] = []

  constructor(t: TapLike, fs: RealFreeswitch) {
    this.#fs = fs
    this.dir = mkdtempSync(join(tmpdir(), 'gw-real-sipp-'))
    // The caller's voice: a quiet 440 Hz tone in PCMU, what rtp_stream sends.
    const sox = spawnSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', join(this.dir, 'tone.wav'), 'synth', '120', 'sine', '440', 'vol', '0.3'])
    if (sox.status !== 0) throw new Error(`sox could not make the tone: ${sox.stderr}`)
    t.teardown(async () => {
      await Promise.all(this.#all.map((s) => s.kill()))
      if (!process.env.REAL_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true })
    })
  }

  /** A citizen calling `dial` from `caller` through the carrier profile. */
  async caller(dial: string, caller: string, mode: CallerMode = { kind: 'wait' }): Promise<Sipp> {
    return this.callerVia(`127.0.0.1:${this.#fs.ports.carrier}`, '127.0.0.1', dial, caller, mode)
  }

  /** A citizen calling from address `ip` (a trunk's source address) to `target` (e.g. the SIP edge). */
  async callerVia(target: string, ip: string, dial: string, caller: string, mode: CallerMode = { kind: 'wait' }): Promise<Sipp> {
    const file = { wait: 'caller.xml', hangup: 'caller-hangup.xml', dtmf1: 'caller-dtmf.xml' }[mode.kind]
    const extra = mode.kind === 'wait' ? [] : ['-d', String(mode.afterMs)]
    return this.#run(`caller-${caller}-${dial}`, file, ['-s', dial, '-key', 'caller', caller, '-m', '1', ...extra, target], undefined, ip)
  }

  /** A phone (or a partner's switch) listening on address `ip`; `hangUpAfterMs`: it answers and hangs up itself then. */
  async farEnd(ip: string, behaviour: PhoneBehaviour = 'answer', hangUpAfterMs?: number): Promise<Sipp> {
    if (hangUpAfterMs !== undefined) return this.#run(`far-end-${ip}-hangup`, 'answer-hangup.xml', ['-rtp_echo', '-d', String(hangUpAfterMs)], await freePort(), ip)
    return this.#run(`far-end-${ip}-${behaviour}`, `${behaviour}.xml`, behaviour === 'answer' ? ['-rtp_echo'] : [], await freePort(), ip)
  }

  /** Any scenario of test/real/sipp from address `ip` with extra sipp arguments (floods, scanners, torture). */
  async scenario(name: string, file: string, args: string[], ip = '127.0.0.1'): Promise<Sipp> {
    return this.#run(name, file, args, undefined, ip)
  }

  /** Agent `id`'s desk phone: registers (digest, the password derived from the SIP secret), then behaves. */
  async agentPhone(id: string, behaviour: PhoneBehaviour = 'answer'): Promise<Sipp> {
    const port = await freePort()
    const reg = await this.#run(`register-${id}`, 'register.xml', [
      '-key', 'user', id, '-key', 'domain', SIP_DOMAIN, '-au', id, '-ap', sipPassword(TEST_SIP_SECRET, id), '-m', '1',
      `127.0.0.1:${this.#fs.ports.agents}`,
    ], port)
    const code = await reg.exited
    if (code !== 0) throw new Error(`agent ${id} could not register (sipp exit ${code}):\n${reg.messages()}`)
    const phone = await this.#phone(`phone-${id}-${behaviour}`, behaviour, port)
    // The registration points at this port: an INVITE sent before the phone's sipp holds it meets a
    // closed port (FreeSWITCH: NORMAL_TEMPORARY_FAILURE). Wait until it is bound.
    await udpPortTaken(port, 5000)
    return phone
  }

  /** A phone outside, reached through the carrier profile at `sofia/carrier/<number>@127.0.0.1:<port>`. */
  async carrierTarget(behaviour: PhoneBehaviour = 'answer'): Promise<Sipp> {
    return this.#phone(`carrier-target-${behaviour}`, behaviour, await freePort())
  }

  /** Every sipp's message log (and screen), for a failing test. */
  dump(): string {
    return this.#all.map((s) => `===== sipp ${s.name} (port ${s.port})\n${s.messages()}`).join('\n')
  }

  #phone(name: string, behaviour: PhoneBehaviour, port: number): Promise<Sipp> {
    return this.#run(name, `${behaviour}.xml`, behaviour === 'answer' ? ['-rtp_echo'] : [], port)
  }

  async #run(name: string, scenario: string, args: string[], port?: number, ip = '127.0.0.1'): Promise<Sipp> {
    const sipPort = port ?? (await freePort())
    const mediaPort = await freeRange(4)
    const base = join(this.dir, `${name}-${sipPort}`)
    const argv = [
      '-sf', join(SCENARIOS, scenario),
      '-i', ip, '-p', String(sipPort), '-mi', ip, '-mp', String(mediaPort),
      '-nostdin', '-timeout', '300', '-timeout_error',
      '-trace_msg', '-message_file', `${base}.msg`, '-trace_err', '-error_file', `${base}.err`,
      ...args,
    ]
    const proc = spawn('sipp', argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let screen = ''
    proc.stdout!.on('data', (d) => (screen = (screen + d.toString()).slice(-6000)))
    proc.stderr!.on('data', (d) => (screen = (screen + d.toString()).slice(-6000)))
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '')
    const s: Sipp = {
      name,
      port: sipPort,
      mediaPort,
      process: proc,
      exited,
      messages: () => `${read(`${base}.msg`)}${read(`${base}.err`)}\n--- screen\n${screen}`,
      kill: async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return
        proc.kill('SIGKILL')
        await exited
      },
    }
    this.#all.push(s)
    return s
  }
}

/** Resolves once something holds UDP port `port` on 127.0.0.1 (binding it fails). */
async function udpPortTaken(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const taken = await new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4')
      sock.once('error', () => resolve(true))
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(false)))
    })
    if (taken) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no sipp listening on UDP ${port} after ${timeoutMs} ms`)
}
