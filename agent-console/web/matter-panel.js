// The 并案 panel of the appeal card (and of an offer): the matter the linker suggested — flags
// (重复诉求 with the earlier numbers, 集中诉求 with the citizen count), why, the other appeals of the
// matter — and the agent's decisions: 确认并案, 拆分, 关联到其他事项. Flag, reason and decision wording
// is served by the gateway (welcome.settings.matterLabels, from gateway/matter/labels-zh.ts).
import { T } from './i18n-zh.js'
import { el, formatTime } from './dom.js'

const M = T.matter

/**
 * Returns the panel element for one appeal; it re-renders itself after each decision.
 * opts: { appealId, matter, labels, request(type, body) -> Promise<ack>, onChange(matter), onError(err) }
 */
export function matterPanel(opts) {
  const root = el('section', { class: 'matter-panel', 'data-testid': 'matter', 'aria-label': M.title })
  let matter = opts.matter
  let picking = false
  const L = opts.labels ?? { flags: {}, reasons: {}, decisions: {} }
  const reasonsText = (codes) => (codes ?? []).map((c) => L.reasons[c] ?? c).join('、')

  const decide = async (type, body = {}) => {
    try {
      const ack = await opts.request(type, { appealId: opts.appealId, ...body })
      matter = ack.matter ?? null
      picking = false
      opts.onChange?.(matter)
      render()
    } catch (err) {
      opts.onError?.(err)
    }
  }

  function flags() {
    if (!matter) return null
    return el(
      'div',
      { class: 'matter-flags' },
      matter.flags.concentrated
        ? el('span', { class: 'badge concentrated', 'data-testid': 'matter-concentrated', text: `${L.flags.concentrated ?? ''} · ${M.citizens(matter.citizens)}` })
        : null,
      matter.flags.repeat
        ? el('span', { class: 'badge repeat-matter', 'data-testid': 'matter-repeat', text: `${L.flags.repeat ?? ''} · ${M.repeatOf(matter.flags.repeatOf.join('、'))}` })
        : null,
      matter.decision ? el('span', { class: 'chip', 'data-testid': 'matter-decision', text: L.decisions[matter.decision.kind] ?? matter.decision.kind }) : null,
    )
  }

  function others() {
    if (!matter || matter.others.length === 0) return el('p', { class: 'muted', 'data-testid': 'matter-none', text: M.none })
    return el(
      'ol',
      { class: 'matter-others', 'data-testid': 'matter-others' },
      matter.others.map((o) =>
        el(
          'li',
          { 'data-appeal-number': o.appealNumber },
          el(
            'div',
            { class: 'meta' },
            el('span', { class: 'number', text: o.appealNumber }),
            el('span', { class: 'chip', text: T.channels[o.channel] ?? o.channel ?? '' }),
            el('span', { text: formatTime(o.receivedAt) }),
            o.phone ? el('span', { text: o.phone }) : null,
          ),
          el('div', { class: 'snippet', text: o.excerpt }),
          o.reasons?.length ? el('div', { class: 'why', text: `${M.why}：${reasonsText(o.reasons)}` }) : null,
        ),
      ),
      matter.size - 1 > matter.others.length ? el('li', { class: 'muted', text: M.more(matter.size - 1 - matter.others.length) }) : null,
    )
  }

  async function picker(box) {
    box.replaceChildren(el('p', { class: 'muted', text: M.loading }))
    let candidates = []
    try {
      candidates = (await opts.request('matter.suggest', { appealId: opts.appealId })).candidates
    } catch (err) {
      opts.onError?.(err)
    }
    const input = el('input', { id: `matter-id-${opts.appealId}`, class: 'matter-id', placeholder: 'M123', pattern: '^M[0-9]{1,18}$', maxlength: 19, size: 10 })
    box.replaceChildren(
      el('h4', { text: M.candidates }),
      candidates.length === 0
        ? el('p', { class: 'muted', text: M.noCandidates })
        : el(
            'ul',
            { class: 'matter-candidates', 'data-testid': 'matter-candidates' },
            candidates.map((c) =>
              el(
                'li',
                {},
                el('span', { class: 'number', text: c.appealNumber }),
                el('span', { class: 'chip', text: T.channels[c.channel] ?? c.channel ?? '' }),
                el('span', { class: 'snippet', text: c.excerpt }),
                el('span', { class: 'why', text: reasonsText(c.reasons) }),
                el('button', { type: 'button', text: M.attachHere, onclick: () => decide('matter.attach', { matterId: c.matterId }) }),
              ),
            ),
          ),
      el(
        'div',
        { class: 'actions' },
        el('label', { for: input.id, text: M.matterId }),
        input,
        el('button', { type: 'button', text: M.attachHere, onclick: () => input.reportValidity() && input.value && decide('matter.attach', { matterId: input.value.trim() }) }),
        el('button', { type: 'button', class: 'link', text: M.cancel, onclick: () => ((picking = false), render()) }),
      ),
    )
  }

  function render() {
    const linked = matter && matter.others.length > 0
    const box = el('div', { class: 'matter-picker' })
    // Through el(): it skips the absent parts (the native replaceChildren would print "null").
    root.replaceChildren(...el('div', {},
      el('h3', { text: M.title }),
      matter ? flags() : el('p', { class: 'muted', text: M.notLinked }),
      matter?.reasons?.length ? el('p', { class: 'matter-reasons', 'data-testid': 'matter-reasons', text: `${M.why}：${reasonsText(matter.reasons)}` }) : null,
      matter ? others() : null,
      matter
        ? el(
            'div',
            { class: 'actions' },
            linked && matter.decision?.kind !== 'confirmed'
              ? el('button', { type: 'button', class: 'primary', 'data-testid': 'matter-confirm', text: M.confirm, onclick: () => decide('matter.confirm') })
              : null,
            linked ? el('button', { type: 'button', 'data-testid': 'matter-detach', text: M.detach, onclick: () => decide('matter.detach') }) : null,
            el('button', { type: 'button', 'data-testid': 'matter-attach', text: M.attach, onclick: () => ((picking = true), render()) }),
          )
        : null,
      picking ? box : null,
    ).childNodes)
    if (picking) void picker(box)
  }

  render()
  return root
}
