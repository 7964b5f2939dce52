import t from 'tap'
import { consoleApp, DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { launch, login, newPage } from './helpers/browser.ts'
import { goReady, STATE } from './helpers/console-page.ts'

t.test('the console renews its short-lived token on the open socket and keeps working past the first token’s expiry', async (t) => {
  const c = await consoleApp(t, { auth: { accessTtlSeconds: 30 } })
  const browser = await launch(t)
  const page = await newPage(browser)
  const frames: { dir: 'in' | 'out'; type: string; tokenExpiresAt?: string }[] = []
  let sockets = 0
  page.on('websocket', (ws) => {
    sockets++
    ws.on('framesent', (f) => frames.push({ dir: 'out', ...JSON.parse(String(f.payload)) }))
    ws.on('framereceived', (f) => frames.push({ dir: 'in', ...JSON.parse(String(f.payload)) }))
  })
  await login(page, c.url, '/console/', '1001', DEMO_PASSWORD)
  await page.waitForSelector(`${STATE}[data-state=offline]`)
  const firstExpiry = Date.parse(frames.find((f) => f.type === 'welcome')!.tokenExpiresAt!)

  // 35 s: past the first token's 30 s, after which the server would close a socket it did not renew.
  await page.waitForTimeout(Math.max(0, firstExpiry - Date.now()) + 5000)
  t.ok(frames.some((f) => f.dir === 'out' && f.type === 'auth'), 'the page sent a renewed token on the open socket')
  const renewed = frames.filter((f) => f.dir === 'in' && f.type === 'ack' && f.tokenExpiresAt).map((f) => Date.parse(f.tokenExpiresAt!))
  t.ok(renewed.some((e) => e > firstExpiry), 'the server moved the socket’s expiry')
  t.equal(sockets, 1, 'the same socket all along: no close 4402, no reconnect')
  t.equal(await page.getAttribute('#conn', 'data-state'), 'online')
  t.notOk(c.logs.some((l) => l.code === 'CONSOLE_ERR_TOKEN_EXPIRED'), 'no expiry was logged')

  await goReady(page)
  t.pass('and the agent still works on it')
})
