import t from 'tap'
import { pino } from 'pino'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { EMERGENCY_HANDLERS, type EmergencyContext } from '../../agent-console/server/emergency-handlers.ts'
import { EMERGENCY_MESSAGES } from '../../agent-console/server/emergency-messages.ts'
import { handoffNotice, pushHandoffUpdates } from '../../agent-console/server/emergency-push.ts'
import type { HandlerContext } from '../../agent-console/server/handlers.ts'
import { PROTOCOL_VERSION } from '../../agent-console/server/messages.ts'
import type { ConsoleSession } from '../../agent-console/server/session.ts'
import { SessionRegistry } from '../../agent-console/server/session-registry.ts'
import { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import { emergencyApp, type EmergencyTestApp } from '../emergency/helpers/emergency-app.ts'

const quiet = pino({ level: 'silent' })

/** A console session as the handlers see it (who is asking, where to log). */
function session(agentId: string): ConsoleSession {
  return { agentId, log: quiet, surface: 'console', id: `cs_${agentId}` } as unknown as ConsoleSession
}

function ctxOf(e: EmergencyTestApp, desk = e.emergency.desk): HandlerContext & EmergencyContext {
  return { acd: e.stack!.acd, queue: e.queue, emergency: desk } as unknown as HandlerContext & EmergencyContext
}

/** A web appeal offered to agent 1001 (ready; 1002 is offline) and accepted: 1001 holds it. */
async function offered(e: EmergencyTestApp, content: string): Promise<string> {
  const acd = e.stack!.acd
  if ((await acd.status('1001')).state === 'offline') await acd.setState('1001', 'ready')
  const appealId = await e.webAppeal(content)
  for (let i = 0; i < 100 && (await acd.status('1001')).offer?.appealId !== appealId; i++) await new Promise((r) => setTimeout(r, 20))
  await acd.accept('1001', (await acd.status('1001')).offer!.offerId)
  return appealId
}

t.test('the message schemas: protocol version 1, partners by number, extra fields refused', async (t) => {
  const check = TypeCompiler.Compile(EMERGENCY_MESSAGES['emergency.escalate'])
  const appealId = 'ap_AbCdEfGhIjKlMnOpQrStUvWx'
  t.ok(check.Check({ v: PROTOCOL_VERSION, type: 'emergency.escalate', id: 'r1', appealId, partner: '119' }))
  t.notOk(check.Check({ v: 1, type: 'emergency.escalate', appealId, partner: '911' }), 'only 110, 119, 120, 122')
  t.notOk(check.Check({ v: 1, type: 'emergency.escalate', appealId, partner: '110', how: 'one-key' }), 'no extra field')
  t.ok(TypeCompiler.Compile(EMERGENCY_MESSAGES['emergency.suggest']).Check({ v: 1, type: 'emergency.suggest', appealId, summary: '邻居家着火了' }))
  t.same(Object.keys(EMERGENCY_HANDLERS).sort(), Object.keys(EMERGENCY_MESSAGES).sort(), 'one handler per message')
})

t.test('an agent gets the suggested partner, escalates a written appeal, and reads its handoffs', async (t) => {
  const e = await emergencyApp(t, { acd: true })
  const appealId = await offered(e, '小区地下车库有燃气泄漏的味道，很浓，好像是管道漏气')
  const ctx = ctxOf(e)
  const me = session('1001')

  const { suggestion } = await EMERGENCY_HANDLERS['emergency.suggest'](me, { v: 1, type: 'emergency.suggest', appealId }, ctx)
  t.match(suggestion, { partner: '119', name: '消防119', item: '燃气泄漏' })
  const withSummary = await EMERGENCY_HANDLERS['emergency.suggest'](me, { v: 1, type: 'emergency.suggest', appealId: await offered(e, '咨询一下小区的事'), summary: '来电人说邻居晕倒了，叫不醒' }, ctx)
  t.match(withSummary.suggestion, { partner: '120' }, "the agent's summary so far counts")

  const { record } = await EMERGENCY_HANDLERS['emergency.escalate'](me, { v: 1, type: 'emergency.escalate', appealId, partner: '119' }, ctx)
  t.match(record, { appealId, partner: '119', how: 'record-only', status: 'pending', agent: { id: '1001', name: '王芳' } })
  const { records, partnerRecord } = await EMERGENCY_HANDLERS['emergency.records'](me, { v: 1, type: 'emergency.records', appealId }, ctx)
  t.same((records as { id: string }[]).map((r) => r.id), [(record as { id: string }).id])
  t.equal(partnerRecord, null, 'a web appeal came from no partner')
})

t.test('only for an appeal offered to or held by the agent; an unconfigured partner is refused with the field', async (t) => {
  const e = await emergencyApp(t, { acd: true, partnerIds: ['110', '119', '120'] })
  const appealId = await offered(e, '路口两车追尾了')
  const ctx = ctxOf(e)
  await t.rejects(EMERGENCY_HANDLERS['emergency.escalate'](session('1002'), { v: 1, type: 'emergency.escalate', appealId, partner: '110' }, ctx), { code: 'CONSOLE_ERR_FORBIDDEN', field: '/appealId' })
  await t.rejects(EMERGENCY_HANDLERS['emergency.records'](session('1002'), { v: 1, type: 'emergency.records', appealId }, ctx), { code: 'CONSOLE_ERR_FORBIDDEN' })
  await t.rejects(EMERGENCY_HANDLERS['emergency.escalate'](session('1001'), { v: 1, type: 'emergency.escalate', appealId, partner: '122' }, ctx), { code: 'CONSOLE_ERR_INVALID_MESSAGE', field: '/partner' })
  t.same(await e.emergency.desk.records(appealId), [], 'nothing was handed over')
  const noDesk = { ...ctx, emergency: undefined }
  await t.rejects(EMERGENCY_HANDLERS['emergency.suggest'](session('1001'), { v: 1, type: 'emergency.suggest', appealId }, noDesk), { code: 'CONSOLE_ERR_NOT_FOUND' })
})

t.test('every change of a record reaches the consoles of its agent and of the holder as handoff.updated', async (t) => {
  const e = await emergencyApp(t, { acd: true })
  const registry = new SessionRegistry(e.redis, e.prefix, quiet, () => {})
  const push = pushHandoffUpdates(registry, e.stack!.acd, quiet)
  await registry.start()
  t.teardown(async () => {
    await push.close()
    await registry.close()
  })
  const frames: { agentId: string; type: string; body: Record<string, any> }[] = []
  const consoleOf = (agentId: string) =>
    ({ ...session(agentId), send: (type: string, body: Record<string, any>) => frames.push({ agentId, type, body }) }) as unknown as ConsoleSession
  await registry.add(consoleOf('1001'))
  await registry.add(consoleOf('1002'))
  // As main.ts wires it: the desk publishes every change, every process pushes to its consoles.
  const desk = new EmergencyDesk({ config: e.config, redis: e.redis, queue: e.queue, onChange: handoffNotice(e.redis, e.prefix) })
  const appealId = await offered(e, '有人在楼道里打架')

  const record = await desk.escalate(appealId, '110', '1001')
  for (let i = 0; i < 100 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
  t.match(frames, [{ agentId: '1001', type: 'handoff.updated', body: { appealId, record: { id: record.id, status: 'pending' } } }], 'to the agent who holds it and made it; not to 1002')

  await desk.answer(record.link.split('/').pop()!, 'received')
  for (let i = 0; i < 100 && frames.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
  t.match(frames[1], { agentId: '1001', type: 'handoff.updated', body: { record: { status: 'acknowledged', answer: 'received' } } }, 'the dispatcher’s 已接收 reaches the agent')
})
