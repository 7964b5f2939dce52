// The 漏接回拨 panel: callers who hung up while waiting (number masked, wait, time), newest first,
// read from GET /v1/voice/missed every few seconds. Hidden while the voice path is off. On the
// wallboard it is a list; in the agent console each row has 回拨 (opts.onCallBack(appealId)).
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'
import * as auth from './auth.js'

const W = T.wallboard
const EVERY_MS = 5000

export class MissedCallsPanel {
  constructor(container, opts = {}) {
    this.container = container
    this.onCallBack = opts.onCallBack
    this.timer = undefined
  }

  start() {
    const tick = async () => {
      await this.refresh()
      this.timer = setTimeout(tick, EVERY_MS)
    }
    void tick()
  }

  async refresh() {
    try {
      const { missed } = await auth.getJson('/v1/voice/missed?limit=20')
      this.render(missed)
      this.container.hidden = false
    } catch {
      // 404 while no media server is configured: the panel stays hidden.
    }
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
        this.onCallBack ? el('td', {}, m.canCallBack ? this.#callBackButton(m.appealId) : '') : null,
      ),
    )
    this.container.replaceChildren(
      el('h2', { text: W.missed }),
      rows.length
        ? el(
            'table',
            { class: 'table' },
            el('thead', {}, el('tr', {}, el('th', { text: W.missedNumber }), el('th', { text: W.missedHotline }), el('th', { text: W.missedWait }), el('th', { text: W.missedAt }), this.onCallBack ? el('th', { text: W.missedAction }) : null)),
            el('tbody', {}, rows),
          )
        : el('p', { class: 'muted', text: W.noMissed }),
    )
  }

  #callBackButton(appealId) {
    const b = el('button', {
      type: 'button',
      'data-testid': 'missed-call-back',
      text: T.callBack.button,
      onclick: async () => {
        b.disabled = true
        await this.onCallBack(appealId)
      },
    })
    return b
  }
}
