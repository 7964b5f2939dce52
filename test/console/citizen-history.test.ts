import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'
import { staffHeaders } from '../helpers/app.ts'

const PHONE = '13712345678'

async function held(t: { teardown(fn: () => unknown): void }) {
  const c = await consoleApp(t)
  await c.pastAppeal({ channel: 'voice', origin: '12315', draft: { citizen: { phone: PHONE }, content: '之前的来电' } })
  const token = await c.token('1001')
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${token}`] })
  await ws.type('welcome')
  await ws.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('路灯坏了', PHONE)
  const offer = await ws.type('offer')
  const { offerId } = offer.offer as { offerId: string }
  await ws.request('offer.accept', { offerId })
  t.teardown(() => ws.close())
  return { c, id, token }
}

t.test("an agent reads the history of the citizen whose appeal they hold", async (t) => {
  const { c, id, token } = await held(t)
  const res = await c.app.inject({ url: `/v1/citizens/${PHONE}/appeals?appealId=${id}`, headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 200)
  t.same((res.json() as { appeals: { content: string }[] }).appeals.map((a) => a.content), ['路灯坏了', '之前的来电'])
})

t.test("an agent cannot read another citizen's history, nor any without naming a held appeal", async (t) => {
  const { c, id, token } = await held(t)
  const auth = { authorization: `Bearer ${token}` }
  const other = await c.app.inject({ url: `/v1/citizens/13600000000/appeals?appealId=${id}`, headers: auth })
  t.match(other.json(), { statusCode: 403, code: 'GW_ERR_FORBIDDEN', field: '/querystring/appealId' })
  const none = await c.app.inject({ url: `/v1/citizens/${PHONE}/appeals`, headers: auth })
  t.match(none.json(), { statusCode: 403, code: 'GW_ERR_FORBIDDEN' })
  const stranger = await c.app.inject({ url: `/v1/citizens/${PHONE}/appeals?appealId=${id}`, headers: { authorization: `Bearer ${await c.token('1002')}` } })
  t.match(stranger.json(), { statusCode: 403, code: 'GW_ERR_FORBIDDEN' }, 'an agent who was never offered it')
  const forged = await c.app.inject({ url: `/v1/citizens/${PHONE}/appeals?appealId=${id}`, headers: { authorization: 'Bearer aaa.bbb.ccc' } })
  t.equal(forged.statusCode, 401)
})

t.test('staff tokens still read any citizen history', async (t) => {
  const { c } = await held(t)
  const res = await c.app.inject({ url: `/v1/citizens/${PHONE}/appeals`, headers: staffHeaders })
  t.equal(res.statusCode, 200)
  t.equal((res.json() as { appeals: unknown[] }).appeals.length, 2)
})
