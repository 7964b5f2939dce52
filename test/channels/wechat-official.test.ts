import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, staffHeaders } from '../helpers/app.ts'
import { WechatCrypto, wechatSignature } from '../../channels/wechat-official/crypto.ts'
import { REPLIES_ZH, CONTENT_ZH } from '../../channels/wechat-official/replies-zh.ts'
import {
  appealNumberIn,
  field,
  newMsgId,
  PATH,
  push,
  pushEncrypted,
  qs,
  replyContent,
  signedQuery,
  textMessage,
  WX,
  wechatConfig,
  xmlOf,
} from './helpers/wechat.ts'

const OPENID = 'oWx_citizen_0001'

t.test('the server URL check echoes echostr when the signature holds, and refuses it otherwise', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const ok = await app.inject({ method: 'GET', url: `${PATH}?${qs({ ...signedQuery(), echostr: '5837397749364171' })}` })
  t.equal(ok.statusCode, 200)
  t.equal(ok.body, '5837397749364171')
  t.match(ok.headers['content-type'], /^text\/plain/)

  const bad = await app.inject({ method: 'GET', url: `${PATH}?${qs({ ...signedQuery({}, 'wrong-token'), echostr: '1' })}` })
  t.equal(bad.statusCode, 401)
  t.equal(bad.json().code, 'CH_ERR_BAD_SIGNATURE')
})

t.test('without a token configured the channel answers 503 CH_ERR_CHANNEL_DISABLED', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: `${PATH}?${qs({ ...signedQuery(), echostr: '1' })}` })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'CH_ERR_CHANNEL_DISABLED')
})

t.test('a text message becomes an appeal, answered with its number in a passive reply', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const msgId = newMsgId()
  const res = await push(app, textMessage(OPENID, '小区门口的井盖丢了，晚上很危险', msgId))
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/xml/)
  t.equal(field(res.body, 'ToUserName'), OPENID, 'reply goes back to the citizen')
  t.equal(field(res.body, 'FromUserName'), WX.account)
  t.equal(field(res.body, 'MsgType'), 'text')
  t.match(field(res.body, 'CreateTime'), /^\d{10}$/)
  const number = appealNumberIn(replyContent(res.body))
  t.ok(number, 'the reply quotes the appeal number')
  t.match(replyContent(res.body), /^已收到您的诉求，编号/)

  const appeal = await queue.getByNumber(number!)
  t.equal(appeal?.channel, 'wechat-official')
  t.equal(appeal?.citizen.openid, OPENID)
  t.equal(appeal?.external.id, msgId, 'MsgId kept exactly, not rounded as a number')
  t.equal(appeal?.content, '小区门口的井盖丢了，晚上很危险')
  t.equal(appeal?.status, 'queued')

  const history = await app.inject({ method: 'GET', url: `/v1/citizens/${OPENID}/appeals`, headers: staffHeaders })
  t.same(history.json().appeals.map((a: { appealNumber: string }) => a.appealNumber), [number])
})

t.test('application/xml is taken as well as text/xml', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, textMessage(OPENID, '噪音扰民'), { contentType: 'application/xml; charset=utf-8' })
  t.ok(appealNumberIn(replyContent(res.body)))
})

