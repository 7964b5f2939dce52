import t from 'tap'
import { runIvr } from '../../ivr/engine.ts'
import { loadFlows } from '../../ivr/load-flows.ts'
import { flowsOf } from './helpers/flows.ts'
import { HOTLINE_12319, promptFile, testCall } from './helpers/recording-media.ts'

const { flows } = loadFlows()

t.test('a caller on 12345 is answered, hears the short welcome and is queued — no menu', async (t) => {
  const { ctx, media } = testCall()
  const outcome = await runIvr(flows, 'default', ctx)
  t.same(media.ops, ['answer', `play ${promptFile('welcome')}`])
  t.same(outcome, { kind: 'enqueue', request: {} })
})

t.test('a caller on the cancelled 12319 first hears that it is now part of 12345', async (t) => {
  const { ctx, media } = testCall({ hotline: HOTLINE_12319 })
  const outcome = await runIvr(flows, 'default', ctx)
  t.same(media.ops, ['answer', `play ${promptFile('notice-12319')}`, `play ${promptFile('welcome')}`])
  t.equal(outcome.kind, 'enqueue')
})

t.test('a caller on 12315, kept in parallel (双号并行), hears no notice', async (t) => {
  const { ctx, media } = testCall({ hotline: { ...HOTLINE_12319, number: '12315', skill: 'market', status: 'parallel', noticePrompt: undefined } })
  await runIvr(flows, 'default', ctx)
  t.same(media.ops, ['answer', `play ${promptFile('welcome')}`])
})

t.test('a caller who hangs up during the welcome is gone: the prompt is stopped and nothing else happens', async (t) => {
  const { ctx, media, hangUp } = testCall()
  media.long.add(promptFile('welcome'))
  const run = runIvr(flows, 'default', ctx)
  await media.started(`play ${promptFile('welcome')}`)
  hangUp()
  t.same(await run, { kind: 'caller-gone' })
  t.same(media.ops, ['answer', `play ${promptFile('welcome')}`, 'stop-media'], 'the step was stopped; no queue, no further media')
})

t.test('a prompt file missing on the media server does not drop the caller: logged once, still queued', async (t) => {
  const { ctx, media, logs } = testCall()
  media.missing.add(promptFile('welcome'))
  const outcome = await runIvr(flows, 'default', ctx)
  t.same(outcome, { kind: 'enqueue', request: {} })
  const failures = logs.filter((l) => String(l.code).startsWith('IVR_ERR_'))
  t.equal(failures.length, 1, 'one log line for the failure')
  t.match(failures[0], { level: 50, flow: 'default', step: 2, type: 'play', code: 'IVR_ERR_PROMPT_FAILED', cause: 'MEDIA_ERR_COMMAND', err: { message: /welcome/ } })
})

t.test('when a failed step was the one that ended the flow, the caller is queued instead', async (t) => {
  const { ctx, media } = testCall()
  media.missing.add(promptFile('night_message'))
  const outcome = await runIvr(flows, 'night', ctx)
  t.same(outcome, { kind: 'enqueue', request: {} })
  t.notOk(media.ops.some((op) => op.startsWith('record')), 'no silent recording without its instructions')
})

t.test('the engine answers before the first step that needs an answered channel', async (t) => {
  const { ctx, media } = testCall()
  const outcome = await runIvr(flowsOf({ id: 'short', steps: [{ type: 'set', skill: 'urban' }, { type: 'play', tone: 'tone_stream://%(200,0,600)' }, { type: 'enqueue' }] }), 'short', ctx)
  t.same(media.ops, ['answer', 'play tone_stream://%(200,0,600)'])
  t.same(outcome, { kind: 'enqueue', request: { skill: 'urban' } })
})

t.test('a call the dialplan already answered is not answered again', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  await runIvr(flows, 'default', ctx)
  t.same(media.ops, [`play ${promptFile('welcome')}`])
})

t.test('flows that jump round in a circle stop after 20 jumps and the caller is queued', async (t) => {
  const { ctx, media, logs } = testCall()
  const menu = { type: 'collect', prompt: 'callback_offer', min: 1, max: 1, tries: 1, timeoutMs: 3000, into: 'choice', default: 'b' }
  const loop = flowsOf({ id: 'a', steps: [{ ...menu, default: 'b' }] }, { id: 'b', steps: [{ ...menu, default: 'a' }] })
  const outcome = await runIvr(loop, 'a', ctx)
  t.same(outcome, { kind: 'enqueue', request: {} })
  t.equal(media.ops.filter((op) => op.startsWith('collect')).length, 21, 'the first flow and 20 jumps')
  t.equal(logs.filter((l) => l.code === 'IVR_ERR_TOO_MANY_JUMPS').length, 1)
})

t.test('a start flow that is not loaded still queues the caller', async (t) => {
  const { ctx, logs } = testCall()
  t.same(await runIvr(flows, 'no-such-flow', ctx), { kind: 'enqueue', request: {} })
  t.ok(logs.some((l) => l.code === 'IVR_ERR_UNKNOWN_FLOW'))
})

t.test('a caller who hung up before the IVR started gets nothing played', async (t) => {
  const { ctx, media, hangUp } = testCall()
  hangUp()
  t.same(await runIvr(flows, 'default', ctx), { kind: 'caller-gone' })
  t.same(media.ops, [])
})
