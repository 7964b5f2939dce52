// The agent console: login, state, offers, the appeal card + history, intake form, wrap-up,
// transfer, softphone. State comes from the server (welcome + pushed frames); a reload resumes.
import { T } from './i18n-zh.js'
import { $, el } from './dom.js'
import * as auth from './auth.js'
import { ConsoleSocket } from './socket.js'
import { renderAppeal, renderHistory } from './appeal-card.js'
import { renderCallPanel } from './call-back.js'
import { emergencyPanel } from './emergency-panel.js'
import { MissedCallsPanel } from './missed-calls-panel.js'
import { renderSoftphone, stopSoftphone } from './softphone.js'
import { matterPanel } from './matter-panel.js'
import { renderTransfer } from './transfer-panel.js'
import { renderLogin } from './login.js'

const S = { status: null, appeals: new Map(), matters: new Map(), currentId: null, offer: null, settings: null, agent: null, offset: 0 }
let socket
const now = () => Date.now() + S.offset

document.title = T.appTitle
if (auth.saved()) start()
else renderLogin($('#app'), { onLoggedIn: start })

function start() {
  const app = $('#app')
  app.replaceChildren(shell())
  socket = new ConsoleSocket({ surface: 'console' })
  socket.addEventListener('connection', (e) => setConnection(e.detail.state))
  socket.addEventListener('fatal', (e) => fatal(e.detail.reason))
  socket.addEventListener('welcome', (e) => onWelcome(e.detail))
  socket.addEventListener('status', (e) => setStatus(e.detail.status))
  socket.addEventListener('offer', (e) => onOffer(e.detail))
  socket.addEventListener('offer.revoked', (e) => onRevoked(e.detail))
  socket.addEventListener('appeal.assigned', (e) => fetchAppeal(e.detail.appealId))
  socket.addEventListener('appeal.completed', (e) => dropAppeal(e.detail.appealId))
  socket.addEventListener('appeal.released', (e) => {
    // A transfer of our own dropped the card already; one still shown was taken back by a supervisor.
    if (!S.appeals.has(e.detail.appealId)) return
    dropAppeal(e.detail.appealId)
    toast(T.card.released)
  })
  socket.addEventListener('matter.changed', (e) => onMatterChanged(e.detail))
  socket.addEventListener('handoff.updated', (e) => {
    if (emergency && e.detail.appealId === S.currentId) emergency.update(e.detail.record)
  })
  socket.connect()
  document.addEventListener('keydown', onKey)
  setInterval(tick, 250)
}

function shell() {
  const stateButtons = Object.entries(T.stateButtons).map(([key, label]) =>
    el('button', { type: 'button', class: 'state-btn', 'data-state': key, text: label, onclick: () => setMyState(key) }),
  )
  return el(
    'div',
    { class: 'console' },
    el(
      'header',
      { class: 'topbar' },
      el('h1', { text: T.appTitle }),
      el('span', { id: 'agent', class: 'agent' }),
      el('span', { id: 'state', class: 'state-badge', 'data-testid': 'state', 'aria-live': 'polite' }),
      el('div', { class: 'state-buttons', role: 'group' }, stateButtons),
      el('span', { id: 'conn', class: 'conn', 'aria-live': 'polite' }),
      el('button', { type: 'button', class: 'link', text: T.logout, onclick: doLogout }),
    ),
    el(
      'main',
      { class: 'layout' },
      el(
        'section',
        { class: 'work' },
        el('div', { id: 'offer', class: 'offer', hidden: true, role: 'alert' }),
        el('div', { id: 'wrapup', class: 'wrapup', hidden: true }),
        el('nav', { id: 'tabs', class: 'tabs' }),
        el('div', { id: 'card', class: 'card' }),
        el('div', { id: 'matter', class: 'card', hidden: true }),
        el('div', { id: 'emergency', class: 'card', hidden: true }),
        el('form', { id: 'intake', class: 'intake', hidden: true, onsubmit: onComplete }),
      ),
      el(
        'aside',
        { class: 'side' },
        el('section', { id: 'history', class: 'panel history-panel' }),
        el('section', { id: 'transfer', class: 'panel', hidden: true }),
        el('section', { id: 'softphone', class: 'panel softphone' }),
        el('section', { id: 'missed', class: 'panel', hidden: true }),
        el(
          'section',
          { class: 'panel shortcuts' },
          el('h2', { text: T.shortcuts.title }),
          el('dl', {}, T.shortcuts.list.map(([k, v]) => [el('dt', {}, el('kbd', { text: k })), el('dd', { text: v })])),
        ),
      ),
    ),
    el('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' }),
  )
}

