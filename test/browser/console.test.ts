import t from 'tap'
import { consoleApp, DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { acceptOffer, agentPage, goReady, STATE } from './helpers/console-page.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

t.test('an agent takes a web appeal from offer to the work-order queue; the other agent never sees it; the wallboard moves', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const phone = '13912345678'
  // Two earlier appeals of the same citizen (one a call to 12315): the card must say "repeated".
  for (const [channel, origin, content] of [
    ['voice', '12315', '上周反映的路灯问题还没修'],
    ['wechat-mini', undefined, '幸福路路灯不亮'],
  ] as const) {
    await c.pastAppeal({ channel, origin, draft: { citizen: { phone }, content } })
  }

  const wall = await newPage(browser)
  await login(wall, c.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('[data-testid=kpi-written3m]')
  const writtenBefore = await wall.textContent('[data-testid=kpi-written3m]')

  const first = await newPage(browser)
  await first.goto(`${c.url}/console/`)
  await screenshot(first, 'console-login')
  await first.close()

  const a = await agentPage(browser, c.url, '1001')
  const b = await agentPage(browser, c.url, '1002')
  await goReady(a)
  await goReady(b)
  await wall.waitForSelector('[data-testid=agents-ready]:text("2")')

  const content = '幸福路12号门口的路灯坏了一个星期，晚上出行很不安全，请尽快维修。'
  const id = await c.webAppeal(content, phone)
  const posted = Date.now()
  const offered = await Promise.race([
    a.waitForSelector('#offer:not([hidden])', { timeout: 1000 }).then(() => a),
    b.waitForSelector('#offer:not([hidden])', { timeout: 1000 }).then(() => b),
  ])
  t.ok(Date.now() - posted < 1000, 'the offer shows within a second of the POST')
  const other = offered === a ? b : a
  t.match(await offered.textContent('[data-testid=offer-preview]'), '幸福路12号门口的路灯坏了')
  t.match(await offered.textContent('#offer-countdown'), /\d+ 秒后自动退回/)
  await screenshot(offered, 'console-offer')

  await offered.keyboard.press('F2')
  await offered.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  await offered.waitForSelector(`${STATE}[data-state=busy]`)
  t.equal(await offered.textContent('[data-testid=appeal-content]'), content)
  t.equal(await offered.textContent('[data-testid=citizen-phone]'), '139****5678', 'the phone is masked')
  await offered.click('text=显示号码')
  t.equal(await offered.textContent('[data-testid=citizen-phone]'), phone, 'and shown on request')
  t.equal(await offered.textContent('[data-testid=repeat-badge]'), '近30天诉求3次', 'a repeated citizen is obvious')
  t.equal(await offered.locator('.history li').count(), 3, 'history across channels beside the card')
  await wall.waitForSelector('[data-testid=kpi-written3m]:text("100.0%")', { timeout: 5000 })
  t.not(writtenBefore, '100.0%', 'the wallboard counted the written appeal taken within 3 minutes')
  await wall.waitForSelector('[data-testid=agents-busy]:text("1")', { timeout: 5000 })
  t.pass('the wallboard shows one agent busy')
  await screenshot(offered, 'console-appeal')

  await offered.selectOption('#f-category', '投诉')
  await offered.fill('#f-summary', '幸福路12号路灯损坏一周，请城管维修')
  await offered.selectOption('#f-disposition', 'work-order')
  await offered.keyboard.press('F9')
  await offered.waitForSelector(`${STATE}[data-state=wrap-up]`)
  await offered.waitForSelector('#wrapup:not([hidden])')
  await screenshot(offered, 'console-wrap-up')

  const job = await c.stack.handoff.queue.getJob(id)
  t.ok(job, 'the record is in the workorders queue')
  t.match(job?.data, { appeal: { id, category: '投诉', status: 'completed' } })

  await offered.keyboard.press('F8')
  await offered.waitForSelector(`${STATE}[data-state=ready]`)
  t.notOk((await other.content()).includes('幸福路12号门口'), "the other agent's browser never showed the appeal")
  await wall.waitForSelector('[data-testid=agents-ready]:text("2")')
  await screenshot(wall, 'wallboard')
})

t.test('a reload resumes the pending offer and then the accepted appeal', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  await goReady(a)
  const id = await c.webAppeal('楼上装修噪音，晚上十点还在施工')
  await a.waitForSelector('#offer:not([hidden])')
  await a.reload()
  await a.waitForSelector('#offer:not([hidden])')
  t.match(await a.textContent('[data-testid=offer-preview]'), '楼上装修噪音', 'the offer is back after a reload')
  await a.click('#offer .accept')
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  await a.reload()
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  t.equal(await a.textContent('[data-testid=appeal-content]'), '楼上装修噪音，晚上十点还在施工', 'the held appeal is back')
  t.equal(await a.getAttribute(STATE, 'data-state'), 'busy')
})

