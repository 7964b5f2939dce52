import t from 'tap'
import { consoleApp, DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { TestClient } from '../console/helpers/ws-client.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

const kpi = (id: string) => `[data-testid=kpi-${id}]`

t.test('the wallboard shows the GB/T 33358 figures for the day’s calls: 接通率 (marked under 95 %), 15秒接通率, 放弃率', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const wall = await newPage(browser)
  await login(wall, c.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector(kpi('answer-rate'))
  t.equal(await wall.textContent(kpi('answer-rate')), '—', 'no call has ended yet: a dash, not 0 %')

  // One call answered at once; one caller hangs up after a second in the queue (a short abandon).
  const agent = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token('1001')}`] })
  t.teardown(() => agent.close())
  await agent.type('welcome')
  await agent.request('state.set', { state: 'ready' })
  const call = (n: string) => c.queue.submit({ channel: 'voice', externalId: `call-${n}`, origin: '12345', draft: { citizen: { phone: `1390000000${n}` }, content: `来电${n}：咨询社保转移` } })
  const answered = await call('1')
  const offer = await agent.type('offer')
  await agent.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  const hungUp = await call('2')
  t.ok(await c.stack.acd.abandon(hungUp.appeal.id), 'the second caller hung up while waiting')
  t.match(await c.stack.acd.status('1001'), { appealIds: [answered.appeal.id] }, 'the first call is with the agent')

  await wall.waitForSelector(`${kpi('answer-rate')}:text("50.0%")`, { timeout: 5000 })
  t.ok(await wall.$eval(kpi('answer-rate'), (e) => e.parentElement!.classList.contains('warn')), '接通率 under 95 % is marked')
  t.equal(await wall.textContent(kpi('sl15')), '100.0%', '15秒接通率: the short abandon is left out (SL2 without misdials)')
  t.equal(await wall.textContent(kpi('abandon')), '0.0%', '放弃率 leaves short abandons out too')
  const labels = await wall.$$eval('.kpi-label', (els) => els.map((e) => e.textContent))
  for (const label of [T.wallboard.answerRate, T.wallboard.answeredWithin15s, T.wallboard.abandonRate, T.wallboard.writtenWithin3min, T.wallboard.aht]) {
    t.ok(labels.includes(label), `tile ${label}`)
  }
  await screenshot(wall, 'wallboard-calls')
})
