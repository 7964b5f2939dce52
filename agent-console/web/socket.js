// The console's websocket: protocol v1 (docs/console-protocol.md). The token travels as the
// subprotocol `token.<jwt>` beside `gw.v1`; requests carry an id and resolve on the matching
// ack / error. Reconnects by itself, except after a takeover (4409), a logout (4403) or an expired login.
import { refresh, saved } from './auth.js'

const CLOSE_UNAUTHORIZED = 4401
const CLOSE_LOGGED_OUT = 4403
const CLOSE_TOKEN_EXPIRED = 4402
const CLOSE_REPLACED = 4409

export class ConsoleSocket extends EventTarget {
  constructor({ surface = 'console' } = {}) {
    super()
    this.surface = surface
    this.pending = new Map()
    this.seq = 0
    this.backoff = 500
    this.stopped = false
    this.renewTimer = undefined
  }

  connect() {
    const s = saved()
    if (!s) return this.fatal('expired')
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    const q = this.surface === 'wallboard' ? '?surface=wallboard' : ''
    this.emit('connection', { state: 'connecting' })
    const ws = new WebSocket(`${proto}://${location.host}/v1/agent/ws${q}`, ['gw.v1', `token.${s.token}`])
    this.ws = ws
    ws.onmessage = (ev) => this.onFrame(ev.data)
    ws.onclose = (ev) => this.onClose(ev)
  }

  onFrame(data) {
    let frame
    try {
      frame = JSON.parse(data)
    } catch {
      return
    }
    if (frame.type === 'welcome') {
      this.backoff = 500
      this.emit('connection', { state: 'online' })
      this.scheduleRenewal()
    }
    if ((frame.type === 'ack' || frame.type === 'error') && frame.re && this.pending.has(frame.re)) {
      const { resolve, reject, timer } = this.pending.get(frame.re)
      clearTimeout(timer)
      this.pending.delete(frame.re)
      if (frame.type === 'ack') resolve(frame)
      else reject(Object.assign(new Error(frame.message), { code: frame.code, field: frame.field }))
      return
    }
    this.emit(frame.type, frame)
  }

  async onClose(ev) {
    clearTimeout(this.renewTimer)
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer)
      reject(Object.assign(new Error('socket closed'), { code: 'CLOSED' }))
    }
    this.pending.clear()
    if (this.stopped) return
    if (ev.code === CLOSE_REPLACED) return this.fatal('replaced')
    if (ev.code === CLOSE_LOGGED_OUT) return this.fatal('loggedOut')
    if (ev.code === CLOSE_UNAUTHORIZED || ev.code === CLOSE_TOKEN_EXPIRED) {
      try {
        await refresh()
      } catch {
        return this.fatal('expired')
      }
    }
    this.emit('connection', { state: 'offline' })
    setTimeout(() => this.connect(), this.backoff)
    this.backoff = Math.min(this.backoff * 2, 5000)
  }

  scheduleRenewal() {
    clearTimeout(this.renewTimer)
    const s = saved()
    if (!s) return
    const wait = Math.max(5000, s.expiresAt - Date.now() - 60_000)
    this.renewTimer = setTimeout(async () => {
      try {
        const next = await refresh()
        await this.request('auth', { token: next.token })
        this.scheduleRenewal()
      } catch {
        // The server closes with 4402 at expiry; onClose tries once more, then asks for a login.
      }
    }, wait)
  }

  request(type, body = {}) {
    const id = `r${++this.seq}`
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        return reject(Object.assign(new Error('not connected'), { code: 'CLOSED' }))
      }
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))
      }, 10_000)
      this.pending.set(id, { resolve, reject, timer })
      this.ws.send(JSON.stringify({ v: 1, type, id, ...body }))
    })
  }

  fatal(reason) {
    this.stopped = true
    this.emit('fatal', { reason })
  }

  stop() {
    this.stopped = true
    clearTimeout(this.renewTimer)
    this.ws?.close(1000)
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