function onWelcome(w) {
  S.offset = Date.parse(w.serverTime) - Date.now()
  S.settings = w.settings
  S.agent = w.agent
  $('#agent').textContent = `${w.agent.name}（${w.agent.id}）`
  S.appeals = new Map(w.appeals.map((a) => [a.id, a]))
  S.matters = new Map(Object.entries(w.matters ?? {}))
  if (!S.appeals.has(S.currentId)) S.currentId = w.appeals[0]?.id ?? null
  S.offer = w.offer ?? null
  renderSoftphone($('#softphone'), w.settings.voice, { request: (type, body) => socket.request(type, body), onError: (err) => toast(errorText(err)) })
  if (w.settings.voice?.connected) startMissedList()
  setStatus(w.status)
  renderOffer()
  renderWork()
}

let missedList
/** The 紧急联动 panel of the appeal on the card (handoff.updated frames update it). */
let emergency
/** 漏接回拨: callers who gave up waiting; 回拨 takes one and calls it through the agent's phone. */
function startMissedList() {
  if (missedList) return
  missedList = new MissedCallsPanel($('#missed'), {
    onCallBack: async (appealId) => {
      try {
        const { outcome } = await socket.request('call.back', { appealId })
        toast(T.callBack.outcome[outcome] ?? outcome)
      } catch (err) {
        toast(errorText(err))
      }
      missedList.refresh()
    },
  })
  missedList.start()
}

function setConnection(state) {
  const c = $('#conn')
  c.textContent = T.connection[state]
  c.dataset.state = state
}

function fatal(reason) {
  socket?.stop()
  if (reason === 'expired' || reason === 'loggedOut') {
    auth.forget()
    renderLogin($('#app'), { onLoggedIn: () => location.reload(), message: T.connection[reason] })
    return
  }
  setConnection('offline')
  $('#conn').textContent = T.connection[reason] ?? reason
  document.body.classList.add('stopped')
}

function setStatus(status) {
  S.status = status
  const badge = $('#state')
  badge.textContent = status.reason ? `${T.states[status.state]} · ${T.reasons[status.reason] ?? status.reason}` : T.states[status.state]
  badge.dataset.state = status.state
  for (const b of document.querySelectorAll('.state-btn')) {
    const k = b.dataset.state
    const on = k === status.state || k === status.reason
    b.setAttribute('aria-pressed', String(on))
  }
  void followOffer(status.offer)
  renderWrapUp()
}

async function setMyState(key) {
  const body = key === 'ready' || key === 'offline' ? { state: key } : { state: 'not-ready', reason: key }
  try {
    const ack = await socket.request('state.set', body)
    setStatus(ack.status)
  } catch (err) {
    toast(errorText(err))
  }
}

function onOffer(f) {
  S.offset = Date.parse(f.serverTime) - Date.now()
  S.offer = { offer: f.offer, appeal: f.appeal, matter: f.matter }
  renderOffer()
  const active = document.activeElement
  if (!active || !['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName)) $('#offer .accept')?.focus()
}

function onRevoked(f) {
  if (dropOffer(f.offerId)) toast(T.offer.revoked[f.reason] ?? '')
}

/** Hides the offer shown if it is this one; true if it was. */
function dropOffer(offerId) {
  if (S.offer?.offer.offerId !== offerId) return false
  S.offer = null
  renderOffer()
  return true
}

/**
 * The status says which offer is open. An offer frame can be missed (sent while the socket was
 * reconnecting); the status then brings it back, so an agent never lets an offer time out unseen.
 */
async function followOffer(offer) {
  if (!offer) {
    if (S.offer) {
      S.offer = null
      renderOffer()
    }
    return
  }
  if (S.offer?.offer.offerId === offer.offerId) return
  try {
    const ack = await socket.request('appeal.get', { appealId: offer.appealId })
    if (S.status?.offer?.offerId !== offer.offerId || S.offer?.offer.offerId === offer.offerId) return
    S.offer = { offer, appeal: ack.appeal, matter: ack.matter }
    renderOffer()
  } catch {
    // Gone meanwhile (taken, timed out): the next status says so.
  }
}

function renderOffer() {
  const box = $('#offer')
  if (!S.offer) {
    box.hidden = true
    box.replaceChildren()
    return
  }
  const { offer, appeal } = S.offer
  box.hidden = false
  box.replaceChildren(
    el('h2', { text: `${T.offer.title} · ${offer.kind === 'call' ? T.offer.call : T.offer.written}` }),
    el(
      'p',
      { class: 'offer-meta' },
      el('span', { class: 'number', text: appeal.appealNumber }),
      el('span', { class: 'chip', text: T.channels[appeal.channel] ?? appeal.channel }),
      appeal.category ? el('span', { class: 'chip', text: appeal.category }) : null,
    ),
    el('p', { class: 'offer-preview', 'data-testid': 'offer-preview', text: appeal.content.slice(0, 120) }),
    el('p', { class: 'countdown', id: 'offer-countdown' }),
    S.offer.matter ? panel(appeal.id, S.offer.matter) : null,
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'button', class: 'primary accept', text: `${T.offer.accept}（F2）`, onclick: accept }),
      el('button', { type: 'button', class: 'decline', text: `${T.offer.decline}（F3）`, onclick: decline }),
    ),
  )
  tick()
}

