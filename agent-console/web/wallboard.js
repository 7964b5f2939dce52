// The supervisors' wallboard: pushed over the websocket (surface=wallboard), never polled.
import { T } from './i18n-zh.js'
import { $, el } from './dom.js'
import * as auth from './auth.js'
import { ConsoleSocket } from './socket.js'
import { renderLogin } from './login.js'
import { AlertSlot } from './wallboard-alerts.js'
import { MissedCallsPanel } from './missed-calls-panel.js'

const W = T.wallboard
let socket
let offset = 0
let queueLabels = new Map()
let alerts

document.title = T.wallboardTitle
const s = auth.saved()
if (s && s.agent.role === 'supervisor') start()
else renderLogin($('#app'), { onLoggedIn: start, title: T.wallboardTitle, requireRole: 'supervisor' })

function start() {
  $('#app').replaceChildren(
    el(
      'div',
      { class: 'wallboard' },
      el('header', { class: 'topbar' }, el('h1', { text: T.wallboardTitle }), el('span', { id: 'updated', class: 'muted' }), el('span', { id: 'notice', class: 'muted', role: 'status', 'aria-live': 'polite' }), el('span', { id: 'conn', class: 'conn' }), el('button', { type: 'button', class: 'link', text: T.logout, onclick: logout })),
      el('section', { id: 'kpis', class: 'kpis', 'aria-label': W.today }),
      el(
        'div',
        { class: 'wb-grid' },
        el('section', { class: 'panel' }, el('h2', { text: W.queues }), el('div', { id: 'queues' })),
        el('section', { class: 'panel' }, el('h2', { text: W.agents }), el('div', { id: 'by-state', class: 'by-state' }), el('div', { id: 'agents' })),
        el('section', { class: 'panel alerts', id: 'alerts', 'data-testid': 'alerts' }, el('h2', { text: W.alerts }), el('p', { class: 'muted', text: W.noAlerts })),
        el('section', { class: 'panel', id: 'missed', 'data-testid': 'missed', hidden: true }),
      ),
    ),
  )
  alerts = new AlertSlot($('#alerts'))
  new MissedCallsPanel($('#missed')).start()
  socket = new ConsoleSocket({ surface: 'wallboard' })
  socket.addEventListener('connection', (e) => {
    $('#conn').textContent = T.connection[e.detail.state]
    $('#conn').dataset.state = e.detail.state
  })
  socket.addEventListener('fatal', (e) => {
    if (e.detail.reason === 'expired' || e.detail.reason === 'loggedOut') {
      auth.forget()
      location.reload()
    }
  })
  socket.addEventListener('welcome', (e) => {
    queueLabels = new Map((e.detail.settings?.queues ?? []).map((q) => [q.queue, q.label]))
    alerts.setLabel(e.detail.settings?.matterLabels?.flags?.concentrated)
  })
  socket.addEventListener('matter.alerts', (e) => alerts.reset(e.detail.alerts ?? []))
  socket.addEventListener('matter.alert', (e) => alerts.push(e.detail.alert))
  socket.addEventListener('wallboard', (e) => render(e.detail))
  socket.connect()
}

const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—')
const dur = (sec) => {
  const s = Math.max(0, Math.round(sec))
  return s < 60 ? W.seconds(s) : W.minutes(Math.floor(s / 60), s % 60)
}

function tile(label, value, testid, warn) {
  return el('div', { class: `kpi${warn ? ' warn' : ''}` }, el('div', { class: 'kpi-label', text: label }), el('div', { class: 'kpi-value', 'data-testid': testid, text: value }))
}

