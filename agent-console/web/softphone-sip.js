// The softphone's SIP side: one JsSIP user agent registered to FreeSWITCH over SIP-over-WebSocket
// (fixtures round 3a), one call at a time. No DOM here: the panel (softphone.js) listens to `change`
// and reads `registration`, `call`, `muted`, `held`, `since`, `caller`.
//
// Credentials come from GET /v1/agent/softphone with the agent's token: never typed, never in the
// page source, never stored. Registration states: `off` (no voice path on this gateway: the route
// answers 404), connecting -> registered; `disconnected` while the
// websocket is down (JsSIP reconnects by itself and registers again); `failed` (retried with backoff);
// `authFailed` (403: retried rarely, with credentials fetched again, in case the secret was rotated).
import { saved } from './auth.js'

const RETRY_MIN_MS = 2_000
const RETRY_MAX_MS = 30_000
const AUTH_RETRY_MIN_MS = 60_000
const AUTH_RETRY_MAX_MS = 600_000
const ENDED_SHOWN_MS = 3_000

export class SipPhone extends EventTarget {
  constructor({ fetchImpl = (url, init) => fetch(url, init), jssip = globalThis.JsSIP } = {}) {
    super()
    this.fetch = fetchImpl
    this.JsSIP = jssip
    this.registration = 'connecting'
    this.call = 'idle'
    this.session = null
    this.caller = ''
    this.since = 0
    this.muted = false
    this.held = false
    this.autoAnswer = false
    this.retryMs = RETRY_MIN_MS
    this.authRetryMs = AUTH_RETRY_MIN_MS
    this.stopped = false
    this.remoteAudio = null
  }

  /** Fetches the credentials and starts the user agent; failures are retried, never thrown. */
  async start() {
    if (this.stopped || this.ua) return
    this.set({ registration: 'connecting' })
    let creds
    try {
      creds = await this.credentials()
    } catch (err) {
      // 404: this gateway runs without the voice path; nothing to retry until the page is reloaded.
      if (err.status === 404) return this.set({ registration: 'off' })
      return this.retry(() => this.start())
    }
    if (this.stopped) return
    if (!this.JsSIP) return this.set({ registration: 'failed' })
    this.autoAnswer = Boolean(creds.autoAnswer)
    const ua = new this.JsSIP.UA({
      sockets: [new this.JsSIP.WebSocketInterface(creds.wsUrl)],
      uri: creds.uri,
      password: creds.password,
      authorization_user: creds.authorizationUser,
      display_name: creds.displayName,
      register: true,
      session_timers: true,
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
    })
    this.ua = ua
    ua.on('connecting', () => this.registration !== 'authFailed' && this.set({ registration: 'connecting' }))
    ua.on('disconnected', () => this.registration !== 'authFailed' && this.set({ registration: 'disconnected' }))
    ua.on('registered', () => {
      clearTimeout(this.retryTimer)
      this.retryMs = RETRY_MIN_MS
      this.authRetryMs = AUTH_RETRY_MIN_MS
      this.set({ registration: 'registered' })
    })
    ua.on('unregistered', () => {
      if (this.stopped || this.ua !== ua) return
      this.set({ registration: 'disconnected' })
      this.retry(() => ua.register())
    })
    ua.on('registrationFailed', (e) => {
      if (this.stopped || this.ua !== ua) return
      if (e.response?.status_code === 403) {
        // A wrong password stays wrong: ask the gateway again later (the secret may be fixed by then).
        this.set({ registration: 'authFailed' })
        clearTimeout(this.retryTimer)
        const wait = this.authRetryMs
        this.authRetryMs = Math.min(this.authRetryMs * 2, AUTH_RETRY_MAX_MS)
        this.retryTimer = setTimeout(() => this.restart(), wait)
        return
      }
      this.set({ registration: ua.isConnected() ? 'failed' : 'disconnected' })
      if (ua.isConnected()) this.retry(() => ua.register())
    })
    ua.on('newRTCSession', (e) => this.onSession(e))
    ua.start()
  }

