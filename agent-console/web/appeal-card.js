// The appeal card and the citizen's history beside it. Everything the citizen wrote is set with
// textContent (see dom.js): markup in an appeal is shown as the characters the citizen typed.
import { T } from './i18n-zh.js'
import { el, formatTime, maskPhone, safeUrl } from './dom.js'
import { getJson } from './auth.js'

const DAY = 86_400_000

function row(label, ...value) {
  return el('div', { class: 'field' }, el('dt', { text: label }), el('dd', {}, ...value))
}

function hotlineName(settings, origin) {
  const h = settings.hotlines?.find((x) => x.number === origin)
  return h ? `${h.name}（${h.number}）` : origin
}

export function renderAppeal(appeal, settings) {
  const phone = appeal.citizen?.phone
  const phoneText = el('span', { class: 'phone', 'data-testid': 'citizen-phone', text: maskPhone(phone) })
  const toggle = phone
    ? el('button', {
        type: 'button',
        class: 'link',
        text: T.card.showPhone,
        onclick: (ev) => {
          const shown = phoneText.textContent === phone
          phoneText.textContent = shown ? maskPhone(phone) : phone
          ev.target.textContent = shown ? T.card.showPhone : T.card.hidePhone
        },
      })
    : null
  const attachments = (appeal.attachments ?? []).map((a) => {
    const href = safeUrl(a.url)
    const label = `${a.type} · ${Math.max(1, Math.round(a.size / 1024))}KB`
    return el('li', {}, href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: label }) : el('span', { text: `${label} ${a.url}` }))
  })
  const loc = appeal.location
  const locText = loc ? [loc.address, loc.lat !== undefined ? `(${loc.lat}, ${loc.lng})` : ''].filter(Boolean).join(' ') : ''
  return el(
    'article',
    { class: 'appeal-card', 'aria-label': T.card.content, 'data-appeal-id': appeal.id },
    el(
      'header',
      {},
      el('span', { class: 'number', text: appeal.appealNumber }),
      el('span', { class: `chip channel-${appeal.channel}`, text: T.channels[appeal.channel] ?? appeal.channel }),
      appeal.category ? el('span', { class: 'chip', text: appeal.category }) : null,
      appeal.confidential ? el('span', { class: 'chip warn', text: T.card.confidential }) : null,
    ),
    el(
      'dl',
      {},
      appeal.origin ? row(T.card.origin, hotlineName(settings, appeal.origin)) : null,
      row(T.card.received, formatTime(appeal.receivedAt)),
      row(T.card.citizen, appeal.citizen?.name ?? '—'),
      phone ? row(T.card.phone, phoneText, ' ', toggle) : null,
      locText ? row(T.card.location, locText) : null,
      row(T.card.attachments, attachments.length ? el('ul', { class: 'attachments' }, attachments) : T.card.noAttachments),
    ),
    el('h3', { text: T.card.content }),
    el('p', { class: 'content', 'data-testid': 'appeal-content', text: appeal.content }),
  )
}

let historyGeneration = 0

/** The citizen's appeals across channels; a badge when they came back within 30 days. */
export async function renderHistory(container, appeal, now) {
  // Renders can overlap (an accept ack and an assigned event): only the latest one may write.
  const generation = ++historyGeneration
  const key = appeal.citizen?.phone ?? appeal.citizen?.openid
  container.replaceChildren(el('h2', { text: T.history.title }))
  if (!key) {
    container.append(el('p', { class: 'muted', text: T.history.none }))
    return
  }
  const loading = el('p', { class: 'muted', text: T.history.loading })
  container.append(loading)
  let appeals
  try {
    const body = await getJson(`/v1/citizens/${encodeURIComponent(key)}/appeals?appealId=${encodeURIComponent(appeal.id)}&limit=50`)
    appeals = body.appeals
  } catch {
    if (generation === historyGeneration) loading.textContent = T.history.failed
    return
  }
  if (generation !== historyGeneration) return
  loading.remove()
  const recent = appeals.filter((a) => now - Date.parse(a.receivedAt) <= 30 * DAY)
  if (recent.length >= 2) {
    const label = appeal.channel === 'voice' ? T.history.repeat(recent.length) : T.history.repeatWritten(recent.length)
    container.append(el('p', { class: 'badge repeat', 'data-testid': 'repeat-badge', text: label }))
  }
  if (appeals.length === 0) {
    container.append(el('p', { class: 'muted', text: T.history.none }))
    return
  }
  container.append(
    el(
      'ol',
      { class: 'history' },
      appeals.map((a) =>
        el(
          'li',
          { class: a.id === appeal.id ? 'current' : '' },
          el(
            'div',
            { class: 'meta' },
            el('span', { text: formatTime(a.receivedAt) }),
            el('span', { class: 'chip', text: T.channels[a.channel] ?? a.channel }),
            a.category ? el('span', { class: 'chip', text: a.category }) : null,
            a.id === appeal.id ? el('span', { class: 'chip now', text: T.history.current }) : null,
          ),
          el('div', { class: 'snippet', text: a.content.length > 80 ? `${a.content.slice(0, 80)}…` : a.content }),
        ),
      ),
    ),
  )
}
