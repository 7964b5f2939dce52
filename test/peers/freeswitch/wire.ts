// Test helpers: a raw ESL socket that splits what the peer sends into frames, and the recorded replay
// transcripts (frames/*.replay).
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Socket, connect } from 'node:net'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'frames')

export interface WireFrame { text: string, headers: Record<string, string>, body: string }

export class RawEsl {
  readonly frames: WireFrame[] = []
  closed = false
  private buf = Buffer.alloc(0)
  private wake?: () => void
  readonly sock: Socket

  constructor (port: number, host = '127.0.0.1') {
    this.sock = connect(port, host)
    this.sock.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.split() })
    this.sock.on('close', () => { this.closed = true; this.wake?.() })
    this.sock.on('error', () => {})
  }

  private split (): void {
    for (;;) {
      const end = this.buf.indexOf('\n\n')
      if (end < 0) break
      const head = this.buf.subarray(0, end).toString('utf8')
      const headers = Object.fromEntries(head.split('\n').map(l => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]))
      const len = Number(headers['Content-Length'] ?? 0)
      if (this.buf.length < end + 2 + len) break
      const body = this.buf.subarray(end + 2, end + 2 + len).toString('utf8')
      this.frames.push({ text: this.buf.subarray(0, end + 2 + len).toString('utf8'), headers, body })
      this.buf = this.buf.subarray(end + 2 + len)
    }
    this.wake?.()
  }

  send (command: string): void { this.sock.write(command.endsWith('\n\n') ? command : command + '\n\n') }

  /** Waits until `pred` holds for the frames received so far. */
  async until (pred: (frames: WireFrame[]) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pred(this.frames)) {
      if (Date.now() > deadline) throw new Error('timed out waiting for frames')
      await new Promise<void>(resolve => { this.wake = resolve; setTimeout(resolve, 50) })
    }
  }

  nonEvents (): WireFrame[] { return this.frames.filter(f => !(f.headers['Content-Type'] ?? '').startsWith('text/event-')) }
  events (name?: string): WireFrame[] { return this.frames.filter(f => f.headers['Content-Type'] === 'text/event-plain' && (!name || f.body.startsWith(`Event-Name: ${name}\n`))) }

  close (): void { this.sock.destroy() }
}

export interface ReplayStep { dir: 'C->S' | 'S->C', text: string }

/** The recorded commands and non-event replies of a transcript, in order. */
export function loadReplay (name: string): { steps: ReplayStep[], closedByPeer: boolean } {
  const data = readFileSync(join(dir, `${name}.replay`))
  const steps: ReplayStep[] = []
  let closedByPeer = false
  let i = 0
  while (i < data.length) {
    const nl = data.indexOf(10, i)
    const line = data.subarray(i, nl).toString('utf8')
    i = nl + 1
    if (/socket closed by peer/.test(line)) closedByPeer = true
    const m = /^#### (S->C|C->S) \S+ \d+ \((\d+) bytes\)$/.exec(line)
    if (!m) continue
    steps.push({ dir: m[1] as 'C->S' | 'S->C', text: data.subarray(i, i + Number(m[2])).toString('utf8') })
    i += Number(m[2]) + 1
  }
  return { steps, closedByPeer }
}

/** Plain event body -> header map (values URL-decoded). */
export function plainHeaders (body: string): Record<string, string> {
  const head = body.slice(0, body.indexOf('\n\n') >= 0 ? body.indexOf('\n\n') : undefined)
  return Object.fromEntries(head.split('\n').filter(l => l.includes(': ')).map(l => [l.slice(0, l.indexOf(': ')), decodeURIComponent(l.slice(l.indexOf(': ') + 2))]))
}
