/** A small `ws` client for protocol tests: frames as parsed JSON, waits on frames/close with timeouts. */
import WebSocket from 'ws'

export interface Frame {
  v: number
  type: string
  [k: string]: unknown
}

export class TestClient {
  readonly frames: Frame[] = []
  private waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = []
  closed?: { code: number; reason: string }
  private closeWaiters: ((c: { code: number; reason: string }) => void)[] = []
  private seq = 0

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Frame
      this.frames.push(f)
      this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true))
    })
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() }
      for (const w of this.closeWaiters) w(this.closed)
    })
    ws.on('error', () => {})
  }

  static open(url: string, opts: { protocols?: string[]; origin?: string; autoPong?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts.protocols ?? [], {
        headers: opts.origin ? { origin: opts.origin } : {},
        autoPong: opts.autoPong ?? true,
      })
      const client = new TestClient(ws)
      ws.once('open', () => resolve(client))
      ws.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode, body: JSON.parse(body || '{}') })))
      })
      ws.once('error', reject)
    })
  }

  next(pred: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const seen = this.frames.find(pred)
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1)
      return Promise.resolve(seen)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`)), timeoutMs)
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer)
          this.frames.splice(this.frames.indexOf(f), 1)
          resolve(f)
        },
      })
    })
  }

  type(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs)
  }

  /** Sends a request with a fresh id and waits for its ack or error. */
  async request(type: string, body: Record<string, unknown> = {}, timeoutMs?: number): Promise<Frame> {
    const id = `t${++this.seq}`
    this.ws.send(JSON.stringify({ v: 1, type, id, ...body }))
    return this.next((f) => (f.type === 'ack' || f.type === 'error') && f.re === id, timeoutMs)
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data)
  }

  whenClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs)
      this.closeWaiters.push((c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
  }

  close(): void {
    this.ws.close()
  }
}
