import t from 'tap'
import { runIvr } from '../../../ivr/engine.ts'
import { loadFlows } from '../../../ivr/load-flows.ts'
import { flowsOf } from '../helpers/flows.ts'
import { promptFile, testCall } from '../helpers/recording-media.ts'

const { flows, holidays } = loadFlows()

/** Where the by-hours example sends a caller at this moment: the welcome (open) or the message (closed). */
async function byHours(at: string, holidayList = [...holidays]): Promise<'open' | 'closed'> {
  const { ctx, media } = testCall({ at: new Date(at), holidays: holidayList })
  const outcome = await runIvr(flows, 'by-hours', ctx)
  if (outcome.kind === 'enqueue' && media.ops.includes(`play ${promptFile('welcome')}`)) return 'open'
  if (outcome.kind === 'message' && media.ops.includes(`play ${promptFile('night_message')}`)) return 'closed'
  throw new Error(`unexpected ${JSON.stringify(outcome)} ${media.ops.join(', ')}`)
}

t.test('on a working morning the caller is queued for an agent', async (t) => {
  t.equal(await byHours('2026-12-02T10:00:00+08:00'), 'open', 'Wednesday 10:00')
  t.equal(await byHours('2026-12-02T08:30:00+08:00'), 'open', 'from the first minute')
})

t.test('outside the hours the caller is asked to leave a message', async (t) => {
  t.equal(await byHours('2026-12-02T08:29:00+08:00'), 'closed', 'before opening')
  t.equal(await byHours('2026-12-02T12:30:00+08:00'), 'closed', 'lunch break')
  t.equal(await byHours('2026-12-02T17:30:00+08:00'), 'closed', 'closing minute is excluded')
  t.equal(await byHours('2026-12-02T23:00:00+08:00'), 'closed', 'night')
  t.equal(await byHours('2026-12-05T10:00:00+08:00'), 'closed', 'Saturday')
  t.equal(await byHours('2026-12-06T10:00:00+08:00'), 'closed', 'Sunday (ISO weekday 7)')
})

t.test('the hours are the centre\'s local time, whatever the clock\'s zone', async (t) => {
  t.equal(await byHours('2026-12-02T02:00:00Z'), 'open', '02:00 UTC is 10:00 in Shanghai')
  t.equal(await byHours('2026-12-01T23:00:00Z'), 'closed', '23:00 UTC Tuesday is 07:00 Wednesday in Shanghai')
})

t.test('on a holiday that falls on a weekday the line is closed', async (t) => {
  t.equal(await byHours('2026-10-01T10:00:00+08:00'), 'closed', 'National Day, a Thursday')
  t.equal(await byHours('2026-10-01T10:00:00+08:00', []), 'open', 'the same hour without the holiday calendar')
})

t.test('closedOnHolidays false keeps the hours on holidays', async (t) => {
  const steps = [{ type: 'branch-time', open: [{ days: [4], from: '09:00', to: '24:00' }], closedOnHolidays: false, ifOpen: 'open', ifClosed: 'closed' }]
  const f = flowsOf({ id: 'start', steps }, { id: 'open', steps: [{ type: 'set', skill: 'open' }, { type: 'enqueue' }] }, { id: 'closed', steps: [{ type: 'hangup' }] })
  const { ctx } = testCall({ at: new Date('2026-10-01T23:59:00+08:00'), holidays: ['2026-10-01'] })
  t.same(await runIvr(f, 'start', ctx), { kind: 'enqueue', request: { skill: 'open' } })
})
