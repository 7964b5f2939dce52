import t from 'tap'
import { consoleApp, DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { acceptNext, agentSocket, WATER_CUT } from '../console/helpers/matter-scene.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { agentPage, goReady } from './helpers/console-page.ts'

t.test('three citizens report one water cut: the agent sees 集中诉求 with the other two, splits it off, and the wallboard raises the alert live', async (t) => {
  const c = await consoleApp(t)
  const browser = await launch(t)

  const wall = await newPage(browser)
  await login(wall, c.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('[data-testid=alerts] .muted')

  // Agent 1002 (a websocket client) takes the first two appeals; that is their written capacity.
  const b = await agentSocket(c, '1002', t)
  await b.request('state.set', { state: 'ready' })
  const ids: string[] = []
  for (const w of WATER_CUT.slice(0, 2)) {
    ids.push(await c.webAppeal(w.content, w.phone, w.address))
    await acceptNext(b, ids.at(-1)!)
  }
  const numbers = await Promise.all(ids.map(async (id) => (await c.queue.get(id))!.appealNumber))

  const a = await agentPage(browser, c.url, '1001')
  await goReady(a)

  const third = WATER_CUT[2]
  const posted = Date.now()
  const id = await c.webAppeal(third.content, third.phone, third.address)
  await a.waitForSelector('#offer [data-testid=matter-concentrated]', { timeout: 1000 })
  const elapsed = Date.now() - posted
  t.ok(elapsed < 1000, `the matter is on the offer within a second (${elapsed} ms)`)
  t.equal(await a.textContent('#offer [data-testid=matter-concentrated]'), '集中诉求 · 3位诉求人')
  t.equal(await a.locator('#offer [data-testid=matter-others] li').count(), 2, 'the other two appeals of the matter')

  await a.keyboard.press('F2')
  await a.waitForSelector(`.appeal-card[data-appeal-id="${id}"]`)
  const panel = '#matter [data-testid=matter]'
  await a.waitForSelector(`${panel} [data-testid=matter-concentrated]`)
  const others = a.locator(`${panel} [data-testid=matter-others] li`)
  t.equal(await others.count(), 2)
  t.same(await others.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-appeal-number'))), numbers, 'the first two, oldest first')
  t.match(await others.first().textContent(), /139\*\*\*\*0001/, "another citizen's phone is masked")
  t.notMatch(await a.textContent(panel), /13911110001/, 'never shown in full')
  t.match(await a.textContent(`${panel} [data-testid=matter-reasons]`), /关联依据：.*同一小区\/地点.*同类问题/, 'the reasons in Chinese')
  t.match(await others.first().textContent(), /锦绣华庭小区从昨天早上开始停水/)

  await wall.waitForSelector('[data-testid=alert-new]', { timeout: 2000 })
  const alert = await wall.textContent('[data-testid=alert-new]')
  t.match(alert, '集中诉求')
  t.match(alert, (await c.queue.get(id))!.appealNumber)
  t.match(alert, '3位市民反映')
  t.match(alert, third.address)
  await screenshot(wall, 'wallboard-alert')
  await screenshot(a, 'console-matter')

  await a.click(`${panel} [data-testid=matter-detach]`)
  await a.waitForSelector(`${panel} [data-testid=matter-none]`)
  t.equal(await a.textContent(`${panel} [data-testid=matter-decision]`), '已拆分', 'the card says it was split off')
  t.equal(await a.locator(`${panel} [data-testid=matter-concentrated]`).count(), 0, 'no longer 集中诉求')
  t.not((await c.linker.get(id))!.matterId, (await c.linker.get(ids[0]!))!.matterId, 'the linker keeps the split')
  await screenshot(a, 'console-matter-detached')

  // 关联到其他事项: the detached pair is not offered back, but the agent may type a matter id.
  const original = (await c.linker.get(ids[0]!))!.matterId
  await a.click(`${panel} [data-testid=matter-attach]`)
  await a.waitForSelector(`${panel} .matter-picker h4`)
  t.equal(await a.locator(`${panel} [data-testid=matter-candidates] li`).count(), 0, 'no suggestion of the matter it was split from')
  await a.fill(`${panel} .matter-id`, original)
  await a.click(`${panel} .matter-picker .actions button:text("关联")`)
  await a.waitForSelector(`${panel} [data-testid=matter-decision]:text("已人工并入")`)
  t.equal(await a.locator(`${panel} [data-testid=matter-others] li`).count(), 2, 'attached back: the two others again')
})
