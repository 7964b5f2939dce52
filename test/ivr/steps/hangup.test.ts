import t from 'tap'
import { runIvr } from '../../../ivr/engine.ts'
import { flowsOf } from '../helpers/flows.ts'
import { promptFile, testCall } from '../helpers/recording-media.ts'

const f = flowsOf({ id: 'bye', steps: [{ type: 'hangup', prompt: 'goodbye' }] })

t.test('hangup says goodbye, then ends the call', async (t) => {
  const { ctx, media } = testCall()
  t.same(await runIvr(f, 'bye', ctx), { kind: 'hangup' })
  t.same(media.ops, ['answer', `play ${promptFile('goodbye')}`, 'hangup'])
})

t.test('a goodbye that cannot be played does not end the call: the caller is queued', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  media.missing.add(promptFile('goodbye'))
  t.same(await runIvr(f, 'bye', ctx), { kind: 'enqueue', request: {} })
  t.notOk(media.ops.includes('hangup'))
})

t.test('set shapes what the queue is asked for', async (t) => {
  const { ctx } = testCall()
  const g = flowsOf({ id: 'elderly', steps: [{ type: 'set', skill: 'general', priority: 1, language: '粤语' }, { type: 'enqueue' }] })
  t.same(await runIvr(g, 'elderly', ctx), { kind: 'enqueue', request: { skill: 'general', priority: 1, language: '粤语' } })
})
