/**
 * A verified WeChat push message -> what the gateway does with it. Text, image and voice are
 * appeals; a location alone is context for the citizen's next message (see docs/channels-wechat.md);
 * events get a reply and no appeal; other message types are declined politely.
 */
import type { AppealDraft, Attachment, Location } from '../../gateway/domain/appeal.ts'
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_VALIDATION } from '../errors.ts'
import { CONTENT_ZH } from './replies-zh.ts'
import type { WechatXml } from './xml.ts'

/** WeChat's temporary-media download API: a worker appends access_token and fetches within 3 days. */
export const MEDIA_GET_URL = 'https://api.weixin.qq.com/cgi-bin/media/get'

export type Inbound =
  | { kind: 'appeal'; openid: string; msgId: string; draft: AppealDraft }
  | { kind: 'location'; openid: string; msgId: string; location: Location }
  | { kind: 'event'; openid: string; event: string }
  | { kind: 'unsupported'; openid: string; msgType: string }

const OPENID = /^[A-Za-z0-9_-]{6,64}$/
const MSG_ID = /^[0-9]{1,24}$/

function required(msg: WechatXml, name: string, pattern?: RegExp): string {
  const v = msg[name]
  if (v === undefined || v === '' || (pattern && !pattern.test(v))) {
    throw withField(new CH_ERR_VALIDATION(`${name} is ${v === undefined || v === '' ? 'required' : 'invalid'}`), `/xml/${name}`)
  }
  return v
}

function coordinate(msg: WechatXml, name: string, limit: number): number {
  const n = Number(required(msg, name))
  if (!Number.isFinite(n) || Math.abs(n) > limit) throw withField(new CH_ERR_VALIDATION(`${name} is invalid`), `/xml/${name}`)
  return n
}

export function classify(msg: WechatXml): Inbound {
  const openid = required(msg, 'FromUserName', OPENID)
  required(msg, 'ToUserName')
  const msgType = required(msg, 'MsgType').toLowerCase()
  if (msgType === 'event') return { kind: 'event', openid, event: (msg.Event ?? '').toLowerCase() }
  const msgId = required(msg, 'MsgId', MSG_ID)
  const citizen = { openid }
  switch (msgType) {
    case 'text':
      return { kind: 'appeal', openid, msgId, draft: { citizen, content: msg.Content ?? '' } }
    case 'image': {
      const url = required(msg, 'PicUrl', /^https?:\/\/\S{1,2040}$/)
      const attachments: Attachment[] = [{ type: 'image', url, size: 0 }]
      return { kind: 'appeal', openid, msgId, draft: { citizen, content: CONTENT_ZH.imageOnly, attachments } }
    }
    case 'voice': {
      const mediaId = required(msg, 'MediaId', /^[A-Za-z0-9_-]{1,128}$/)
      const format = (msg.Format ?? 'amr').toLowerCase().replace(/[^a-z0-9]/g, '') || 'amr'
      const recognized = (msg.Recognition ?? '').trim()
      const attachments: Attachment[] = [
        { type: `audio/${format}`, url: `${MEDIA_GET_URL}?media_id=${encodeURIComponent(mediaId)}`, size: 0 },
      ]
      return {
        kind: 'appeal',
        openid,
        msgId,
        draft: { citizen, content: recognized || CONTENT_ZH.voiceUnrecognized, attachments },
      }
    }
    case 'location': {
      const lat = coordinate(msg, 'Location_X', 90)
      const lng = coordinate(msg, 'Location_Y', 180)
      const label = (msg.Label ?? '').trim().slice(0, 200)
      return { kind: 'location', openid, msgId, location: { lat, lng, ...(label ? { address: label } : {}) } }
    }
    default:
      return { kind: 'unsupported', openid, msgType }
  }
}