async function accept() {
  if (!S.offer) return
  const { offerId } = S.offer.offer
  try {
    const ack = await socket.request('offer.accept', { offerId })
    // The next offer may arrive before this ack (written appeals up to capacity): keep that one.
    dropOffer(offerId)
    S.appeals.set(ack.appeal.id, ack.appeal)
    S.matters.set(ack.appeal.id, ack.matter)
    S.currentId = ack.appeal.id
    renderWork()
    $('#intake select[name=category]')?.focus()
  } catch (err) {
    // Taken back meanwhile (timeout, revoked): nothing left to accept.
    if (err.code === 'CONSOLE_ERR_NOT_FOUND') dropOffer(offerId)
    toast(errorText(err))
  }
}

async function decline() {
  if (!S.offer) return
  const { offerId } = S.offer.offer
  try {
    await socket.request('offer.decline', { offerId })
    dropOffer(offerId)
  } catch (err) {
    toast(errorText(err))
  }
}

async function fetchAppeal(appealId) {
  if (S.appeals.has(appealId)) return
  try {
    const ack = await socket.request('appeal.get', { appealId })
    S.appeals.set(appealId, ack.appeal)
    S.matters.set(appealId, ack.matter)
    S.currentId ??= appealId
    renderWork()
  } catch (err) {
    toast(errorText(err))
  }
}

/** Another agent decided on an appeal of this one's matter: the 并案 panel shows the new card. */
function onMatterChanged({ appealId, matter }) {
  if (S.offer?.appeal.id === appealId) {
    S.offer.matter = matter
    renderOffer()
  }
  if (!S.appeals.has(appealId)) return
  S.matters.set(appealId, matter)
  if (S.currentId === appealId) {
    $('#matter').replaceChildren(panel(appealId, matter))
  }
}

function dropAppeal(appealId) {
  S.matters.delete(appealId)
  if (!S.appeals.delete(appealId)) return
  if (S.currentId === appealId) S.currentId = S.appeals.keys().next().value ?? null
  renderWork()
}

function renderWork() {
  const tabs = $('#tabs')
  tabs.replaceChildren(
    ...[...S.appeals.values()].map((a) =>
      el('button', {
        type: 'button',
        class: 'tab',
        'aria-selected': String(a.id === S.currentId),
        text: `${a.appealNumber} · ${T.channels[a.channel] ?? a.channel}`,
        onclick: () => {
          S.currentId = a.id
          renderWork()
        },
      }),
    ),
  )
  tabs.hidden = S.appeals.size < 2
  const appeal = S.appeals.get(S.currentId)
  const card = $('#card')
  if (!appeal) {
    card.replaceChildren(el('p', { class: 'empty', text: T.card.empty }))
    $('#intake').hidden = true
    $('#transfer').hidden = true
    $('#history').replaceChildren(el('h2', { text: T.history.title }))
    $('#matter').hidden = true
    $('#emergency').hidden = true
    emergency = undefined
    return
  }
  card.replaceChildren(
    renderAppeal(appeal, S.settings),
    renderCallPanel(appeal, {
      voiceOn: S.settings.voice?.connected,
      request: (type, body) => socket.request(type, body),
      onResult: (text) => (toast(text), fetchAppeal(appeal.id)),
      onError: (err) => toast(errorText(err)),
    }) ?? '',
  )
  $('#matter').hidden = false
  $('#matter').replaceChildren(panel(appeal.id, S.matters.get(appeal.id)))
  renderForm(appeal)
  // Kept while the same appeal stays on the card: a three-party call's controls survive re-renders.
  if (emergency?.appealId !== appeal.id) emergency = emergencyPanel({
    appeal,
    voiceOn: S.settings.voice?.connected,
    request: (type, body) => socket.request(type, body),
    summary: () => $('#f-summary')?.value.trim() ?? '',
    onNotice: (text) => toast(text),
    onError: (err) => toast(errorText(err)),
  })
  $('#emergency').hidden = false
  $('#emergency').replaceChildren(emergency.root)
  renderTransfer($('#transfer'), appeal, {
    queues: S.settings.transferQueues,
    request: (type, body) => socket.request(type, body),
    onDone: () => (dropAppeal(appeal.id), toast(T.transfer.done)),
    onError: (err) => toast(errorText(err)),
  })
  void renderHistory($('#history'), appeal, now())
}

