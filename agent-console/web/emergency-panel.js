// 紧急联动 on the appeal card: hand the appeal (and its live call) to 110 / 119 / 120 / 122.
// One-key transfer, a three-party call (private consult, drop the dispatcher, leave), the record
// alone for a written appeal; the handoffs of this appeal with where each stands (待送达 / 已送达 /
// 已接收 / 已退回), updated live (handoff.updated), and 首接负责 after an undecided three-party call.
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'

const E = T.emergency

/**
 * opts: { appeal, voiceOn, request(type, body) -> Promise<ack>, summary() -> string, onNotice(text), onError(err) }
 * Returns { root, appealId, update(record) } — update() takes a record pushed by the server.
 */
export function emergencyPanel(opts) {
  const root = el('section', { class: 'emergency-panel', 'data-testid': 'emergency', 'aria-label': E.title })
  const records = new Map()
  let suggestion = null
  let consulting = false
  let inThreeParty = false
  const isCall = opts.appeal.channel === 'voice' && opts.voiceOn

  const act = async (type, body, after) => {
    try {
      const ack = await opts.request(type, body)
      if (ack.record) records.set(ack.record.id, ack.record)
      after?.(ack)
    } catch (err) {
      opts.onError(err)
    }
    render()
  }

  const partnerRow = (p) =>
    el(
      'div',
      { class: 'partner-row', 'data-partner': p },
      el('span', { class: 'partner-name', text: E.partners[p] }),
      isCall
        ? [
            el('button', {
              type: 'button',
              'data-testid': `one-key-${p}`,
              text: E.oneKey,
              onclick: () => act('emergency.transfer', { partner: p, summary: opts.summary() || undefined }, (a) => opts.onNotice(E.outcome[a.outcome] ?? a.outcome)),
            }),
            el('button', {
              type: 'button',
              'data-testid': `three-party-${p}`,
              text: E.threeParty,
              onclick: () =>
                act('emergency.conference', { partner: p, summary: opts.summary() || undefined }, (a) => {
                  inThreeParty = a.outcome === 'joined'
                  opts.onNotice(E.outcome[a.outcome] ?? a.outcome)
                }),
            }),
          ]
        : null,
      el('button', {
        type: 'button',
        'data-testid': `escalate-${p}`,
        text: E.recordOnly,
        onclick: () => act('emergency.escalate', { appealId: opts.appeal.id, partner: p }, () => opts.onNotice(E.escalated)),
      }),
    )

  const threePartyControls = () =>
    el(
      'div',
      { class: 'actions', 'data-testid': 'three-party-controls' },
      el('button', {
        type: 'button',
        'data-testid': 'consult',
        text: consulting ? E.consultEnd : E.consult,
        onclick: () => act('emergency.consult', { on: !consulting }, (a) => (consulting = a.consulting)),
      }),
      el('button', { type: 'button', 'data-testid': 'drop-partner', text: E.drop, onclick: () => act('emergency.drop', {}, () => (inThreeParty = false)) }),
      el('button', { type: 'button', 'data-testid': 'leave', text: E.leave, onclick: () => act('call.hangup', {}, () => (inThreeParty = false)) }),
    )

  const recordRow = (r) =>
    el(
      'li',
      { 'data-testid': 'handoff', 'data-status': r.status, 'data-handoff': r.id },
      el('span', { text: `${formatTime(r.time)} ${E.partners[r.partner] ?? r.partnerName} · ${E.how[r.how] ?? r.how}` }),
      el('span', { class: `chip status-${r.status}`, 'data-testid': 'handoff-status', text: E.status[r.status] ?? r.status }),
      r.reason ? el('span', { class: 'muted', text: E.reason(r.reason) }) : null,
      r.firstReceiver ? el('span', { class: 'muted', text: E.firstReceiverIs(r.firstReceiver.platform === '12345' ? '12345' : E.partners[r.firstReceiver.platform]) }) : null,
      r.how === 'three-party' && !r.firstReceiver
        ? el(
            'span',
            { class: 'first-receiver' },
            el('span', { class: 'muted', text: E.firstReceiverAsk }),
            el('button', { type: 'button', class: 'link', text: '12345', onclick: () => act('emergency.first-receiver', { handoffId: r.id, platform: '12345' }) }),
            el('button', { type: 'button', class: 'link', text: E.partners[r.partner], onclick: () => act('emergency.first-receiver', { handoffId: r.id, platform: r.partner }) }),
          )
        : null,
    )

  function render() {
    const list = [...records.values()].sort((a, b) => a.time.localeCompare(b.time))
    const parts = [
      el('h2', { text: E.title }),
      suggestion ? el('p', { class: 'badge', 'data-testid': 'emergency-suggestion', text: E.suggested(E.partners[suggestion.partner] ?? suggestion.partner, suggestion.item) }) : null,
      ...['110', '119', '120', '122'].map(partnerRow),
      inThreeParty ? threePartyControls() : null,
      list.length ? el('ol', { class: 'handoffs' }, list.map(recordRow)) : null,
    ]
    root.replaceChildren(...parts.filter(Boolean))
  }

  render()
  void opts
    .request('emergency.records', { appealId: opts.appeal.id })
    .then((ack) => {
      for (const r of ack.records ?? []) records.set(r.id, r)
      render()
    })
    .catch(() => undefined)
  void opts
    .request('emergency.suggest', { appealId: opts.appeal.id })
    .then((ack) => {
      suggestion = ack.suggestion ?? null
      render()
    })
    .catch(() => undefined)

  return {
    root,
    appealId: opts.appeal.id,
    update(record) {
      records.set(record.id, record)
      render()
    },
  }
}
