import t from 'tap'
import { buildTestApp, staffHeaders } from './helpers/app.ts'
import { maskSensitive } from '../gateway/log.ts'

t.test('no log line carries a full phone number, ID-card number, name, address or the appeal text', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const payload = {
    citizen: { phone: '13812345678', name: '赵建国' },
    content: '我身份证号是620102198001011234，电话13812345678，家住和平路88号，暖气不热',
    location: { address: '城关区和平路88号3单元' },
  }
  const res = await app.inject({ method: 'POST', url: '/v1/channels/web/appeals', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
  t.equal(res.statusCode, 202)
  await app.inject({ method: 'GET', url: '/v1/citizens/13812345678/appeals', headers: staffHeaders })
  await app.inject({ method: 'POST', url: '/v1/channels/web/appeals', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ ...payload, citizen: { phone: '123' } }) })
  const text = logs.map((l) => JSON.stringify(l)).join('\n')
  t.ok(logs.length >= 6, 'requests were logged')
  t.notMatch(text, /13812345678/, 'no full phone number')
  t.notMatch(text, /620102198001011234/, 'no ID-card number')
  t.notMatch(text, /赵建国/, 'no name')
  t.notMatch(text, /和平路88号/, 'no address')
  t.notMatch(text, /暖气不热/, 'no appeal text')
  t.match(text, /138\*\*\*\*5678/, 'the history URL is logged masked')
  t.ok(logs.some((l) => l.msg === 'appeal accepted' && typeof l.appealNumber === 'string'), 'acceptance is logged with the appeal number')
  t.ok(logs.some((l) => l.msg === 'request rejected' && l.code === 'CH_ERR_INVALID_PHONE' && l.level === 30), 'a rejection is an info line with its code')
  t.ok(logs.every((l) => typeof l.reqId === 'string' || l.reqId === undefined), 'request lines carry the request id')
})

t.test('masking keeps enough digits to tell numbers apart', async (t) => {
  t.equal(maskSensitive('call 13912345678 now'), 'call 139****5678 now')
  t.equal(maskSensitive('id 62010219800101123X'), 'id 620102********123X')
  t.equal(maskSensitive('tel 0931-8812345'), 'tel 0931-****2345')
  t.equal(maskSensitive('appeal 20261127-000123'), 'appeal 20261127-000123', 'appeal numbers are not phone numbers')
})
