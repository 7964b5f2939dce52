// The card's telephone part: 回拨 (call the citizen back through the agent's own phone), where the
// call-backs stand, and the call's recording (loaded with the agent's token, played in the page).
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'
import { getBlobUrl } from './auth.js'

/**
 * @param appeal the appeal on the card
 * @param opts.voiceOn the voice path is connected (settings.voice)
 * @param opts.request (type, body) => Promise of the ack
 * @param opts.onResult (text) => void, what happened, in words
 * @param opts.onError (err) => void
 */
export function renderCallPanel(appeal, opts) {
  const parts = []
  const note = appeal.call?.callbacks
  if (note) {
    parts.push(el('p', { class: 'muted', 'data-testid': 'callback-note', text: T.callBack.note(note.attempts, note.outcome) }))
    if (note.nextAt) parts.push(el('p', { class: 'muted', text: T.callBack.next(formatTime(note.nextAt)) }))
  }
  if (opts.voiceOn && appeal.citizen?.phone) {
    const button = el('button', {
      type: 'button',
      'data-testid': 'call-back',
      text: T.callBack.button,
      onclick: async () => {
        button.disabled = true
        button.textContent = T.callBack.calling
        try {
          const { outcome } = await opts.request('call.back', { appealId: appeal.id })
          opts.onResult(T.callBack.outcome[outcome] ?? outcome)
        } catch (err) {
          opts.onError(err)
        } finally {
          button.disabled = false
          button.textContent = T.callBack.button
        }
      },
    })
    parts.push(el('div', { class: 'actions' }, button))
  }
  if (appeal.call?.recording) parts.push(recordingPlayer(appeal.id))
  return parts.length ? el('section', { class: 'call-panel', 'data-testid': 'call-panel' }, parts) : null
}

function recordingPlayer(appealId) {
  const box = el('div', { class: 'recording' }, el('h3', { text: T.card.recording }))
  const load = el('button', {
    type: 'button',
    class: 'link',
    'data-testid': 'recording-load',
    text: T.card.recordingLoad,
    onclick: async () => {
      load.disabled = true
      try {
        const src = await getBlobUrl(`/v1/appeals/${encodeURIComponent(appealId)}/recording`)
        load.replaceWith(el('audio', { controls: true, src, 'data-testid': 'recording' }))
      } catch {
        load.replaceWith(el('p', { class: 'muted', text: T.card.recordingFailed }))
      }
    },
  })
  box.append(load)
  return box
}
