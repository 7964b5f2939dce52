import t from 'tap'
import { runIvr } from '../../../ivr/engine.ts'
import { loadFlows } from '../../../ivr/load-flows.ts'
import { BEEP } from '../../../ivr/steps/record-message.ts'
import { HOTLINE_12319, promptFile, testCall } from '../helpers/recording-media.ts'

const { flows } = loadFlows()

t.test('at night the caller hears the instructions and a tone, and the message becomes an appeal', async (t) => {
  const { ctx, media } = testCall({ hotline: HOTLINE_12319 })
  const outcome = await runIvr(flows, 'night', ctx)
  t.same(media.ops, [
    'answer',
    `play ${promptFile('notice-12319')}`,
    `play ${promptFile('night_message')}`,
    `play ${BEEP}`,
    'record /recordings/message-call-1.wav 180',
  ])
  t.same(outcome, { kind: 'message', recordingPath: '/recordings/message-call-1.wav', request: {} })
})

t.test('a caller who hangs up instead of pressing # still leaves the message', async (t) => {
  const { ctx, media, hangUp } = testCall({ answered: true })
  media.long.add('record')
  const run = runIvr(flows, 'overflow', ctx)
  await media.started('record')
  hangUp()
  t.same(await run, { kind: 'message', recordingPath: '/recordings/message-call-1.wav', request: {} })
})

t.test('a caller who hangs up during the instructions left no message', async (t) => {
  const { ctx, media, hangUp } = testCall({ answered: true })
  media.long.add(promptFile('overflow_message'))
  const run = runIvr(flows, 'overflow', ctx)
  await media.started(`play ${promptFile('overflow_message')}`)
  hangUp()
  t.same(await run, { kind: 'caller-gone' })
  t.notOk(media.ops.some((op) => op.startsWith('record')))
})

t.test('a tone that does not play does not keep the caller from leaving a message', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  media.missing.add(BEEP)
  t.equal((await runIvr(flows, 'overflow', ctx)).kind, 'message')
})