/** The 并案 panel; a decision updates the stored matter (offer or held appeal) in place. */
function panel(appealId, matter) {
  const onChange = (m) => (S.offer?.appeal.id === appealId ? (S.offer.matter = m) : S.matters.set(appealId, m))
  const request = (type, body) => socket.request(type, body)
  return matterPanel({ appealId, matter, labels: S.settings?.matterLabels, request, onChange, onError: (err) => toast(errorText(err)) })
}

function renderForm(appeal) {
  const form = $('#intake')
  form.hidden = false
  const cat = el('select', { name: 'category', id: 'f-category' }, el('option', { value: '', text: '—' }), S.settings.categories.map((c) => el('option', { value: c, text: c, selected: c === appeal.category })))
  const disp = el(
    'select',
    { name: 'disposition', id: 'f-disposition', required: true },
    el('option', { value: '', text: T.form.chooseDisposition }),
    S.settings.dispositions.map((d) => el('option', { value: d.code, text: d.label })),
  )
  form.replaceChildren(
    el('h2', { text: T.form.title }),
    el('div', { class: 'grid' },
      el('label', { for: 'f-category', text: T.form.category }), cat,
      el('label', { for: 'f-address', text: T.form.address }),
      el('input', { id: 'f-address', name: 'address', maxlength: 500, value: appeal.location?.address ?? '' }),
      el('label', { for: 'f-summary', text: T.form.summary }),
      el('textarea', { id: 'f-summary', name: 'summary', rows: 3, maxlength: 2000 }),
      el('span'), el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'confidential', checked: appeal.confidential }), T.form.confidential),
      el('label', { for: 'f-disposition', text: T.form.disposition }), disp,
    ),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', text: T.form.complete })),
  )
}

async function onComplete(ev) {
  ev?.preventDefault()
  const form = $('#intake')
  const appeal = S.appeals.get(S.currentId)
  if (!appeal || form.hidden) return
  if (!form.reportValidity()) return
  const f = new FormData(form)
  const record = { disposition: f.get('disposition'), confidential: f.get('confidential') === 'on' }
  if (f.get('category')) record.category = f.get('category')
  if (f.get('summary')) record.summary = f.get('summary')
  if (f.get('address')) record.location = { ...(appeal.location ?? {}), address: f.get('address') }
  try {
    await socket.request('appeal.complete', { appealId: appeal.id, record })
    dropAppeal(appeal.id)
    toast(T.form.completed)
  } catch (err) {
    toast(errorText(err))
  }
}

function renderWrapUp() {
  const box = $('#wrapup')
  if (S.status?.state !== 'wrap-up') {
    box.hidden = true
    return
  }
  box.hidden = false
  box.replaceChildren(
    el('h2', { text: T.wrapUp.title }),
    el('p', { id: 'wrapup-countdown', class: 'countdown' }),
    el('button', { type: 'button', class: 'primary', text: T.wrapUp.end, onclick: endWrapUp }),
  )
  tick()
}

async function endWrapUp() {
  if (S.status?.state !== 'wrap-up') return
  try {
    const ack = await socket.request('wrapup.end')
    setStatus(ack.status)
  } catch (err) {
    toast(errorText(err))
  }
}

function tick() {
  const oc = $('#offer-countdown')
  if (oc && S.offer) oc.textContent = T.offer.countdown(Math.max(0, Math.ceil((Date.parse(S.offer.offer.expiresAt) - now()) / 1000)))
  const wc = $('#wrapup-countdown')
  if (wc && S.status?.wrapUpEndsAt) wc.textContent = T.wrapUp.endsIn(Math.max(0, Math.ceil((Date.parse(S.status.wrapUpEndsAt) - now()) / 1000)))
}

function onKey(ev) {
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement?.tagName)
  const keys = {
    F2: accept,
    F3: decline,
    F6: () => setMyState('ready'),
    F7: () => setMyState('小休'),
    F8: endWrapUp,
    F9: onComplete,
  }
  if (keys[ev.key]) {
    ev.preventDefault()
    keys[ev.key]()
  } else if (ev.key === 'Enter' && S.offer && !typing && document.activeElement?.tagName !== 'BUTTON') {
    ev.preventDefault()
    accept()
  }
}

async function doLogout() {
  await stopSoftphone()
  socket?.stop()
  await auth.logout()
  location.reload()
}

let toastTimer
function toast(text) {
  const t = $('#toast')
  t.textContent = text
  t.classList.add('show')
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => t.classList.remove('show'), 4000)
}

function errorText(err) {
  return T.errors[err.code] ?? `${T.errors.generic}（${err.code ?? ''}）`
}