function render(f) {
  offset = Date.parse(f.serverTime) - Date.now()
  const st = f.stats
  $('#updated').textContent = `${W.updated} ${new Date(Date.now() + offset).toLocaleTimeString('zh-CN', { hour12: false })}`
  if (!st) return
  const d = st.today
  // Before the first call is answered or abandoned a rate means nothing: show a dash, not 0%.
  const calls = d.answered + d.abandoned > 0
  $('#kpis').replaceChildren(
    tile(W.answeredWithin15s, calls ? pct(d.answeredWithin15sRate) : '—', 'kpi-sl15', calls && d.answeredWithin15sRate < 0.9),
    tile(W.answerRate, calls ? pct(d.answerRate) : '—', 'kpi-answer-rate', calls && d.answerRate < 0.95),
    tile(W.abandonRate, calls ? pct(d.abandonRate) : '—', 'kpi-abandon', calls && d.abandonRate > 0.05),
    tile(W.offered, String(d.offered), 'kpi-offered'),
    tile(W.answered, String(d.answered), 'kpi-answered'),
    tile(W.asa, dur(d.averageSpeedOfAnswerSeconds), 'kpi-asa'),
    tile(W.aht, dur(d.averageHandleTimeSeconds), 'kpi-aht'),
    tile(W.writtenWithin3min, pct(d.writtenWithin3minRate), 'kpi-written3m'),
    ...Object.entries(f.handoffs ?? {}).map(([partner, n]) => tile(W.handoffsTo(T.emergency.partners[partner] ?? partner), String(n), `kpi-handoffs-${partner}`)),
  )
  $('#queues').replaceChildren(
    el(
      'table',
      { class: 'table' },
      el('thead', {}, el('tr', {}, el('th', { text: W.queue }), el('th', { text: W.waiting }), el('th', { text: W.longestWait }))),
      el(
        'tbody',
        {},
        st.queues.length === 0 ? el('tr', {}, el('td', { colspan: 3, class: 'muted', text: W.noQueue })) : null,
        st.queues.map((q) =>
          el('tr', { 'data-queue': q.queue }, el('td', { text: queueLabels.get(q.queue) ?? q.queue }), el('td', { class: 'num', 'data-testid': `waiting-${q.queue}`, text: String(q.waiting) }), el('td', { class: `num${q.longestWaitSeconds > 15 ? ' warn' : ''}`, text: dur(q.longestWaitSeconds) })),
        ),
      ),
    ),
  )
  $('#by-state').replaceChildren(
    ...Object.entries(st.agentsByState).map(([state, n]) =>
      el('span', { class: 'state-count', 'data-state': state }, el('span', { text: T.states[state] ?? state }), el('b', { 'data-testid': `agents-${state}`, text: String(n) })),
    ),
  )
  $('#agents').replaceChildren(
    el(
      'table',
      { class: 'table' },
      el('thead', {}, el('tr', {}, el('th', { text: W.agent }), el('th', { text: W.state }), el('th', { text: W.since }), el('th', { text: W.holding }), el('th', { text: W.setState }))),
      el('tbody', {}, (f.agents ?? []).map(agentRow)),
    ),
  )
}

function agentRow(a) {
  const st = a
  const label = st.reason ? `${T.states[st.state]} · ${T.reasons[st.reason] ?? st.reason}` : T.states[st.state]
  const select = el(
    'select',
    { 'aria-label': `${W.setState} ${a.agentId}`, 'data-agent': a.agentId },
    el('option', { value: '', text: '—' }),
    Object.entries(T.stateButtons).map(([k, v]) => el('option', { value: k, text: v })),
  )
  select.addEventListener('change', async () => {
    const k = select.value
    if (!k) return
    const body = k === 'ready' || k === 'offline' ? { agentId: a.agentId, state: k } : { agentId: a.agentId, state: 'not-ready', reason: k }
    try {
      await socket.request('agent.set-state', body)
    } catch {
      select.value = ''
    }
  })
  const since = (Date.now() + offset - Date.parse(st.since)) / 1000
  return el(
    'tr',
    { 'data-agent-row': a.agentId },
    el('td', { text: a.name ? `${a.name}（${a.agentId}）` : a.agentId }),
    el('td', {}, el('span', { class: 'state-badge', 'data-state': st.state, text: label })),
    el('td', { class: 'num', text: dur(since) }),
    el('td', { class: 'num', 'data-testid': `holding-${a.agentId}`, text: String(a.holding ?? 0) }),
    el('td', {}, select, a.holding > 0 ? el('button', { type: 'button', class: 'reclaim', 'data-reclaim': a.agentId, text: W.reclaim, onclick: () => reclaim(a.agentId) }) : null),
  )
}

/** Takes back an agent's appeals (e.g. a PC that died mid-work): they wait again at their place. */
async function reclaim(agentId) {
  try {
    const ack = await socket.request('agent.reclaim', { agentId })
    $('#notice').textContent = W.reclaimed(ack.reclaimed.length)
  } catch {
    $('#notice').textContent = W.reclaimFailed
  }
}

async function logout() {
  socket?.stop()
  await auth.logout()
  location.reload()
}
