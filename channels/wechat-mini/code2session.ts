/**
 * auth.code2Session: exchanges the mini-program's wx.login code for the citizen's openid.
 * GET {apiBase}/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code.
 * session_key never leaves this function: the gateway keeps its own session and needs no WeChat
 * user-data decryption. Neither session_key nor openid is ever logged.
 */
import {
  CH_ERR_WECHAT_BAD_RESPONSE,
  CH_ERR_WECHAT_BUSY,
  CH_ERR_WECHAT_INVALID_CODE,
  CH_ERR_WECHAT_RATE_LIMITED,
  CH_ERR_WECHAT_UNREACHABLE,
  CH_ERR_WECHAT_USER_BLOCKED,
} from '../errors.ts'
import { withField } from '../../gateway/errors.ts'

export interface Code2SessionOptions {
  apiBase: string
  appId: string
  secret: string
  timeoutMs: number
  fetch: typeof fetch
}

export interface WechatIdentity {
  openid: string
  unionid?: string
}

const OPENID = /^[A-Za-z0-9_-]{6,64}$/

/** Maps WeChat's errcode to our error: the citizen's bad code is a 4xx, WeChat's trouble a 502/503. */
export function errorForErrcode(errcode: number): Error {
  switch (errcode) {
    case 40029: // invalid code
    case 40163: // code been used
      return withField(new CH_ERR_WECHAT_INVALID_CODE(), '/code')
    case 45011: // per-user minute quota
      return Object.assign(new CH_ERR_WECHAT_RATE_LIMITED(), { headers: { 'retry-after': '60' } })
    case 40226: // high-risk user, login blocked
      return new CH_ERR_WECHAT_USER_BLOCKED()
    case -1: // system busy
      return new CH_ERR_WECHAT_BUSY()
    default: // 40013 invalid appid, 40125 invalid secret ...: our configuration, not the citizen
      return new CH_ERR_WECHAT_BAD_RESPONSE(`errcode ${errcode}`)
  }
}

export async function code2Session(opts: Code2SessionOptions, code: string): Promise<WechatIdentity> {
  const url = new URL('/sns/jscode2session', opts.apiBase)
  url.search = new URLSearchParams({
    appid: opts.appId,
    secret: opts.secret,
    js_code: code,
    grant_type: 'authorization_code',
  }).toString()
  let res: Response
  try {
    res = await opts.fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs), headers: { accept: 'application/json' } })
  } catch (err) {
    const name = (err as Error).name
    throw new CH_ERR_WECHAT_UNREACHABLE(name === 'TimeoutError' ? 'timeout' : 'network error')
  }
  if (res.status >= 500) throw new CH_ERR_WECHAT_UNREACHABLE(`HTTP ${res.status}`)
  let body: { errcode?: unknown; openid?: unknown; unionid?: unknown }
  try {
    // WeChat has been seen answering JSON as text/plain: read the text, whatever the type says.
    body = JSON.parse(await res.text()) as typeof body
  } catch {
    throw new CH_ERR_WECHAT_BAD_RESPONSE(`HTTP ${res.status}, not JSON`)
  }
  if (!body || typeof body !== 'object') throw new CH_ERR_WECHAT_BAD_RESPONSE('not an object')
  const errcode = typeof body.errcode === 'number' ? body.errcode : 0
  if (errcode !== 0) throw errorForErrcode(errcode)
  if (typeof body.openid !== 'string' || !OPENID.test(body.openid)) throw new CH_ERR_WECHAT_BAD_RESPONSE('no valid openid')
  return {
    openid: body.openid,
    ...(typeof body.unionid === 'string' && body.unionid ? { unionid: body.unionid } : {}),
  }
}
