import t from 'tap'
import { consoleApp } from '../console/helpers/console-app.ts'
import { launch, screenshot } from './helpers/browser.ts'
import { acceptOffer, agentPage, goReady } from './helpers/console-page.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

t.test('an agent transfers the held appeal to another agent from the transfer panel; it is offered there', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  const b = await agentPage(browser, c.url, '1002')
  await goReady(a)
  const id = await c.webAppeal('需要转给另一位坐席的诉求：物业乱收费')
  await acceptOffer(a, id)
  await goReady(b)

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
  // The toast shows for 4 s; on a loaded machine the check may come after it faded: its text stays.
  await b.waitForSelector(`#toast:has-text("${T.errors.ACD_ERR_UNKNOWN_AGENT}")`, { state: 'attached' })
  t.ok(await b.isVisible(`.appeal-card[data-appeal-id="${id}"]`), 'a refused transfer keeps the appeal on the card')
})
