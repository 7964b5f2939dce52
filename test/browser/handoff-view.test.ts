import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { H } from '../../agent-console/web/handoff-zh.js'
import { launch, screenshot } from './helpers/browser.ts'
import { emergencyApp, movableClock } from '../emergency/helpers/emergency-app.ts'

/** A dispatcher's phone: 390 x 844 CSS pixels, touch, Chinese. */
async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  const page = await context.newPage()
  page.on('pageerror', (err) => {
    throw err
  })
  return page
}

const pathOf = (link: string) => new URL(link).pathname

t.test('a dispatcher opens the link on a phone, reads the record in Chinese and returns it to 12345 with a reason', async (t) => {
  const e = await emergencyApp(t, { listen: true })
  const appealId = await e.webAppeal('楼上装修噪音很大，还有人吵架，听起来像要打起来了', '13812345678')
  const appeal = (await e.queue.get(appealId))!
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '110', how: 'one-key', agentId: '1001', summary: '楼上有人吵架，来电人担心会打起来', item: '打架斗殴' })
  const browser = await launch(t)
  const page = await phonePage(browser)

  await page.goto(`${e.url}${pathOf(record.link)}`)
  await page.waitForSelector('[data-testid=record]')
  t.equal(await page.textContent('[data-testid=status]'), H.status.pending, '待接收')
  const text = (await page.textContent('[data-testid=record]'))!
  t.match(text, H.partnerLine('公安110'))
  t.match(text, appeal.appealNumber, 'the reference (appeal number)')
  t.match(text, H.how['one-key'])
  t.match(text, '楼上有人吵架，来电人担心会打起来')
  t.match(text, '幸福路12号')
  t.match(text, '王芳（1001）', 'the agent who handed it over')
  t.equal(await page.textContent('[data-testid=caller]'), '13812345678', 'the caller number in full: dispatchers call back')
  t.equal(await page.getAttribute('a.call', 'href'), 'tel:13812345678')
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing runs off a phone screen')
  await screenshot(page, 'handoff-dispatcher-phone')

  const returned = e.nextChange((r) => r.status === 'returned', 'the return published to the console')
  await page.tap('[data-testid=answer-return]')
  await page.tap('[data-testid=confirm-return]')
  await page.waitForSelector(`[data-testid=answer-error]:has-text("${H.answer.reasonRequired}")`)
  await page.fill('[data-testid=return-reason]', '经现场核实为装修噪音纠纷，不属于治安案件')
  await page.tap('[data-testid=confirm-return]')
  await page.waitForSelector('[data-testid=outcome]')
  t.equal(await page.textContent('[data-testid=outcome]'), H.answer.doneReturned('经现场核实为装修噪音纠纷，不属于治安案件'))
  t.equal(await page.textContent('[data-testid=status]'), H.status.returned)
  t.match(await page.textContent('[data-testid=history]'), H.history.returned)
  await screenshot(page, 'handoff-dispatcher-returned')

  t.equal((await returned).id, record.id)
  const [onAppeal] = await e.emergency.desk.records(appealId)
  t.match(onAppeal, { status: 'returned', answer: 'returned', reason: '经现场核实为装修噪音纠纷，不属于治安案件', answeredBy: 'dispatcher:110' }, "the answer is on the appeal's history")
  t.equal(onAppeal.history.at(-1)!.event, 'returned')
})

t.test('已接收 on the phone acknowledges the record', async (t) => {
  const e = await emergencyApp(t, { listen: true })
  const appealId = await e.webAppeal('家里燃气泄漏，煤气味很重', '13912345678')
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '119', how: 'three-party', agentId: '1002' })
  const browser = await launch(t)
  const page = await phonePage(browser)
  await page.goto(`${e.url}${pathOf(record.link)}`)
  await page.tap('[data-testid=answer-received]')
  await page.waitForSelector('[data-testid=outcome]')
  t.equal(await page.textContent('[data-testid=outcome]'), H.answer.doneReceived)
  t.equal(await page.textContent('[data-testid=status]'), H.status.acknowledged)
  t.equal((await e.emergency.desk.get(record.id))!.status, 'acknowledged')
})

t.test('an expired link shows the Chinese expiry message; a wrong one says it is not valid', async (t) => {
  const clock = movableClock()
  const e = await emergencyApp(t, { listen: true, clock: clock.now })
  const appealId = await e.webAppeal()
  const { record } = await e.emergency.desk.handOff({ appealId, partner: '120', how: 'one-key', agentId: '1001' })
  clock.advance(73 * 3600_000)
  const browser = await launch(t)
  const page = await phonePage(browser)
  await page.goto(`${e.url}${pathOf(record.link)}`)
  await page.waitForSelector('[data-testid=error]')
  t.equal(await page.textContent('[data-testid=error]'), H.errors.expired)
  t.equal(await page.locator('[data-testid=record]').count(), 0, 'nothing of the record is shown')
  await screenshot(page, 'handoff-dispatcher-expired')

  await page.goto(`${e.url}/handoff/not-a-real-token`)
  await page.waitForSelector('[data-testid=error]')
  t.equal(await page.textContent('[data-testid=error]'), H.errors.invalid)
})
