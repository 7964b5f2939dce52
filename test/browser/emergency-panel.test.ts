/**
 * 紧急联动 in the agent console, in a real Chromium against the FreeSWITCH peer: a call 110 transfers
 * in arrives prefilled with the partner's record; the agent hands a call to 110 with one click and
 * sees the handoff's state.
 */
import t from 'tap'
import { launch, login, newPage, screenshot } from './helpers/browser.ts'
import { DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { agentPage, goReady } from './helpers/console-page.ts'
import { T } from '../../agent-console/web/i18n-zh.js'
import { voiceScene, until } from '../voice/helpers/voice-scene.ts'
import { pushedBy110 } from '../helpers/partners.ts'

t.test('a call transferred in by 110 arrives prefilled with its record; one click hands the next call to 110', async (t) => {
  const s = await voiceScene(t)
  await pushedBy110(s.emergency.desk, { reference: 'R20261203-9', callerNumber: '13822223333', summary: '邻居家装修噪音持续到深夜，经核实非治安案件', category: '投诉', address: '海淀区学院路甲5号院' })
  const browser = await launch(t)
  const page = await agentPage(browser, s.url, '1001')
  s.peer.setEndpoint('user/1001', { answerAfterMs: 30 })
  await goReady(page)
  const call = await s.peer.placeCall({
    destination: '12345',
    callerNumber: '13822223333',
    headers: { 'X-Partner': '110', 'X-Partner-Case': 'R20261203-9', 'X-Trunk': 'partner-110', 'X-Hotline': '12345' },
  })
  const appealId = (await until(() => s.voice!.router.activeCalls().find((c) => c.callId === call)?.appealId, 'queued'))!
  // The phone answers: the offer is accepted and the card opens with the partner's record.
  await page.waitForSelector(`.appeal-card[data-appeal-id="${appealId}"]`, { timeout: 10_000 })
  const content = await page.textContent('[data-testid=appeal-content]')
  t.match(content, /公安110转来的来电（对方案件编号 R20261203-9）：邻居家装修噪音持续到深夜/, "the partner's record on the card")
  t.match(await page.textContent('.appeal-card'), /海淀区学院路甲5号院/, 'its place too')
  await screenshot(page, 'console-partner-call')

  s.peer.setEndpoint('sofia/carrier/110@127.0.0.1:5090', { answerAfterMs: 30 })
  await page.click('[data-testid=one-key-110]')
  await page.waitForSelector(`#toast:has-text("${T.emergency.outcome.transferred}")`)
  const row = await page.waitForSelector('[data-testid=handoff]')
  t.match(await row.textContent(), new RegExp(`公安110 · ${T.emergency.how['one-key']}`), 'the handoff on the card')
  t.equal(await row.getAttribute('data-status'), 'pending', 'pending until the partner platform takes it')
  const partnerLeg = s.peer.channels().find((c) => c.variables?.gw_leg === 'partner')
  t.equal(s.peer.channels().find((c) => c.uuid === call)?.bridgedTo, partnerLeg?.uuid, 'the caller talks to the 110 dispatcher')
  await screenshot(page, 'console-one-key-110')
})

t.test("the wallboard counts today's handoffs per partner", async (t) => {
  const s = await voiceScene(t)
  const browser = await launch(t)
  const wall = await newPage(browser)
  await login(wall, s.url, '/console/wallboard', '9001', DEMO_PASSWORD)
  await wall.waitForSelector('[data-testid=kpi-handoffs-119]')
  t.equal(await wall.textContent('[data-testid=kpi-handoffs-119]'), '0', 'none yet')
  const appealId = await s.webAppeal('小区楼道里有很浓的煤气味，怀疑燃气泄漏', '13700001234', '朝阳区和平里5号楼')
  await s.emergency.desk.escalate(appealId, '119', '1001')
  await wall.waitForSelector('[data-testid=kpi-handoffs-119]:text("1")', { timeout: 15_000 })
  t.match(await wall.textContent('.kpis'), /今日转消防119/, 'labelled by partner')
  await screenshot(wall, 'wallboard-handoffs')
})
