// The dispatcher's view of a 12345 handoff record (110/119/120/122 staff, on a phone or a desk):
// read-only but for the answer 已接收 / 退回12345 (with a reason). The link's token is the only
// credential: it is read from the address, sent back to the gateway, and never stored. Every text
// goes through textContent (dom.js): a citizen's words can never become markup.
import { H } from './handoff-zh.js'
import { el, clear, formatTime } from './dom.js'

const app = document.getElementById('app')
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '')
const api = `/v1/handoffs/${encodeURIComponent(token)}`

document.title = H.title

async function load() {
  render(el('p', { class: 'muted', text: H.loading }))
  let res
  try {
    res = await fetch(api, { headers: { accept: 'application/json' }, cache: 'no-store' })
  } catch {
    return showError(H.errors.network)
  }
  const body = await res.json().catch(() => ({}))
  if (!res.ok) return showError(errorText(body.code))
  show(body.handoff)
}

function errorText(code) {
  if (code === 'EMERGENCY_ERR_LINK_EXPIRED') return H.errors.expired
  if (code === 'EMERGENCY_ERR_LINK_INVALID') return H.errors.invalid
  if (code === 'GW_ERR_RATE_LIMITED') return H.errors.rateLimited
  return H.errors.network
}

function render(...nodes) {
  clear(app).append(el('header', { class: 'bar' }, el('h1', { text: H.title })), ...nodes)
}

function showError(text) {
  render(el('p', { class: 'error', role: 'alert', 'data-testid': 'error', text }))
}

function row(label, ...value) {
  return [el('dt', { text: label }), el('dd', {}, ...value)]
}

function show(r) {
  const answered = r.status === 'acknowledged' || r.status === 'returned'
  const caller = r.callerNumber
    ? [el('span', { class: 'phone', 'data-testid': 'caller', text: r.callerNumber }), el('a', { class: 'call', href: `tel:${r.callerNumber}`, text: H.callBack })]
    : [el('span', { class: 'muted', text: H.noNumber })]
  const place = r.location?.address ?? (r.location?.lat !== undefined ? `${r.location.lat}, ${r.location.lng}` : undefined)
  const card = el(
    'section',
    { class: 'card', 'data-testid': 'record' },
    el(
      'div',
      { class: 'head' },
      el('span', { class: 'partner', text: H.partnerLine(r.partnerName) }),
      el('span', { class: 'status', 'data-status': r.status, 'data-testid': 'status', text: H.status[r.status] ?? r.status }),
    ),
    r.confidential ? el('p', { class: 'note', text: H.confidentialNote }) : null,
    el(
      'dl',
      {},
      row(H.fields.reference, el('span', { class: 'number', text: r.reference })),
      row(H.fields.how, H.how[r.how] ?? r.how),
      row(H.fields.caller, ...caller),
      r.callerName ? row(H.fields.callerName, r.callerName) : null,
      place ? row(H.fields.location, place) : null,
      row(H.fields.summary, el('span', { class: 'summary', 'data-testid': 'summary', text: r.summary })),
      r.category ? row(H.fields.category, r.category) : null,
      r.item ? row(H.fields.item, r.item) : null,
      row(H.fields.agent, r.agent.name ? `${r.agent.name}（${r.agent.id}）` : r.agent.id),
      row(H.fields.time, formatTime(r.time)),
      r.recordingUrl ? row(H.fields.recording, el('audio', { controls: true, preload: 'none', src: `${api}/recording`, 'data-testid': 'recording' })) : null,
      row(H.fields.expires, formatTime(r.linkExpiresAt)),
    ),
    r.firstReceiver ? el('p', { class: 'note', text: H.firstReceiver(r.firstReceiver.platform) }) : null,
  )
  render(card, answered ? outcome(r) : answerPanel(), history(r))
}

function outcome(r) {
  const text = r.status === 'returned' ? H.answer.doneReturned(r.reason ?? '') : H.answer.doneReceived
  return el('section', { class: 'outcome', 'data-testid': 'outcome', 'data-status': r.status, text })
}

function answerPanel() {
  const message = el('p', { class: 'error', role: 'alert', hidden: true, 'data-testid': 'answer-error' })
  const reason = el('textarea', { id: 'reason', rows: 3, maxlength: 500, placeholder: H.answer.reasonPlaceholder, 'data-testid': 'return-reason' })
  const returnForm = el(
    'div',
    { class: 'return-form', hidden: true },
    el('label', { for: 'reason', text: H.answer.reasonLabel }),
    reason,
    el(
      'div',
      { class: 'buttons' },
      el('button', { class: 'danger', type: 'button', 'data-testid': 'confirm-return', text: H.answer.confirmReturn, onclick: () => sendReturn() }),
      el('button', { type: 'button', text: H.answer.cancel, onclick: () => { returnForm.hidden = true; buttons.hidden = false } }),
    ),
  )
  const buttons = el(
    'div',
    { class: 'buttons' },
    el('button', { class: 'primary', type: 'button', 'data-testid': 'answer-received', text: H.answer.received, onclick: () => send({ answer: 'received' }) }),
    el('button', { class: 'danger', type: 'button', 'data-testid': 'answer-return', text: H.answer.return, onclick: () => { buttons.hidden = true; returnForm.hidden = false; reason.focus() } }),
  )
  const panel = el('section', { class: 'answer' }, buttons, returnForm, message)

  function sendReturn() {
    const text = reason.value.trim()
    if (!text) return say(H.answer.reasonRequired)
    return send({ answer: 'returned', reason: text })
  }

  function say(text) {
    message.textContent = text
    message.hidden = false
  }

  async function send(body) {
    for (const b of panel.querySelectorAll('button')) b.disabled = true
    say(H.answer.sending)
    let res
    try {
      res = await fetch(`${api}/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    } catch {
      res = undefined
    }
    const data = res ? await res.json().catch(() => ({})) : {}
    if (res?.ok) return show(data.handoff)
    if (data.code === 'EMERGENCY_ERR_ALREADY_RETURNED') return load()
    if (data.code === 'EMERGENCY_ERR_LINK_EXPIRED' || data.code === 'EMERGENCY_ERR_LINK_INVALID') return showError(errorText(data.code))
    for (const b of panel.querySelectorAll('button')) b.disabled = false
    say(data.code === 'EMERGENCY_ERR_REASON_REQUIRED' ? H.answer.reasonRequired : H.answer.failed)
  }

  return panel
}

function history(r) {
  return el(
    'section',
    { class: 'history' },
    el('h2', { text: H.history.title }),
    el(
      'ol',
      { 'data-testid': 'history' },
      r.history.map((h) =>
        el(
          'li',
          { 'data-event': h.event },
          el('time', { text: formatTime(h.at) }),
          el('span', { text: H.history[h.event] ?? h.event }),
          h.event === 'returned' && h.note ? el('span', { class: 'muted', text: `：${h.note}` }) : null,
          h.event === 'first-receiver' && h.note ? el('span', { class: 'muted', text: `：${h.note}` }) : null,
        ),
      ),
    ),
  )
}

void load()