t.test('the next offer arriving before the accept is answered stays on screen (written appeals up to capacity)', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  const first = await c.webAppeal('第一件：小区路灯不亮', '13800000001', '幸福路1号')
  const second = await c.webAppeal('第二件：人行道井盖松动', '13800000002', '和平路88号')
  // The answer to the accept is slow (a busy Redis): the next offer's frame overtakes it.
  const get = c.linker.get.bind(c.linker)
  c.linker.get = async (id) => {
    if (id === first) await new Promise((r) => setTimeout(r, 400))
    return get(id)
  }
  await a.keyboard.press('F6') // ready, and offered at once (so 'ready' may never show)
  await a.waitForSelector('#offer:not([hidden])')
  t.match(await a.textContent('[data-testid=offer-preview]'), '第一件')
  await a.keyboard.press('F2')
  await a.waitForSelector(`.appeal-card[data-appeal-id="${first}"]`)
  await a.waitForSelector('#offer:not([hidden])', { timeout: 3000 })
  t.match(await a.textContent('[data-testid=offer-preview]'), '第二件', 'the second offer is shown beside the accepted appeal')
  await a.keyboard.press('F2')
  await a.waitForSelector('#offer', { state: 'hidden' })
  t.match(await c.stack.acd.status('1001'), { state: 'busy' })
  t.same((await c.stack.acd.status('1001')).appealIds.sort(), [first, second].sort(), 'the agent holds both')
})

t.test('markup in an appeal is shown as text and never runs', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  await goReady(a)
  const evil = '<script>window.__xss="script"</script><img src=x onerror="window.__xss=\'img\'">路灯坏了'
  const id = await c.webAppeal(evil)
  await a.waitForSelector('#offer:not([hidden])')
  await a.keyboard.press('Enter')
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  t.equal(await a.textContent('[data-testid=appeal-content]'), evil, 'the characters the citizen typed')
  t.equal(await a.locator('.appeal-card img, .appeal-card script, #offer img').count(), 0, 'no element was created from it')
  t.equal(await a.evaluate(() => (window as unknown as { __xss?: string }).__xss), undefined, 'nothing ran')
  await screenshot(a, 'console-xss')
})

t.test('the softphone is disabled and says why', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  t.equal(await a.textContent('[data-testid=softphone-reason]'), '语音通道未连接')
  t.ok(await a.isVisible('[data-testid=softphone-reason]'), 'the reason is on screen, not only in a tooltip')
  for (const label of ['接听', '挂断', '保持', '静音', '转接', '三方通话']) {
    t.ok(await a.locator('.softphone .phone-buttons button', { hasText: label }).isDisabled(), `${label} is disabled`)
  }
})

t.test("a supervisor sets an agent's state from the wallboard and the agent's console follows", async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  await goReady(a)
  const wall = await newPage(browser)
  await login(wall, c.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('select[data-agent="1001"]')
  await wall.selectOption('select[data-agent="1001"]', '会议')
  await a.waitForSelector(`${STATE}[data-state=not-ready]`)
  t.equal(await a.textContent(STATE), '未就绪 · 会议')
})

t.test('a supervisor takes back an agent’s appeal from the wallboard: it leaves that console and waits again', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const a = await agentPage(browser, c.url, '1001')
  await goReady(a)
  const id = await c.webAppeal('坐席电脑故障时手里的诉求')
  await acceptOffer(a, id)
  const wall = await newPage(browser)
  await login(wall, c.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('[data-testid=holding-1001]:text("1")')
  await wall.click('button[data-reclaim="1001"]')
  await wall.waitForSelector(`#notice:has-text("${T.wallboard.reclaimed(1)}")`)
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`, { state: 'detached' })
  await a.waitForSelector(`#toast:has-text("${T.card.released}")`)
  await a.waitForSelector(`${STATE}[data-state=offline]`)
  t.pass('the agent’s card is gone, the agent is told why and is offline')
  await wall.waitForSelector('[data-testid=holding-1001]:text("0")')
  t.notOk(await wall.isVisible('button[data-reclaim="1001"]'), 'nothing left to take back')
  t.match(await c.queue.get(id), { status: 'queued' }, 'the appeal waits again')
})

t.test('an agent account cannot open the wallboard', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)
  const page = await newPage(browser)
  await login(page, c.url, '/console/wallboard', '1001', DEMO_PASSWORD)
  await page.waitForSelector('.login .error:text("监控大屏仅限班长账号登录")')
  t.pass('refused with a plain message')
})
