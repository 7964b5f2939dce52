// The wallboard's 漏接回拨 panel: callers who hung up while waiting (number masked, wait, time),
// newest first, read from GET /v1/voice/missed every few seconds. Hidden while the voice path is off.
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'
import * as auth from './auth.js'

const W = T.wallboard
const EVERY_MS = 5000

export class MissedCallsPanel {
  constructor(container) {
    this.container = container
    this.timer = undefined
  }

  start() {
    const tick = async () => {
      try {
        const { missed } = await auth.getJson('/v1/voice/missed?limit=20')
        this.render(missed)
        this.container.hidden = false
      } catch {
        // 404 while no media server is configured: the panel stays hidden.
      }
      this.timer = setTimeout(tick, EVERY_MS)
    }
    void tick()
  }

  render(missed) {
    const rows = missed.map((m) =>
      el(
        'tr',
        { 'data-testid': 'missed-call', 'data-appeal': m.appealId },
        el('td', { text: m.maskedPhone }),
        el('td', { text: m.hotline }),
        el('td', { class: 'num', text: W.waitedSeconds(m.waitSeconds) }),
        el('td', { text: formatTime(m.at) }),
      ),
    )
    this.container.replaceChildren(
      el('h2', { text: W.missed }),
      rows.length
        ? el(
            'table',
            { class: 'table' },
            el('thead', {}, el('tr', {}, el('th', { text: W.missedNumber }), el('th', { text: W.missedHotline }), el('th', { text: W.missedWait }), el('th', { text: W.missedAt }))),
            el('tbody', {}, rows),
          )
        : el('p', { class: 'muted', text: W.noMissed }),
    )
  }
}
