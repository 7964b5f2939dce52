// The softphone panel. The voice path arrives in a later issue: until the server says voice is
// connected, every button is disabled and the reason is written beside them, not only in a tooltip.
import { T } from './i18n-zh.js'
import { el } from './dom.js'

const BUTTONS = [
  ['answer', 'call.answer'],
  ['hangup', 'call.hangup'],
  ['hold', 'call.hold'],
  ['mute', 'call.mute'],
  ['transfer', 'call.transfer'],
  ['conference', 'call.conference'],
]

export function renderSoftphone(container, voice) {
  const connected = Boolean(voice?.connected)
  const reason = connected ? '' : T.softphone.notConnected
  const buttons = BUTTONS.map(([key]) =>
    el('button', {
      type: 'button',
      class: `phone-btn ${key}`,
      'data-action': key,
      disabled: !connected,
      title: reason || undefined,
      'aria-describedby': connected ? undefined : 'softphone-reason',
      text: T.softphone[key],
    }),
  )
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'].map((k) =>
    el('button', { type: 'button', class: 'key', disabled: !connected, 'aria-describedby': connected ? undefined : 'softphone-reason', text: k }),
  )
  container.replaceChildren(
    el('h2', { text: T.softphone.title }),
    connected ? null : el('p', { id: 'softphone-reason', class: 'reason', 'data-testid': 'softphone-reason', text: reason }),
    el('div', { class: 'phone-buttons' }, buttons),
    el('details', { class: 'dialpad' }, el('summary', { text: T.softphone.dialpad }), el('div', { class: 'keys' }, keys)),
  )
}
