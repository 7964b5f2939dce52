// Transfer of the held appeal to a queue (hotline department) or to an agent number.
import { T } from './i18n-zh.js'
import { el } from './dom.js'

export function renderTransfer(box, appeal, { queues, request, onDone, onError }) {
  box.hidden = false
  const queue = el('select', { id: 't-queue' }, el('option', { value: '', text: '—' }), (queues ?? []).map((q) => el('option', { value: q.queue, text: q.label })))
  const agent = el('input', { id: 't-agent', inputmode: 'numeric', maxlength: 8, size: 8 })
  const go = async () => {
    const target = agent.value.trim() ? { agentId: agent.value.trim() } : queue.value ? { queue: queue.value } : null
    if (!target) return
    try {
      await request('appeal.transfer', { appealId: appeal.id, target })
      onDone()
    } catch (err) {
      onError(err)
    }
  }
  box.replaceChildren(
    el('h2', { text: T.transfer.title }),
    el('div', { class: 'grid' }, el('label', { for: 't-queue', text: T.transfer.toQueue }), queue, el('label', { for: 't-agent', text: T.transfer.toAgent }), agent),
    el('div', { class: 'actions' }, el('button', { type: 'button', text: T.transfer.submit, onclick: go })),
  )
}
