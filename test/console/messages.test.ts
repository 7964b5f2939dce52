import t from 'tap'
import { consoleApp, type ConsoleTestApp } from './helpers/console-app.ts'
import { TestClient } from './helpers/ws-client.ts'

const logged = (logs: Record<string, unknown>[], code: string) => logs.some((l) => l.code === code)

async function agent(c: ConsoleTestApp, id: string, role: 'agent' | 'supervisor' = 'agent') {
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token(id, role)}`] })
  await ws.type('welcome')
  return ws
}


t.test('malformed, wrongly versioned, unknown and invalid messages get coded errors; the socket stays open', async (t) => {
  const c = await consoleApp(t)
  const ws = await agent(c, '1001')
  ws.sendRaw('{not json')
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_MALFORMED' })
  ws.sendRaw('[1,2]')
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_MALFORMED' })
  ws.sendRaw(Buffer.from([1, 2, 3]))
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_MALFORMED' })
  ws.sendRaw(JSON.stringify({ v: 2, type: 'state.set', id: 'x1', state: 'ready' }))
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_UNSUPPORTED_VERSION', re: 'x1', field: '/v' })
  t.match(await ws.request('agent.fly'), { code: 'CONSOLE_ERR_UNKNOWN_TYPE', field: '/type' })
  t.match(await ws.request('state.set', { state: 'asleep' }), { code: 'CONSOLE_ERR_INVALID_MESSAGE', field: '/state' })
  t.match(await ws.request('state.set', { state: 'ready', extra: 1 }), { code: 'CONSOLE_ERR_INVALID_MESSAGE' })
  t.match(await ws.request('state.set', { state: 'not-ready' }), { code: 'CONSOLE_ERR_INVALID_MESSAGE', field: '/reason' })
  t.ok(logged(c.logs, 'CONSOLE_ERR_UNKNOWN_TYPE'), 'refusals are logged')
  t.match(await ws.request('state.set', { state: 'ready' }), { type: 'ack', for: 'state.set', status: { state: 'ready' } })
  t.equal(ws.closed, undefined)
  ws.close()
})

t.test('an oversize message gets CONSOLE_ERR_TOO_LARGE; one past the hard limit closes 1009; the server lives on', async (t) => {
  const c = await consoleApp(t, { console: { maxMessageBytes: 2048 } })
  const ws = await agent(c, '1001')
  ws.sendRaw(JSON.stringify({ v: 1, type: 'state.set', id: 'big', state: 'ready', pad: 'x'.repeat(3000) }))
  t.match(await ws.type('error'), { code: 'CONSOLE_ERR_TOO_LARGE' })
  t.equal(ws.closed, undefined, 'above the soft limit the socket stays')
  ws.sendRaw('x'.repeat(2048 * 4 + 10))
  t.equal((await ws.whenClosed()).code, 1009)
  t.ok(logged(c.logs, 'CONSOLE_ERR_TOO_LARGE'))
  const again = await agent(c, '1002')
  t.match(await again.request('state.set', { state: 'ready' }), { type: 'ack' })
  again.close()
})

t.test('call control answers CONSOLE_ERR_VOICE_NOT_CONNECTED for every action', async (t) => {
  const c = await consoleApp(t)
  const ws = await agent(c, '1001')
  const calls: [string, Record<string, unknown>][] = [
    ['call.answer', {}],
    ['call.hangup', {}],
    ['call.hold', { on: true }],
    ['call.mute', { on: true }],
    ['call.dtmf', { digits: '1#' }],
    ['call.transfer', { target: { number: '110' } }],
    ['call.conference', { target: { number: '120' } }],
  ]
  for (const [type, body] of calls) {
    t.match(await ws.request(type, body), { type: 'error', code: 'CONSOLE_ERR_VOICE_NOT_CONNECTED' }, type)
  }
  ws.close()
})

t.test('an agent cannot accept another agent\'s offer nor read an appeal never offered to them', async (t) => {
  const c = await consoleApp(t)
  const a = await agent(c, '1001')
  const b = await agent(c, '1002')
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('小区门口路灯坏了一个星期')
  const offer = await a.type('offer')
  const offerId = (offer.offer as { offerId: string }).offerId
  t.match(offer, { appeal: { id, content: '小区门口路灯坏了一个星期' } }, 'the offered agent sees the appeal')

  t.match(await b.request('offer.accept', { offerId }), { type: 'error', code: 'CONSOLE_ERR_NOT_FOUND', field: '/offerId' })
  t.match(await b.request('offer.decline', { offerId }), { type: 'error', code: 'CONSOLE_ERR_NOT_FOUND' })
  t.ok(logged(c.logs, 'CONSOLE_ERR_NOT_FOUND'), 'the refused accept is logged')
  t.match(await b.request('appeal.get', { appealId: id }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' })
  t.ok(logged(c.logs, 'CONSOLE_ERR_FORBIDDEN'), 'the refusal is logged')
  t.notOk(b.frames.some((f) => JSON.stringify(f).includes(id)), 'the other console never received that appeal')

  t.match(await a.request('offer.accept', { offerId }), { type: 'ack', appeal: { id } })
  t.match(await a.request('appeal.get', { appealId: id }), { type: 'ack', appeal: { id } })
  a.close()
  b.close()
})

t.test('the supervisor may set an agent\'s state; an agent may not', async (t) => {
  const c = await consoleApp(t)
  const a = await agent(c, '1001')
  const sup = await agent(c, '9001', 'supervisor')
  t.match(await a.request('agent.set-state', { agentId: '1002', state: 'ready' }), { code: 'CONSOLE_ERR_FORBIDDEN' })
  t.match(await sup.request('agent.set-state', { agentId: '1001', state: 'not-ready', reason: '会议' }), { type: 'ack' })
  t.match(await a.type('status'), { status: { state: 'not-ready', reason: '会议' } }, 'the agent\'s console follows')
  a.close()
  sup.close()
})

t.test('an agent transfers a held appeal to another agent, who gets the offer; ACD refusals keep their codes', async (t) => {
  const c = await consoleApp(t)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal('需要转给李强处理的诉求')
  const offer = await a.type('offer')
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  const b = await agent(c, '1002')
  await b.request('state.set', { state: 'ready' })

  t.match(await a.request('appeal.transfer', { appealId: id, target: { agentId: '7777' } }), {
    type: 'error',
    code: 'ACD_ERR_UNKNOWN_AGENT',
    field: '/agentId',
  })
  t.match(await a.request('appeal.transfer', { appealId: id, target: { agentId: '1002' } }), { type: 'ack', for: 'appeal.transfer' })
  t.match(await b.type('offer'), { offer: { agentId: '1002', appealId: id }, appeal: { content: '需要转给李强处理的诉求' } })
  t.match(await a.request('appeal.get', { appealId: id }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' }, 'the first agent no longer reads it')
  a.close()
  b.close()
})

t.test('a complete with a disposition code not in config is refused before the ACD sees it', async (t) => {
  const c = await consoleApp(t)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  const id = await c.webAppeal()
  const offer = await a.type('offer')
  await a.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  t.match(await a.request('appeal.complete', { appealId: id, record: { disposition: 'made-up' } }), {
    code: 'CONSOLE_ERR_INVALID_MESSAGE',
    field: '/record/disposition',
  })
  t.match(await a.request('appeal.complete', { appealId: id, record: { disposition: 'resolved-on-line', category: '咨询' } }), {
    type: 'ack',
    appeal: { id, status: 'completed' },
  })
  t.ok(await a.next((f) => f.type === 'status' && (f.status as { state: string }).state === 'wrap-up'), 'the agent is in wrap-up')
  a.close()
})

t.test('a supervisor takes back what an agent holds: each appeal waits again at its place and goes to the next agent', async (t) => {
  const c = await consoleApp(t)
  const a = await agent(c, '1001')
  await a.request('state.set', { state: 'ready' })
  const first = await c.webAppeal('第一件：井盖缺失')
  await a.request('offer.accept', { offerId: ((await a.type('offer')).offer as { offerId: string }).offerId })
  const second = await c.webAppeal('第二件：路灯不亮')
  await a.request('offer.accept', { offerId: ((await a.type('offer')).offer as { offerId: string }).offerId })
  const sup = await agent(c, '9001', 'supervisor')

  t.match(await a.request('agent.reclaim', { agentId: '1002' }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' }, 'agents may not')
  t.match(await sup.request('agent.reclaim', { agentId: '7777' }), { type: 'error', code: 'ACD_ERR_UNKNOWN_AGENT', field: '/agentId' })
  const ack = await sup.request('agent.reclaim', { agentId: '1001' })
  t.same((ack.reclaimed as string[]).sort(), [first, second].sort())
  for (const id of [first, second]) t.ok(await a.next((f) => f.type === 'appeal.released' && f.appealId === id), `the agent's console lets go of ${id}`)
  t.match(await c.stack.acd.status('1001'), { state: 'offline', appealIds: [] }, 'the agent is signed out of the ACD (no wrap-up), so nothing comes straight back to them')
  t.match((await c.stack.acd.stateLog('1001', new Date().toLocaleDateString('sv-SE', { timeZone: c.config.timezone }))).at(-1), { state: 'offline', by: '9001' }, 'the log says who')
  t.match(await c.queue.get(first), { status: 'queued' })

  const b = await agent(c, '1002')
  await b.request('state.set', { state: 'ready' })
  const offered = await b.type('offer')
  t.match(offered, { offer: { appealId: first } }, 'the older appeal first: it kept its place')
  t.match(await a.request('appeal.get', { appealId: first }), { type: 'error', code: 'CONSOLE_ERR_FORBIDDEN' }, 'the first agent no longer reads it')
  a.close()
  b.close()
  sup.close()
})