  async credentials() {
    const s = saved()
    if (!s) throw new Error('not logged in')
    const res = await this.fetch('/v1/agent/softphone', { headers: { authorization: `Bearer ${s.token}` }, cache: 'no-store' })
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status })
    return res.json()
  }

  retry(fn) {
    clearTimeout(this.retryTimer)
    const wait = this.retryMs
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
    this.retryTimer = setTimeout(() => !this.stopped && fn(), wait)
  }

  restart() {
    const ua = this.ua
    this.ua = null
    ua?.removeAllListeners()
    ua?.stop()
    void this.start()
  }

  onSession({ session, originator }) {
    if (originator !== 'remote') return
    if (this.session) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' })
      return
    }
    this.session = session
    const ident = session.remote_identity
    this.set({ call: 'ringing', caller: ident?.display_name || ident?.uri?.user || '', muted: false, held: false, since: 0 })
    session.on('peerconnection', ({ peerconnection }) => {
      peerconnection.addEventListener('track', (ev) => {
        if (this.remoteAudio && ev.streams[0]) {
          this.remoteAudio.srcObject = ev.streams[0]
          this.remoteAudio.play().catch(() => {})
        }
      })
    })
    session.on('accepted', () => this.set({ call: 'active', since: Date.now() }))
    session.on('hold', () => this.onHold(session))
    session.on('unhold', () => this.onHold(session))
    session.on('muted', () => this.set({ muted: true }))
    session.on('unmuted', () => this.set({ muted: false }))
    session.on('ended', () => this.ended(session))
    session.on('failed', () => this.ended(session))
    if (this.autoAnswer) {
      try {
        this.answer()
      } catch {
        // the caller hung up meanwhile: `failed` follows
      }
    }
  }

  onHold(session) {
    if (this.session !== session) return
    const { local, remote } = session.isOnHold()
    this.set({ held: local, call: local || remote ? 'held' : 'active' })
  }

  ended(session) {
    if (this.session !== session) return
    this.session = null
    if (this.remoteAudio) this.remoteAudio.srcObject = null
    this.set({ call: 'ended', muted: false, held: false })
    clearTimeout(this.endedTimer)
    this.endedTimer = setTimeout(() => !this.session && this.set({ call: 'idle', caller: '', since: 0 }), ENDED_SHOWN_MS)
  }

  answer() {
    if (this.call !== 'ringing') return
    this.session.answer({ mediaConstraints: { audio: true, video: false } })
  }

  hangup() {
    this.session?.terminate()
  }

  toggleHold() {
    if (!this.session || this.call === 'ringing') return
    if (this.session.isOnHold().local) this.session.unhold()
    else this.session.hold()
  }

  toggleMute() {
    if (!this.session || this.call === 'ringing') return
    if (this.session.isMuted().audio) this.session.unmute({ audio: true })
    else this.session.mute({ audio: true })
  }

  /** A dialpad key as SIP INFO application/dtmf-relay, 160 ms, as in the recorded calls (FreeSWITCH relays it as RFC 2833). */
  dtmf(tone) {
    if (!this.session || this.call === 'ringing') return
    this.session.sendDTMF(tone, { transportType: 'INFO', duration: 160 })
  }

  /**
   * Ends the call and unregisters (REGISTER Expires: 0), then closes the websocket. On page close
   * the socket's end alone makes FreeSWITCH drop the registration (fixtures: socket-disconnection).
   */
  stop() {
    if (this.stopped) return Promise.resolve()
    this.stopped = true
    clearTimeout(this.retryTimer)
    clearTimeout(this.endedTimer)
    const ua = this.ua
    if (!ua) return Promise.resolve()
    try {
      this.session?.terminate()
    } catch {
      // already ending
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(done, 2_000)
      if (ua.isRegistered()) {
        ua.once('unregistered', done)
        ua.once('registrationFailed', done)
      } else {
        clearTimeout(timer)
        resolve()
      }
      ua.stop()
    })
  }

  set(patch) {
    Object.assign(this, patch)
    this.dispatchEvent(new Event('change'))
  }
}
