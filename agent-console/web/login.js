// The login form shared by the console and the wallboard.
import { T } from './i18n-zh.js'
import { el } from './dom.js'
import * as auth from './auth.js'

export function renderLogin(container, { onLoggedIn, message, title = T.login.title, requireRole } = {}) {
  const err = el('p', { class: 'error', role: 'alert', text: message ?? '' })
  const user = el('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, inputmode: 'numeric' })
  const pass = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const form = el(
    'form',
    {
      class: 'login',
      onsubmit: async (ev) => {
        ev.preventDefault()
        err.textContent = ''
        try {
          const s = await auth.login(user.value.trim(), pass.value)
          if (requireRole && s.agent.role !== requireRole) {
            auth.forget()
            err.textContent = T.login.needSupervisor
            return
          }
          onLoggedIn(s)
        } catch (e) {
          err.textContent = e.status === 401 ? T.login.failed : e.status === 429 || e.status === 423 ? T.login.locked : T.login.error
        }
      },
    },
    el('h1', { text: title }),
    el('label', { for: 'username', text: T.login.username }),
    user,
    el('label', { for: 'password', text: T.login.password }),
    pass,
    err,
    el('button', { type: 'submit', class: 'primary', text: T.login.submit }),
  )
  container.replaceChildren(form)
  user.focus()
}
