// Login and tokens. The access token lives in sessionStorage (this tab only, survives a reload);
// it is refreshed a minute before it expires and handed to the open socket, which stays up.
const KEY = 'gw.console.auth'

export function saved() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null')
    return s && s.token ? s : null
  } catch {
    return null
  }
}

function store(body) {
  const s = {
    token: body.token,
    refreshToken: body.refreshToken,
    expiresAt: Date.now() + body.expiresIn * 1000,
    agent: body.agent,
  }
  sessionStorage.setItem(KEY, JSON.stringify(s))
  return s
}

export function forget() {
  sessionStorage.removeItem(KEY)
}

async function post(path, body, token) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(path, { method: 'POST', headers, body: body ? JSON.stringify(body) : undefined })
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}))
  if (!res.ok) {
    const err = new Error(data.message || `HTTP ${res.status}`)
    err.status = res.status
    err.code = data.code
    throw err
  }
  return data
}

export async function login(username, password) {
  return store(await post('/v1/auth/login', { username, password }))
}

export async function refresh() {
  const s = saved()
  if (!s?.refreshToken) throw new Error('no refresh token')
  return store(await post('/v1/auth/refresh', { refreshToken: s.refreshToken }))
}

export async function logout() {
  const s = saved()
  forget()
  if (s) await post('/v1/auth/logout', { refreshToken: s.refreshToken }, s.token).catch(() => {})
}

export async function getJson(path) {
  const s = saved()
  const res = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  return res.json()
}

/** A protected file (a call recording) as a blob URL: an <audio> element cannot send the token itself. */
export async function getBlobUrl(path) {
  const s = saved()
  const res = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  return URL.createObjectURL(await res.blob())
}
