// The softphone panel: the agent's browser registers to FreeSWITCH (JsSIP over WebSocket, see
// softphone-sip.js) and calls ring here. Until the phone is registered, every button is disabled and
// the reason is written beside them (语音通道未连接), not only in a tooltip.
//
// console.js calls renderSoftphone() on every welcome (each reconnect): the phone is started once per
// page and the same panel is kept, so a reconnect of the console socket never drops a call.
import { T } from './i18n-zh.js'
import { el } from './dom.js'
import { SipPhone } from './softphone-sip.js'

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']

let phone
let panel

/**
 * Shows the softphone in `container` and starts it (once per page). `deps.request(type, body)` sends a
 * console message: 转接 and 三方通话 go to the gateway as call.transfer / call.conference.
 */
export function renderSoftphone(container, _voice, deps = {}) {
  if (!panel) {
    phone = new SipPhone()
    panel = buildPanel(phone, deps)
    phone.addEventListener('change', () => panel.update())
    // Closing the tab (or the reload after 退出登录): best effort unregister; FreeSWITCH also drops a
    // websocket registration the moment the socket closes.
    addEventListener('pagehide', () => void phone.stop())
    phone.start().catch(() => phone.set({ registration: 'failed' }))
  }
  if (deps.request) panel.deps = deps
  if (panel.root.parentNode !== container) container.replaceChildren(panel.root)
  panel.update()
}

/** Ends the call, unregisters and closes the phone's websocket (退出登录). */
export function stopSoftphone() {
  return phone ? phone.stop() : Promise.resolve()
}

function buildPanel(phone, deps) {
  const p = { deps }
  const S = T.softphone
  const reason = el('p', { id: 'softphone-reason', class: 'reason', 'data-testid': 'softphone-reason', text: S.notConnected })
  const reg = el('span', { class: 'badge', 'data-testid': 'softphone-registration', 'aria-live': 'polite' })
  const call = el('span', { class: 'badge', 'data-testid': 'softphone-call', 'aria-live': 'polite' })
  const caller = el('span', { class: 'caller', 'data-testid': 'softphone-caller' })
  const timer = el('span', { class: 'timer', 'data-testid': 'softphone-timer' })
  const audio = el('audio', { autoplay: true, 'data-testid': 'softphone-audio' })
  phone.remoteAudio = audio

  // JsSIP throws when a session is not in a state for the action (a double click, a call that just
  // ended): the click simply does nothing then.
  const safely = (fn) => () => {
    try {
      fn()
    } catch {
      // nothing to do: the next session event brings the panel up to date
    }
  }
  const button = (key, label, onclick) =>
    el('button', { type: 'button', class: `phone-btn ${key}`, 'data-action': key, text: label, onclick: safely(onclick), 'aria-describedby': 'softphone-reason' })
  const buttons = {
    answer: button('answer', S.answer, () => phone.answer()),
    hangup: button('hangup', S.hangup, () => phone.hangup()),
    hold: button('hold', S.hold, () => phone.toggleHold()),
    mute: button('mute', S.mute, () => phone.toggleMute()),
    transfer: button('transfer', S.transfer, () => void callControl('call.transfer')),
    conference: button('conference', S.conference, () => void callControl('call.conference')),
  }
  const keys = KEYS.map((k) => el('button', { type: 'button', class: 'key', 'data-key': k, text: k, onclick: safely(() => phone.dtmf(k)) }))
  const targetKind = el('select', { id: 'sp-target-kind', 'aria-label': S.targetKind },
    el('option', { value: 'agentId', text: S.targetAgent }),
    el('option', { value: 'number', text: S.targetNumber }))
  const target = el('input', { id: 'sp-target', inputmode: 'tel', maxlength: 20, size: 10, 'aria-label': S.target, placeholder: S.target })

  async function callControl(type) {
    const value = target.value.trim()
    if (!value || !p.deps.request) return
    try {
      await p.deps.request(type, { target: { [targetKind.value]: value } })
    } catch (err) {
      p.deps.onError?.(err)
    }
  }

  const regLine = el('p', { class: 'status-line' }, el('span', { class: 'label', text: S.registrationLabel }), reg)
  const callLine = el('p', { class: 'status-line' }, el('span', { class: 'label', text: S.callLabel }), call, caller, timer)
  p.root = el('div', { class: 'softphone-panel' },
    el('h2', { text: S.title }),
    regLine,
    callLine,
    reason,
    el('div', { class: 'phone-buttons' }, Object.values(buttons)),
    el('div', { class: 'phone-target' }, targetKind, target),
    el('details', { class: 'dialpad' }, el('summary', { text: S.dialpad }), el('div', { class: 'keys' }, keys)),
    audio,
  )

  p.update = () => {
    const registered = phone.registration === 'registered'
    // Without the voice path there is no phone to show a state of: only the reason.
    regLine.hidden = callLine.hidden = phone.registration === 'off'
    reg.textContent = S.registration[phone.registration] ?? ''
    reg.dataset.state = phone.registration
    call.textContent = S.call[phone.call]
    call.dataset.state = phone.call
    caller.textContent = phone.call === 'idle' || !phone.caller ? '' : S.caller(phone.caller)
    reason.hidden = registered
    const inCall = phone.call === 'active' || phone.call === 'held'
    const on = {
      answer: phone.call === 'ringing',
      hangup: phone.call === 'ringing' || inCall,
      hold: inCall,
      mute: inCall,
      transfer: inCall && Boolean(p.deps.request),
      conference: inCall && Boolean(p.deps.request),
    }
    for (const [k, b] of Object.entries(buttons)) {
      b.disabled = !on[k]
      b.title = registered ? '' : S.notConnected
      if (registered) b.removeAttribute('aria-describedby')
      else b.setAttribute('aria-describedby', 'softphone-reason')
    }
    buttons.hold.textContent = phone.held ? S.unhold : S.hold
    buttons.hold.setAttribute('aria-pressed', String(phone.held))
    buttons.mute.textContent = phone.muted ? S.unmute : S.mute
    buttons.mute.setAttribute('aria-pressed', String(phone.muted))
    for (const k of keys) k.disabled = !inCall
    target.disabled = targetKind.disabled = !inCall
    tick()
  }

  function tick() {
    const inCall = phone.call === 'active' || phone.call === 'held'
    timer.textContent = inCall && phone.since ? clock(Date.now() - phone.since) : ''
    // The console replaced its page (logged out here or elsewhere, taken over): the phone goes too,
    // so calls never ring into a page nobody sees.
    if (!p.root.isConnected && p.wasShown) void phone.stop()
    if (document.body.classList.contains('stopped')) void phone.stop()
    if (p.root.isConnected) p.wasShown = true
  }
  setInterval(tick, 1000)
  return p
}

function clock(ms) {
  const s = Math.floor(ms / 1000)
  const p = (n) => String(n).padStart(2, '0')
  return s >= 3600 ? `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}` : `${p(Math.floor(s / 60))}:${p(s % 60)}`
}
