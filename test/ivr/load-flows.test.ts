import t from 'tap'
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkFlow } from '../../ivr/flow-schema.ts'
import { loadFlows } from '../../ivr/load-flows.ts'

const SHIPPED = 'config/ivr'

/** A flow folder holding the shipped flows plus the given files (a bad fixture, a changed holiday list). */
function flowDir(t: { teardown(fn: () => unknown): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ivr-flows-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const name of readdirSync(SHIPPED)) copyFileSync(join(SHIPPED, name), join(dir, name))
  for (const [name, from] of Object.entries(files)) copyFileSync(from, join(dir, name))
  return dir
}

t.test('the shipped flows load, with the holiday calendar and the prompt index', async (t) => {
  const ivr = loadFlows({ require: { '/voice/defaultFlow': 'default', '/voice/waiting/maxWaitFlow': 'overflow' } })
  t.same([...ivr.flows.keys()].sort(), ['by-hours', 'default', 'night', 'overflow'])
  t.ok(ivr.holidays.has('2026-10-01'), 'National Day is a holiday')
  t.notOk(ivr.holidays.has('2026-10-08'), 'the day after the golden week is not')
  t.equal(ivr.prompts['digits/7'], '七')
})

t.test('the default flow puts no menu before a person (GB/T 33358): answer, notice, welcome, queue', async (t) => {
  const { flows } = loadFlows()
  t.same(
    flows.get('default')!.steps.map((s) => s.type),
    ['answer', 'notice', 'play', 'enqueue'],
  )
})

t.test('loaded flows cannot be changed at run time', async (t) => {
  const { flows } = loadFlows()
  t.throws(() => {
    ;(flows.get('default')!.steps as unknown[]).push({ type: 'hangup' })
  })
  t.equal(flows.get('default')!.steps.length, 4)
})

const BAD: [file: string, path: string, why: RegExp][] = [
  ['unknown-step-type.json', '/ivr/unknown-step-type.json/steps/1/type', /unknown step type "menu"/],
  ['missing-prompt.json', '/ivr/missing-prompt.json/steps/2/prompt', /prompt "welcome_long" is not in/],
  ['goto-missing-flow.json', '/ivr/goto-missing-flow.json/steps/0/ifClosed', /no flow "nights"/],
  ['extra-property.json', '/ivr/extra-property.json/steps/1/volume', /Unexpected property/],
  ['wrong-type.json', '/ivr/wrong-type.json/steps/1/maxSeconds', /Expected integer/],
  ['no-ending-step.json', '/ivr/no-ending-step.json/steps/1', /runs out of steps/],
  ['step-after-end.json', '/ivr/step-after-end.json/steps/2', /no call reaches this step/],
  ['wrong-id.json', '/ivr/wrong-id.json/id', /must be "wrong-id"/],
  ['collect-min-above-max.json', '/ivr/collect-min-above-max.json/steps/0/min', /more than max/],
  ['only-loops.json', '/ivr/only-loops.json/steps', /never reaches an ending step/],
]

for (const [file, path, why] of BAD) {
  t.test(`a bad flow (${file}) stops startup with CFG_ERR_INVALID at ${path}`, async (t) => {
    const dir = flowDir(t, { [file]: join('test/ivr/fixtures/bad', file) })
    const err = catchError(() => loadFlows({ dir }))
    t.match(err, { code: 'CFG_ERR_INVALID', field: path })
    t.equal(err.message.split('\n').length, 1, 'one line for the operator, no stack trace in the message')
    t.match(err.message, `Invalid configuration at ${path}: `)
    t.match(err.message, why)
  })
}

t.test('play takes exactly one of prompt, file, tone', async (t) => {
  const flow = (play: object) => ({ id: 'x', description: 'x', steps: [{ type: 'play', ...play }, { type: 'enqueue' }] })
  t.match(catchError(() => checkFlow(flow({ prompt: 'welcome', file: '/srv/prompts/welcome.wav' }), '/ivr/x.json')), { code: 'CFG_ERR_INVALID', field: '/ivr/x.json/steps/0/file' })
  t.match(catchError(() => checkFlow(flow({}), '/ivr/x.json')), { code: 'CFG_ERR_INVALID', field: '/ivr/x.json/steps/0' })
  t.match(catchError(() => checkFlow(flow({ file: 'welcome.wav' }), '/ivr/x.json')), { code: 'CFG_ERR_INVALID', field: '/ivr/x.json/steps/0/file' })
  t.ok(checkFlow(flow({ tone: 'tone_stream://%(400,0,800)' }), '/ivr/x.json'))
})

t.test('a holiday that is not a calendar day is refused with its position', async (t) => {
  const dir = flowDir(t, {})
  writeFileSync(join(dir, 'holidays.json'), JSON.stringify(['2026-10-01', '2026-02-30']))
  t.match(catchError(() => loadFlows({ dir })), { code: 'CFG_ERR_INVALID', field: '/ivr/holidays.json/1' })
})

t.test('a flow the voice configuration names must exist', async (t) => {
  t.match(catchError(() => loadFlows({ require: { '/voice/flowByHotline/12319': 'urban' } })), {
    code: 'CFG_ERR_INVALID',
    field: '/voice/flowByHotline/12319',
  })
})

t.test('a flow file that is not JSON is a file error naming the file', async (t) => {
  const dir = flowDir(t, {})
  writeFileSync(join(dir, 'broken.json'), '{ "id": "broken", ')
  t.match(catchError(() => loadFlows({ dir })), { code: 'CFG_ERR_FILE', message: /broken\.json/ })
})

t.test('a prompt the rest of the configuration implies must be in the prompt index', async (t) => {
  t.match(catchError(() => loadFlows({ requirePrompts: { '/hotlines/3/notice': 'notice-99999' } })), {
    code: 'CFG_ERR_INVALID',
    field: '/hotlines/3/notice',
  })
})

function catchError(fn: () => unknown): Error & { code?: string; field?: string } {
  try {
    fn()
  } catch (err) {
    return err as Error & { code?: string; field?: string }
  }
  throw new Error('expected an error')
}
