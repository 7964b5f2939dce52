/** Builds WeChat pushes exactly as WeChat's servers do: signed query, XML body, optional safe mode. */
import { randomInt } from 'node:crypto'
import type { App } from '../../../gateway/app.ts'
import { WechatCrypto, wechatSignature } from '../../../channels/wechat-official/crypto.ts'

export const WX = {
  token: 'pamtest-12345-token',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wxb11529c136998cb6',
  account: 'gh_12345hotline',
}

export const wechatConfig = (extra: Record<string, unknown> = {}) => ({
  channels: { wechatOfficial: { token: WX.token, aesKey: WX.aesKey, appId: WX.appId, ...extra } },
})

export const PATH = '/v1/channels/wechat/official'

let msgSeq = 0
/** A fresh 64-bit-looking MsgId, as WeChat sends (larger than 2^53: must stay a string). */
export function newMsgId(): string {
  msgSeq++
  return `2${String(randomInt(1e9)).padStart(9, '0')}${String(msgSeq).padStart(9, '0')}`
}

export function xmlOf(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : `<![CDATA[${v}]]>`}</${k}>`)
    .join('')
  return `<xml>${body}</xml>`
}

export function textMessage(openid: string, content: string, msgId = newMsgId()): string {
  return xmlOf({
    ToUserName: WX.account,
    FromUserName: openid,
    CreateTime: Math.floor(Date.now() / 1000),
    MsgType: 'text',
    Content: content,
    MsgId: msgId,
  })
}

export function signedQuery(extra: Record<string, string> = {}, token = WX.token): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = String(randomInt(1e9))
  return { signature: wechatSignature(token, timestamp, nonce), timestamp, nonce, ...extra }
}

export function qs(query: Record<string, string>): string {
  return new URLSearchParams(query).toString()
}

/** POSTs a plaintext-mode push. */
export function push(app: App, xml: string, opts: { query?: Record<string, string>; contentType?: string } = {}) {
  const query = opts.query ?? { ...signedQuery(), openid: 'ignored' }
  return app.inject({
    method: 'POST',
    url: `${PATH}?${qs(query)}`,
    headers: { 'content-type': opts.contentType ?? 'text/xml' },
    payload: xml,
  })
}

/** POSTs a safe-mode push: the message encrypted and signed exactly as WeChat does. */
export function pushEncrypted(app: App, innerXml: string, opts: { appId?: string; badMsgSignature?: boolean } = {}) {
  const crypto = new WechatCrypto(WX.aesKey, opts.appId ?? WX.appId)
  const encrypt = crypto.encrypt(innerXml)
  const query = signedQuery({ encrypt_type: 'aes' })
  const msgSignature = wechatSignature(WX.token, query.timestamp, query.nonce, encrypt)
  query.msg_signature = opts.badMsgSignature ? msgSignature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : msgSignature
  const body = `<xml><ToUserName><![CDATA[${WX.account}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
  return push(app, body, { query })
}

/** The Content of a plaintext passive reply. */
export function replyContent(body: string): string | undefined {
  return /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(body)?.[1]
}

export function field(body: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(body)
  return m ? (m[1] ?? m[2]) : undefined
}

export function appealNumberIn(text: string | undefined): string | undefined {
  return /编号(\d{8}-\d{6})/.exec(text ?? '')?.[1]
}
