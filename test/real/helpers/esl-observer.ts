/**
 * A second event-socket connection of the test's own (not the gateway's): it records what the real
 * FreeSWITCH did (applications run, files played, bridges, holds, DTMF, hang-ups with their RTP
 * counters) and runs `api` commands for the harness. Plain TCP and the ESL text framing, so the
 * evidence does not depend on the adapter under test.
 */
import { Socket } from 'node:net'

export interface FsEventRecord {
  at: number
  name: string
  uuid?: string
  headers: Record<string, string>
}

const WATCHED = [
  'CHANNEL_CREATE',
  'CHANNEL_PARK',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_EXECUTE',
  'CHANNEL_EXECUTE_COMPLETE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'DTMF',
  'PLAYBACK_START',
  'PLAYBACK_STOP',
  'RECORD_START',
  'RECORD_STOP',
  // eavesdrop / three_way on a leg (fixtures round 3b: on the TARGET leg, Media-Bug-Function eavesdrop)
  'MEDIA_BUG_START',
  'MEDIA_BUG_STOP',
  'BACKGROUND_JOB',
  // every api command anyone (the gateway) ran, with its arguments
  'API',
]

export class EslObserver {
  readonly events: FsEventRecord[] = []
  readonly #socket: Socket
  #buf: Buffer = Buffer.alloc(0)
  readonly #replies: ((h: Record<string, string>, body: string) => void)[] = []
  #closed = false

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (d) => {
      this.#buf = Buffer.concat([this.#buf, d as Buffer])
      this.#parse()
    })
    socket.on('close', () => (this.#closed = true))
    socket.on('error', () => (this.#closed = true))
  }

  /** Connects, authenticates and subscribes; rejects on a refused password. */
  static async connect(port: number, password: string): Promise<EslObserver> {
    const socket = new Socket()
    const o = new EslObserver(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(port, '127.0.0.1', () => resolve())
    })
    const auth = await o.#send(`auth ${password}`)
    if (!auth['Reply-Text']?.startsWith('+OK')) throw new Error(`observer: auth refused: ${auth['Reply-Text']}`)
    await o.#send(`event plain ${WATCHED.join(' ')} CUSTOM conference::maintenance sofia::register`)
    return o
  }

  get closed(): boolean {
    return this.#closed
  }

  /** `api <cmd>`; the body as FreeSWITCH sent it (including `-ERR ...`). */
  async api(cmd: string): Promise<string> {
    const r = await this.#send(`api ${cmd}`)
    return r.body ?? ''
  }

  /** Runs an application on a channel (`sendmsg` execute, as the gateway does); resolves on the reply. */
  async execute(uuid: string, app: string, arg = ''): Promise<string> {
    const r = await this.#send(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}`)
    return r['Reply-Text'] ?? ''
  }

  /** The first recorded event that matches, waiting for it up to `ms`. */
  async waitFor(pred: (e: FsEventRecord) => boolean, what: string, ms = 30_000): Promise<FsEventRecord> {
    const end = Date.now() + ms
    for (;;) {
      const e = this.events.find(pred)
      if (e) return e
      if (Date.now() > end) throw new Error(`timed out waiting for FreeSWITCH: ${what}\n${this.transcript().slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }

  /** Channel uuid of the inbound call from this caller number (CHANNEL_PARK of the carrier leg). */
  async callFrom(callerNumber: string, ms = 15_000): Promise<string> {
    const e = await this.waitFor(
      (x) => x.name === 'CHANNEL_PARK' && x.headers['Call-Direction'] === 'inbound' && x.headers['Caller-Caller-ID-Number'] === callerNumber,
      `call from ${callerNumber} parked`,
      ms,
    )
    return e.uuid!
  }

  /** Files (or streams) the channel was given to play, in order, from CHANNEL_EXECUTE playback. */
  played(uuid: string): string[] {
    return this.events
      .filter((e) => e.uuid === uuid && e.name === 'CHANNEL_EXECUTE' && e.headers.Application === 'playback')
      .map((e) => e.headers['Application-Data'] ?? '')
  }

  /** One line per event: what a failing test prints. */
  transcript(): string {
    const keys = ['Channel-Name', 'Media-Bug-Function', 'Media-Bug-Target', 'Caller-Caller-ID-Number', 'Application', 'Application-Data', 'Application-Response', 'Hangup-Cause', 'DTMF-Digit', 'Other-Leg-Unique-ID', 'Action', 'Job-Command', 'API-Command', 'API-Command-Argument']
    return this.events
      .map((e) => {
        const extra = keys.filter((k) => e.headers[k] !== undefined).map((k) => `${k}=${e.headers[k]}`)
        return `${new Date(e.at).toISOString().slice(11, 23)} ${e.name} ${e.uuid ?? ''} ${extra.join(' ')}`
      })
      .join('\n')
  }

  close(): void {
    this.#closed = true
    this.#socket.destroy()
  }

  #send(line: string): Promise<Record<string, string> & { body?: string }> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('observer: connection closed'))
      this.#replies.push((h, body) => resolve({ ...h, body }))
      this.#socket.write(`${line}\n\n`)
    })
  }

  #parse(): void {
    for (;;) {
      const i = this.#buf.indexOf('\n\n')
      if (i < 0) return
      const h = headerMap(this.#buf.subarray(0, i).toString(), false)
      const len = Number(h['Content-Length'] ?? 0)
      if (this.#buf.length < i + 2 + len) return
      const body = this.#buf.subarray(i + 2, i + 2 + len).toString()
      this.#buf = this.#buf.subarray(i + 2 + len)
      const type = h['Content-Type']
      if (type === 'auth/request' || type === 'text/disconnect-notice') continue
      if (type === 'text/event-plain') this.#onEvent(body)
      else this.#replies.shift()?.(h, body)
    }
  }

  #onEvent(body: string): void {
    const split = body.indexOf('\n\n')
    const headers = headerMap(split >= 0 ? body.slice(0, split) : body, true)
    const name = headers['Event-Name'] === 'CUSTOM' ? (headers['Event-Subclass'] ?? 'CUSTOM') : (headers['Event-Name'] ?? '')
    this.events.push({ at: Date.now(), name, uuid: headers['Unique-ID'], headers })
  }
}

function headerMap(text: string, urlEncoded: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const c = line.indexOf(':')
    if (c <= 0) continue
    const v = line.slice(c + 1).trim()
    let value = v
    if (urlEncoded) {
      try {
        value = decodeURIComponent(v)
      } catch {
        value = v
      }
    }
    out[line.slice(0, c)] = value
  }
  return out
}