t.test('an image becomes an appeal with the picture as an attachment', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const xml = xmlOf({
    ToUserName: WX.account,
    FromUserName: OPENID,
    CreateTime: 1732665600,
    MsgType: 'image',
    PicUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0',
    MediaId: 'media_id_image_1',
    MsgId: newMsgId(),
  })
  const res = await push(app, xml)
  const appeal = await queue.getByNumber(appealNumberIn(replyContent(res.body))!)
  t.same(appeal?.attachments, [{ type: 'image', url: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0', size: 0 }])
  t.equal(appeal?.content, CONTENT_ZH.imageOnly, 'the agent sees that the citizen sent a picture')
})

t.test('a voice message uses WeChat’s recognition as the text and keeps the audio', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const voice = (recognition?: string) =>
    xmlOf({
      ToUserName: WX.account,
      FromUserName: OPENID,
      CreateTime: 1732665600,
      MsgType: 'voice',
      MediaId: 'voice_media_01',
      Format: 'amr',
      ...(recognition !== undefined ? { Recognition: recognition } : {}),
      MsgId: newMsgId(),
    })
  const heard = await queue.getByNumber(appealNumberIn(replyContent((await push(app, voice('楼上漏水已经三天了'))).body))!)
  t.equal(heard?.content, '楼上漏水已经三天了')
  t.equal(heard?.attachments?.[0].type, 'audio/amr')
  t.match(heard?.attachments?.[0].url, /media_id=voice_media_01$/)

  const unheard = await queue.getByNumber(appealNumberIn(replyContent((await push(app, voice())).body))!)
  t.equal(unheard?.content, CONTENT_ZH.voiceUnrecognized, 'no recognition: the agent is told to listen')
})

t.test('a location alone makes no appeal; it is attached to the citizen’s next message', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const loc = await push(
    app,
    xmlOf({
      ToUserName: WX.account,
      FromUserName: OPENID,
      CreateTime: 1732665600,
      MsgType: 'location',
      Location_X: '39.915119',
      Location_Y: '116.403963',
      Scale: 16,
      Label: '北京市东城区东长安街',
      MsgId: newMsgId(),
    }),
  )
  t.equal(replyContent(loc.body), REPLIES_ZH.locationNoted)
  t.equal((await queue.stats()).waiting, 0, 'no appeal from the location alone')

  const textId = newMsgId()
  const text = await push(app, textMessage(OPENID, '这里的路灯不亮', textId))
  const number = appealNumberIn(replyContent(text.body))!
  const appeal = await queue.getByNumber(number)
  t.same(appeal?.location, { lat: 39.915119, lng: 116.403963, address: '北京市东城区东长安街' })

  const retry = await push(app, textMessage(OPENID, '这里的路灯不亮', textId))
  t.equal(appealNumberIn(replyContent(retry.body)), number, 'a retry of that message still matches it')
  const next = await push(app, textMessage(OPENID, '另外垃圾没人清'))
  t.equal((await queue.getByNumber(appealNumberIn(replyContent(next.body))!))?.location, undefined, 'used once only')
})

t.test('a subscribe event is welcomed and other events are acknowledged, with no appeal', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const event = (name: string) =>
    xmlOf({ ToUserName: WX.account, FromUserName: OPENID, CreateTime: 1732665600, MsgType: 'event', Event: name })
  t.equal(replyContent((await push(app, event('subscribe'))).body), REPLIES_ZH.welcome)
  const other = await push(app, event('unsubscribe'))
  t.equal(other.statusCode, 200)
  t.equal(other.body, 'success')
  t.equal((await queue.stats()).waiting, 0)
})

t.test('a blank text is answered with a request for words, not an error', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, textMessage(OPENID, '   '))
  t.equal(res.statusCode, 200)
  t.equal(replyContent(res.body), REPLIES_ZH.emptyContent)
  t.equal((await queue.stats()).waiting, 0)
})

t.test('safe mode: an encrypted push is decrypted and answered with an encrypted, signed reply', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const res = await pushEncrypted(app, textMessage(OPENID, '公交站牌被撞倒了'))
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /公交站牌|编号/, 'nothing readable on the wire')
  const encrypt = field(res.body, 'Encrypt')!
  const timestamp = field(res.body, 'TimeStamp')!
  const nonce = field(res.body, 'Nonce')!
  t.equal(field(res.body, 'MsgSignature'), wechatSignature(WX.token, timestamp, nonce, encrypt), 'WeChat can verify the reply')
  t.match(timestamp, /^\d{10}$/)
  const inner = new WechatCrypto(WX.aesKey, WX.appId).decrypt(encrypt)
  t.equal(field(inner, 'ToUserName'), OPENID)
  const number = appealNumberIn(replyContent(inner))
  t.equal((await queue.getByNumber(number!))?.content, '公交站牌被撞倒了')
})

t.test('the same MsgId delivered three times makes one appeal and the same reply each time', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const xml = textMessage(OPENID, '电梯困人', newMsgId())
  const replies = []
  for (let i = 0; i < 3; i++) replies.push(await push(app, xml))
  const numbers = replies.map((r) => appealNumberIn(replyContent(r.body)))
  t.ok(numbers[0])
  t.same(numbers, [numbers[0], numbers[0], numbers[0]])
  t.equal((await queue.stats()).waiting, 1)
  t.equal((await queue.citizenAppeals({ kind: 'openid', value: OPENID })).length, 1)
})

t.test('a push with a wrong signature is refused with 401 and makes no appeal', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, textMessage(OPENID, '伪造的消息'), { query: signedQuery({}, 'not-the-token') })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'CH_ERR_BAD_SIGNATURE')
  t.equal(res.json().field, '/query/signature')
  t.equal((await queue.stats()).waiting, 0)
})

