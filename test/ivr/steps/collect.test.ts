import t from 'tap'
import { runIvr } from '../../../ivr/engine.ts'
import { flowsOf } from '../helpers/flows.ts'
import { promptFile, testCall } from '../helpers/recording-media.ts'

// An offer where a menu saves the caller time (GB/T 33358): 1 = call me back, 2 = status of an appeal.
const menu = flowsOf(
  {
    id: 'offer',
    steps: [
      { type: 'collect', prompt: 'callback_offer', invalidPrompt: 'invalid_input', min: 1, max: 1, tries: 2, timeoutMs: 5000, into: 'choice', cases: { '1': 'callback', '2': 'status' }, default: 'queue' },
    ],
  },
  { id: 'callback', steps: [{ type: 'set', priority: 2 }, { type: 'hangup', prompt: 'callback_registered' }] },
  {
    id: 'status',
    steps: [
      { type: 'collect', prompt: 'status_ask', min: 6, max: 15, tries: 3, timeoutMs: 8000, terminators: '#', into: 'appeal' },
      { type: 'say-digits', variable: 'appeal' },
      { type: 'enqueue' },
    ],
  },
  { id: 'queue', steps: [{ type: 'enqueue' }] },
)

t.test('pressing 1 jumps to the call-back flow', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  media.digits.push('1')
  const outcome = await runIvr(menu, 'offer', ctx)
  t.same(outcome, { kind: 'hangup' })
  t.same(media.ops, [`collect ${promptFile('callback_offer')} ^(?:1|2)$`, `play ${promptFile('callback_registered')}`, 'hangup'])
  t.equal(ctx.vars.choice, '1')
})

t.test('only the offered keys are valid input, so a wrong key is asked again by the media server', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  await runIvr(menu, 'offer', ctx)
  t.match(media.ops[0], / \^\(\?:1\|2\)\$$/)
})

t.test('no key (or no valid key) takes the default: the caller is queued', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  media.digits.push('')
  t.same(await runIvr(menu, 'offer', ctx), { kind: 'enqueue', request: {} })
  t.equal(media.ops.length, 1)
})

t.test('digits entered are spoken back one by one', async (t) => {
  const { ctx, media } = testCall({ answered: true })
  media.digits.push('2', '20261127')
  const outcome = await runIvr(menu, 'offer', ctx)
  t.equal(outcome.kind, 'enqueue')
  t.equal(ctx.vars.appeal, '20261127')
  t.same(
    media.ops.slice(2),
    [...'20261127'].map((d) => `play ${promptFile(`digits/${d}`)}`),
  )
})

t.test('a menu prompt that cannot be played falls through to the queue, it never drops the caller', async (t) => {
  const { ctx, media, logs } = testCall({ answered: true })
  media.missing.add(promptFile('callback_offer'))
  const f = flowsOf({ id: 'offer', steps: [{ type: 'collect', prompt: 'callback_offer', min: 1, max: 1, tries: 1, timeoutMs: 3000, into: 'choice', cases: { '1': 'offer' } }, { type: 'enqueue' }] })
  t.same(await runIvr(f, 'offer', ctx), { kind: 'enqueue', request: {} })
  t.match(logs.find((l) => l.code), { code: 'IVR_ERR_COLLECT_FAILED', cause: 'MEDIA_ERR_COMMAND' })
})
