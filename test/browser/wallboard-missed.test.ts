import t from 'tap'
import { DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { T } from '../../agent-console/web/i18n-zh.js'
import { voiceScene, until } from '../voice/helpers/voice-scene.ts'

t.test('a caller who hangs up while waiting appears on the wallboard under 漏接回拨, number masked', async (t) => {
  const s = await voiceScene(t)
  const browser = await launch(t)
  const wall = await newPage(browser)
  await login(wall, s.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('[data-testid=missed]:not([hidden])')
  t.ok(await wall.isVisible(`text=${T.wallboard.noMissed}`), 'nobody missed yet')

  const caller = await s.peer.placeCall({ destination: '12315', callerNumber: '13912345678' })
  await until(() => s.voice!.router.activeCalls().find((c) => c.appealId), 'the call waits in the queue')
  s.peer.callerHangup(caller)
  const row = await wall.waitForSelector('[data-testid=missed-call]', { timeout: 10_000 })
  const text = await row.textContent()
  t.match(text, /139\*{4}5678/, 'the number masked')
  t.notMatch(text, /13912345678/, 'never in full')
  t.match(text, /12315/, 'the number the caller dialed')
  await screenshot(wall, 'wallboard-missed')
})