t.test('a push signed long ago is refused as stale', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const timestamp = String(Math.floor(Date.now() / 1000) - 3600)
  const query = { signature: wechatSignature(WX.token, timestamp, '42'), timestamp, nonce: '42' }
  const res = await push(app, textMessage(OPENID, '旧消息'), { query })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'CH_ERR_STALE_TIMESTAMP')
})

t.test('an encrypted push with a wrong msg_signature is refused with 401', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const res = await pushEncrypted(app, textMessage(OPENID, '篡改'), { badMsgSignature: true })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'CH_ERR_BAD_SIGNATURE')
  t.equal(res.json().field, '/query/msg_signature')
  t.equal((await queue.stats()).waiting, 0)
})

t.test('an encrypted push for another appid is refused', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const res = await pushEncrypted(app, textMessage(OPENID, '别的公众号'), { appId: 'wx0000000000000000' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'CH_ERR_WECHAT_DECRYPT_FAILED')
  t.match(res.json().message, /appid/)
  t.equal((await queue.stats()).waiting, 0)
})

t.test('XML with an external entity is refused and nothing is read from disk', async (t) => {
  const { app, queue } = await buildTestApp(t, { config: wechatConfig() })
  const dir = mkdtempSync(join(tmpdir(), 'xxe-'))
  const secret = join(dir, 'secret.txt')
  writeFileSync(secret, 'TOP-SECRET-MARKER')
  const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file://${secret}">]><xml><ToUserName><![CDATA[${WX.account}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&x;</Content><MsgId>1234567890123456</MsgId></xml>`
  const res = await push(app, xxe)
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'CH_ERR_XML_FORBIDDEN')
  t.notMatch(res.body, /TOP-SECRET/)
  const passwd = await push(app, xxe.replace(`file://${secret}`, 'file:///etc/passwd'))
  t.equal(passwd.json().code, 'CH_ERR_XML_FORBIDDEN')
  t.notMatch(passwd.body, /root:/)
  t.equal((await queue.stats()).waiting, 0)

  const inside = await pushEncrypted(app, xxe)
  t.equal(inside.json().code, 'CH_ERR_XML_FORBIDDEN', 'refused inside the encrypted payload too')
})

t.test('entity expansion (billion laughs) is refused at once', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  let decl = '<!ENTITY lol "lol">'
  for (let i = 1; i <= 9; i++) decl += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`
  const bomb = `<?xml version="1.0"?><!DOCTYPE xml [${decl}]><xml><Content>&lol9;</Content></xml>`
  const started = Date.now()
  const res = await push(app, bomb)
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'CH_ERR_XML_FORBIDDEN')
  t.ok(Date.now() - started < 1000, 'no expansion attempted')
})

t.test('a citizen typing "<!DOCTYPE" inside the text is not mistaken for a declaration', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, textMessage(OPENID, '网页上显示 <!DOCTYPE html> 打不开'))
  t.ok(appealNumberIn(replyContent(res.body)))
})

t.test('malformed XML is refused with 400 CH_ERR_XML_MALFORMED', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, '<xml><ToUserName>gh_1</ToUserName><Content>unclosed</xml>')
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'CH_ERR_XML_MALFORMED')
  const notWechat = await push(app, '<root>hello</root>')
  t.equal(notWechat.json().code, 'CH_ERR_XML_MALFORMED')
  const missing = await push(app, xmlOf({ ToUserName: WX.account, MsgType: 'text', Content: 'x', MsgId: '1' }))
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().field, '/xml/FromUserName')
})

t.test('a body over the channel limit is refused with 413 naming that limit', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig({ bodyLimitBytes: 4096 }) })
  const res = await push(app, textMessage(OPENID, '长'.repeat(5000)))
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'CH_ERR_BODY_TOO_LARGE')
  t.match(res.json().message, /4096/)
})

t.test('a JSON body is refused with 415', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig() })
  const res = await push(app, '{"a":1}', { contentType: 'application/json' })
  t.equal(res.statusCode, 415)
  t.equal(res.json().code, 'CH_ERR_UNSUPPORTED_MEDIA_TYPE')
})

t.test('a flood from one openid is limited with 429 while other citizens still get through', async (t) => {
  const { app } = await buildTestApp(t, { config: wechatConfig({ rateLimit: { max: 3, timeWindowMs: 60_000 } }) })
  const codes = []
  for (let i = 0; i < 5; i++) codes.push((await push(app, textMessage('oFlooder0001', `第${i}条`))).statusCode)
  t.same(codes, [200, 200, 200, 429, 429])
  const other = await push(app, textMessage('oQuietCitizen1', '我只发一条'))
  t.equal(other.statusCode, 200)
  t.ok(appealNumberIn(replyContent(other.body)))
})
