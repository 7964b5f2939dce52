/**
 * A minimal FreeSWITCH event-socket client for the SIP edge bench (no modesl, Nagle off): auth,
 * `api`, `sendmsg` and plain events. Used for the readiness check in the bench process and by the
 * answerer child (bench/sip-edge/answerer.ts), whose CPU stays out of the bench process.
 */
import { Socket } from 'node:net'

export interface EslMessage {
  headers: Record<string, string>
  body: string
}

export class Esl {
  readonly #sock: Socket
  #buf: Buffer = Buffer.alloc(0)
  readonly #replies: ((m: EslMessage) => void)[] = []
  #onEvent: (headers: Record<string, string>) => void = () => undefined

  private constructor(sock: Socket) {
    this.#sock = sock
  }

  static connect(port: number, password: string, host = '127.0.0.1'): Promise<Esl> {
    return new Promise((resolve, reject) => {
      const sock = new Socket()
      sock.setNoDelay(true)
      const esl = new Esl(sock)
      sock.once('error', reject)
      esl.#replies.push((m) => {
        if (m.headers['Content-Type'] !== 'auth/request') return reject(new Error(`ESL: expected auth/request, got ${m.headers['Content-Type']}`))
        esl.#replies.push((r) => (/^\+OK/.test(r.headers['Reply-Text'] ?? '') ? resolve(esl) : reject(new Error(`ESL auth: ${r.headers['Reply-Text']}`))))
        sock.write(`auth ${password}\n\n`)
      })
      sock.on('data', (d: Buffer) => esl.#data(d))
      sock.connect(port, host)
    })
  }

  /** `api <cmd>`: the response body. */
  api(cmd: string): Promise<string> {
    return this.#command(`api ${cmd}`).then((m) => m.body)
  }

  /** Subscribe to plain events; `fn` gets each event's headers (values URL-decoded). */
  async events(names: string, fn: (headers: Record<string, string>) => void): Promise<void> {
    this.#onEvent = fn
    const r = await this.#command(`event plain ${names}`)
    if (!/^\+OK/.test(r.headers['Reply-Text'] ?? '')) throw new Error(`ESL event: ${r.headers['Reply-Text']}`)
  }

  /** `sendmsg <uuid>` execute `app` (queued on the channel; the reply comes at once). */
  execute(uuid: string, app: string, arg = ''): Promise<EslMessage> {
    return this.#command(`sendmsg ${uuid}\ncall-command: execute\nexecute-app-name: ${app}${arg ? `\nexecute-app-arg: ${arg}` : ''}`)
  }

  close(): void {
    this.#sock.destroy()
  }

  #command(text: string): Promise<EslMessage> {
    return new Promise((resolve) => {
      this.#replies.push(resolve)
      this.#sock.write(`${text}\n\n`)
    })
  }

  #data(d: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d
    for (;;) {
      const end = this.#buf.indexOf('\n\n')
      if (end < 0) return
      const headers = parseHeaders(this.#buf.subarray(0, end).toString('utf8'), false)
      const len = Number(headers['Content-Length'] ?? 0)
      if (this.#buf.length < end + 2 + len) return
      const body = this.#buf.subarray(end + 2, end + 2 + len).toString('utf8')
      this.#buf = this.#buf.subarray(end + 2 + len)
      const type = headers['Content-Type']
      if (type === 'text/event-plain') this.#onEvent(parseHeaders(body, true))
      else if (type === 'text/disconnect-notice') this.#sock.destroy()
      else this.#replies.shift()?.({ headers, body })
    }
  }
}

function parseHeaders(text: string, decode: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const i = line.indexOf(': ')
    if (i <= 0) continue
    const v = line.slice(i + 2)
    out[line.slice(0, i)] = decode ? safeDecode(v) : v
  }
  return out
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v)
  } catch {
    return v
  }
}
