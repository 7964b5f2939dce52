import t from 'tap'
import { writeFileSync } from 'node:fs'
import { DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { agentPage, goReady } from './helpers/console-page.ts'
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

t.test('an agent calls a 漏接回拨 entry back from the console with one click and plays the call recording on the card', async (t) => {
  const s = await voiceScene(t)
  const browser = await launch(t)
  const page = await agentPage(browser, s.url, '1001')
  await goReady(page)
  const caller = await s.peer.placeCall({ destination: '12345', callerNumber: '13612348888' })
  // Ready with a call in the queue: the offer rings a phone that never answers, so go not-ready first.
  s.peer.setEndpoint('user/1001', 'busy')
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === caller)?.appealId, 'queued'))!
  await until(async () => ((await s.stack.acd.status('1001')).reason === '未应答' ? true : undefined), '未应答')
  s.peer.callerHangup(caller)
  const row = await page.waitForSelector(`#missed [data-testid=missed-call][data-appeal="${appealId}"]`, { timeout: 10_000 })
  t.match(await row.textContent(), /136\*{4}8888/, 'the number masked in the console too')

  s.peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  s.peer.setEndpoint('sofia/carrier/13612348888@127.0.0.1:5090', { answerAfterMs: 20 })
  await page.click(`#missed [data-appeal="${appealId}"] [data-testid=missed-call-back]`)
  await page.waitForSelector(`#toast:has-text("${T.callBack.outcome.connected}")`)
  await page.waitForSelector(`.appeal-card[data-appeal-id="${appealId}"]`)
  t.ok(s.peer.channels().find((c) => c.variables?.gw_leg === 'callback')?.bridgedTo, 'the citizen is on the line with the agent')
  await page.waitForSelector(`[data-testid=callback-note]:has-text("${T.callBack.note(1, 'connected')}")`)
  await page.waitForFunction((id) => !document.querySelector(`#missed [data-appeal="${id}"]`), appealId, { timeout: 10_000 })

  // FreeSWITCH writes the recording where the gateway asked: put a short WAV there.
  const path = (await s.queue.get(appealId))!.call!.recording!
  writeFileSync(path, tinyWav())
  await page.click('[data-testid=recording-load]')
  const audio = await page.waitForSelector('audio[data-testid=recording]')
  t.match(await audio.getAttribute('src'), /^blob:/, 'the recording is loaded with the agent token and played in the page')
  await screenshot(page, 'console-call-back')
})

/** 0.1 s of silence, 8 kHz 16-bit mono. */
function tinyWav(): Buffer {
  const data = Buffer.alloc(1600)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0)
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVEfmt ', 8)
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20)
  h.writeUInt16LE(1, 22)
  h.writeUInt32LE(8000, 24)
  h.writeUInt32LE(16000, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36)
  h.writeUInt32LE(data.length, 40)
  return Buffer.concat([h, data])
}
