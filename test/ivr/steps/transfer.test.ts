import t from 'tap'
import { runIvr } from '../../../ivr/engine.ts'
import { flowsOf } from '../helpers/flows.ts'
import { promptFile, testCall } from '../helpers/recording-media.ts'

const f = flowsOf({ id: 'to-12315', steps: [{ type: 'play', prompt: 'transfer_wait' }, { type: 'transfer', number: '12315' }] })

t.test('the IVR ends when the outside number answers, not when that conversation ends', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  const outcome = await runIvr(f, 'to-12315', ctx)
  t.same(outcome, { kind: 'transferred', target: '12315' })
  t.same(media.ops, [`play ${promptFile('transfer_wait')}`, 'transfer sofia/carrier/12315@carrier.example'])
})

t.test('an outside number that does not answer leaves the caller with us: queued, logged as a warning', async (t) => {
  const { ctx, media, logs } = testCall({ answered: true })
  media.transferAnswer = 'no-answer'
  t.same(await runIvr(f, 'to-12315', ctx), { kind: 'enqueue', request: {} })
  t.match(logs.find((l) => l.code), { level: 40, code: 'IVR_ERR_TRANSFER_FAILED', cause: 'MEDIA_ERR_COMMAND', type: 'transfer' })
})
