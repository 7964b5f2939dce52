/** Passive replies (被动回复): a text message back to the citizen, encrypted when the push was. */
import { randomBytes } from 'node:crypto'
import { wechatSignature, type WechatCrypto } from './crypto.ts'
import { buildXml, type WechatXml } from './xml.ts'

/** WeChat's documented empty answer: no reply to the citizen, and no retry. */
export const SUCCESS = 'success'

export function textReply(to: WechatXml, content: string, now: Date): string {
  return buildXml({
    ToUserName: to.FromUserName,
    FromUserName: to.ToUserName,
    CreateTime: Math.floor(now.getTime() / 1000),
    MsgType: 'text',
    Content: content,
  })
}

/** Wraps a reply for safe mode: Encrypt + MsgSignature over [token, timestamp, nonce, Encrypt]. */
export function encryptedReply(xml: string, crypto: WechatCrypto, token: string, now: Date): string {
  const encrypt = crypto.encrypt(xml)
  const timestamp = String(Math.floor(now.getTime() / 1000))
  const nonce = String(randomBytes(4).readUInt32BE())
  return buildXml({
    Encrypt: encrypt,
    MsgSignature: wechatSignature(token, timestamp, nonce, encrypt),
    TimeStamp: Number(timestamp),
    Nonce: nonce,
  })
}
