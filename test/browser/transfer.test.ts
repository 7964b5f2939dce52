import t from 'tap'
import { consoleApp, DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

const STATE = '[data-testid=state]'

t.test('an agent transfers the held appeal to another agent from the transfer panel; it is offered there', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const pages = []
  for (const id of ['1001', '1002']) {
    const page = await newPage(browser)
    await login(page, c.url, '/console/', id, DEMO_PASSWORD)
    await page.waitForSelector(`${STATE}[data-state=offline]`)
    pages.push(page)
  }
  const [a, b] = pages as [(typeof pages)[0], (typeof pages)[0]]
  await a.keyboard.press('F6')
  await a.waitForSelector(`${STATE}[data-state=ready]`)
  const id = await c.webAppeal('需要转给另一位坐席的诉求：物业乱收费')
  await a.waitForSelector('#offer:not([hidden])')
  await a.keyboard.press('F2')
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  await b.keyboard.press('F6')
  await b.waitForSelector(`${STATE}[data-state=ready]`)

  t.equal(await a.textContent('#transfer h2'), T.transfer.title, 'the transfer panel is beside the held appeal')
  await a.fill('#t-agent', '1002')
  await screenshot(a, 'console-transfer')
  await a.click(`#transfer button:has-text("${T.transfer.submit}")`)
  await a.waitForSelector(`#toast:has-text("${T.transfer.done}")`)
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`, { state: 'detached' })
  t.pass('the first agent’s card is gone after the transfer')

  await b.waitForSelector('#offer:not([hidden])')
  t.match(await b.textContent('[data-testid=offer-preview]'), '物业乱收费', 'the second agent is offered the appeal')
  await b.keyboard.press('F2')
  await b.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  t.match(await c.stack.acd.status('1002'), { appealIds: [id] }, 'and holds it')
  t.notOk((await c.stack.acd.status('1001')).appealIds.includes(id), 'the first agent does not')

  // An unknown agent number is refused with the zh message and the appeal stays.
  await b.fill('#t-agent', '7777')
  await b.click(`#transfer button:has-text("${T.transfer.submit}")`)
  await b.waitForSelector(`#toast:has-text("${T.errors.ACD_ERR_UNKNOWN_AGENT}")`)
  t.ok(await b.isVisible(`.appeal-card[data-appeal-id="${id}"]`), 'a refused transfer keeps the appeal on the card')
})
