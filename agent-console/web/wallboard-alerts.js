// The wallboard's 集中诉求 slot: alerts newest first (on connect the recent ones, then live pushes);
// an alert that arrived while the board was open stays highlighted for a few minutes.
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'

const W = T.wallboard
const HIGHLIGHT_MS = 5 * 60_000
const KEEP = 20

export class AlertSlot {
  constructor(container) {
    this.container = container
    this.alerts = []
    this.fresh = new Map()
    // From welcome.settings.matterLabels (gateway/matter/labels-zh.ts): one source for the wording.
    this.label = ''
  }

  setLabel(label) {
    if (label) this.label = label
  }

  /** The recent alerts sent on (re)connect: replaces the list, keeps highlights of live ones. */
  reset(alerts) {
    this.alerts = alerts.slice(0, KEEP)
    this.render()
  }

  /** A live alert: on top, highlighted. */
  push(alert) {
    this.alerts = [alert, ...this.alerts.filter((a) => a.matterId !== alert.matterId || a.appealId !== alert.appealId)].slice(0, KEEP)
    const key = `${alert.matterId}:${alert.appealId}`
    clearTimeout(this.fresh.get(key))
    this.fresh.set(key, setTimeout(() => {
      this.fresh.delete(key)
      this.render()
    }, HIGHLIGHT_MS))
    this.render()
  }

  render() {
    const items = this.alerts.map((a) => {
      const isNew = this.fresh.has(`${a.matterId}:${a.appealId}`)
      return el(
        'li',
        { class: `alert${isNew ? ' new' : ''}`, 'data-testid': isNew ? 'alert-new' : 'alert', 'data-matter': a.matterId },
        el(
          'div',
          { class: 'alert-head' },
          el('span', { class: 'badge concentrated', text: this.label }),
          isNew ? el('span', { class: 'chip warn', text: W.newAlert }) : null,
          el('span', { class: 'muted', text: formatTime(a.at) }),
        ),
        el('div', { class: 'alert-main' }, el('span', { class: 'number', text: a.appealNumber }), el('b', { text: W.citizens(a.citizens) })),
        el('div', { class: 'alert-meta' }, a.place ? el('span', { text: a.place }) : null, a.category ? el('span', { class: 'chip', text: a.category }) : null),
      )
    })
    this.container.replaceChildren(
      el('h2', { text: W.alerts }),
      items.length ? el('ol', { class: 'alert-list', 'aria-live': 'polite' }, items) : el('p', { class: 'muted', text: W.noAlerts }),
    )
  }
}
