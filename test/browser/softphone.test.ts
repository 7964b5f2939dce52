/**
 * The console's softphone in a real Chromium (fake microphone) registered to the SIP-over-WebSocket
 * peer (test/peers/sip-ws, FreeSWITCH's recorded frames). The peer carries no media: these tests
 * assert on what goes over the wire and what the agent sees.
 */
import t from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { consoleApp } from '../console/helpers/console-app.ts'
import { CHROMIUM_PATH, screenshot } from './helpers/browser.ts'
import { agentPage } from './helpers/console-page.ts'
import { SipWsPeer, type WireMessage } from '../peers/sip-ws/peer.ts'
import { sipPassword } from '../../gateway/telephony/sip-credentials.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

const SECRET = 'softphone-test-secret-0123456789abcdef'
/** The softphone exists with the voice path on; nothing connects to this server in these tests. */
const MEDIA_SERVERS = [{ id: 'fs1', host: '127.0.0.1', port: 8021, password: 'unused-in-this-test' }]
const REG = '[data-testid=softphone-registration]'
const CALL = '[data-testid=softphone-call]'

/** Chromium as round 3a ran it: fake microphone, no permission prompt, loopback ICE candidates. */
async function launchWithMedia(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
    ],
  })
  t.teardown(() => browser.close())
  return browser
}

async function setup(t: { teardown(fn: () => unknown): void }, gatewaySecret = SECRET) {
  const peer = await SipWsPeer.start({ domain: '127.0.0.1', passwordOf: (user) => sipPassword(SECRET, user) })
  t.teardown(() => peer.close())
  const c = await consoleApp(t, { voice: { servers: MEDIA_SERVERS, softphone: { wsUrl: peer.url, domain: '127.0.0.1', secret: gatewaySecret } } })
  const browser = await launchWithMedia(t)
  return { peer, c, browser }
}

const fromBrowser = (method: string, test: (m: WireMessage) => boolean = () => true) => (m: WireMessage) =>
  m.dir === 'in' && !m.status && m.method === method && test(m)

const button = (page: Page, label: string) => page.locator('.softphone .phone-buttons button', { hasText: label })

t.test('the softphone registers, rings, answers, holds, sends a digit and hangs up', async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1001')

  await page.waitForSelector(`${REG}[data-state=registered]`)
  t.equal(await page.textContent(REG), T.softphone.registration.registered, 'the panel says 已注册')
  t.notOk(await page.isVisible('[data-testid=softphone-reason]'), '语音通道未连接 is gone once registered')
  const register = peer.log.filter((m) => m.method === 'REGISTER').map((m) => (m.dir === 'in' ? (m.msg.getHeader('authorization') ? 'REGISTER+auth' : 'REGISTER') : String(m.status)))
  t.same(register, ['REGISTER', '401', 'REGISTER+auth', '200'], 'REGISTER, 401 challenge, REGISTER with the derived password, 200')
  t.equal(peer.registrations.get('1001')?.contact.endsWith(';transport=ws'), true, 'the contact is a websocket one')

  // The peer, as FreeSWITCH after `originate user/1001`, sends the recorded WebRTC INVITE.
  const call = peer.call('1001')
  await page.waitForSelector(`${CALL}[data-state=ringing]`)
  t.equal(await page.textContent(CALL), T.softphone.call.ringing, '振铃')
  t.match(await page.textContent('[data-testid=softphone-caller]'), '12345', 'the caller is shown')
  await peer.waitFor((m) => m.dir === 'in' && m.status === 180 && m.msg.call_id === call.callId)
  t.pass('the browser answered 180 Ringing')
  t.ok(await button(page, T.softphone.answer).isEnabled(), '接听 is enabled while ringing')

  await button(page, T.softphone.answer).click()
  const ok = await call.answered()
  t.equal(ok.status, 200, 'the browser answers 200 OK')
  t.equal(ok.msg.getHeader('content-type'), 'application/sdp')
  t.match(ok.msg.body, /^m=audio \d+ (UDP\/TLS\/)?RTP\/SAVPF /m, 'with an SDP answer for audio over DTLS-SRTP')
  t.match(ok.msg.body, /^a=setup:active\r?$/m, 'the browser is the DTLS client, as recorded')
  t.match(ok.msg.body, /^a=sendrecv\r?$/m)
  await peer.waitFor((m) => m.dir === 'out' && m.method === 'ACK' && m.msg.call_id === call.callId)
  await page.waitForSelector(`${CALL}[data-state=active]`)
  t.equal(await page.textContent(CALL), T.softphone.call.active, '通话中')
  await page.waitForFunction(() => /^\d\d:\d\d$/.test(document.querySelector('[data-testid=softphone-timer]')?.textContent ?? ''))
  t.pass('the call timer runs')

  await button(page, T.softphone.hold).click()
  const hold = await peer.waitFor(fromBrowser('INVITE', (m) => m.msg.call_id === call.callId && /^a=sendonly\r?$/m.test(m.msg.body ?? '')))
  t.ok(hold, '保持 sends a re-INVITE with a=sendonly')
  await page.waitForSelector(`${CALL}[data-state=held]`)
  t.equal(await page.textContent(CALL), T.softphone.call.held, '保持')
  await button(page, T.softphone.unhold).click()
  await peer.waitFor(fromBrowser('INVITE', (m) => m.msg.call_id === call.callId && /^a=sendrecv\r?$/m.test(m.msg.body ?? '')))
  await page.waitForSelector(`${CALL}[data-state=active]`)
  t.pass('取消保持 sends a re-INVITE with a=sendrecv and the call is active again')

  await page.click('.softphone .dialpad summary')
  await page.click('.softphone .dialpad button[data-key="5"]')
  const info = await peer.waitFor(fromBrowser('INFO', (m) => m.msg.call_id === call.callId))
  t.equal(info.msg.getHeader('content-type'), 'application/dtmf-relay', 'the digit goes as SIP INFO')
  t.equal(info.msg.body, 'Signal=5\r\nDuration=160', 'Signal=5, as the recorded INFO (no final CRLF)')
  await peer.waitFor((m) => m.dir === 'out' && m.status === 200 && m.method === 'INFO')

  const before = peer.log.length
  await button(page, T.softphone.mute).click()
  await page.waitForSelector(`.softphone .phone-btn.mute[aria-pressed=true]`)
  t.equal(await button(page, T.softphone.unmute).count(), 1, '静音 turns into 取消静音')
  await screenshot(page, 'console-softphone-call')

  await button(page, T.softphone.hangup).click()
  const bye = await peer.waitFor(fromBrowser('BYE', (m) => m.msg.call_id === call.callId))
  t.equal(peer.log.indexOf(bye), before, 'muting sent nothing: the next frame after the INFO is the BYE')
  await peer.waitFor((m) => m.dir === 'out' && m.status === 200 && m.method === 'BYE')
  await page.waitForSelector(`${CALL}[data-state=ended]`)
  t.equal(await page.textContent(CALL), T.softphone.call.ended, '已挂断')
  await page.waitForSelector(`${CALL}[data-state=idle]`)
  t.equal(await page.textContent(CALL), T.softphone.call.idle, 'then 空闲')
})

t.test("FreeSWITCH's own hold and hang-up reach the panel", async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const call = peer.call('1001', '13812345678')
  await page.waitForSelector(`${CALL}[data-state=ringing]`)
  await button(page, T.softphone.answer).click()
  await call.answered()
  await page.waitForSelector(`${CALL}[data-state=active]`)

  call.reinvite('fs-hold')
  const held = await peer.waitFor((m) => m.dir === 'in' && m.status === 200 && m.method === 'INVITE' && m.msg.cseq === call.cseq)
  t.match(held.msg.body, /^a=recvonly\r?$/m, 'uuid_hold: the browser answers a=recvonly, as recorded')
  await page.waitForSelector(`${CALL}[data-state=held]`)
  call.reinvite('fs-unhold')
  const resumed = await peer.waitFor((m) => m.dir === 'in' && m.status === 200 && m.method === 'INVITE' && m.msg.cseq === call.cseq)
  t.match(resumed.msg.body, /^a=sendrecv\r?$/m, 'uuid_hold off: a=sendrecv')
  await page.waitForSelector(`${CALL}[data-state=active]`)

  call.reinvite('fs-refresh')
  const refreshed = await peer.waitFor((m) => m.dir === 'in' && m.status === 200 && m.method === 'INVITE' && m.msg.cseq === call.cseq)
  t.match(refreshed.msg.body, /^a=sendrecv\r?$/m, 'the session-timer refresh is answered 200 with SDP and the call goes on')
  t.equal(await page.getAttribute(CALL, 'data-state'), 'active')

  call.bye()
  await peer.waitFor((m) => m.dir === 'in' && m.status === 200 && m.method === 'BYE')
  await page.waitForSelector(`${CALL}[data-state=ended]`)
  t.pass('a BYE from FreeSWITCH ends the call on screen (已挂断)')
})

t.test('closing the page takes the registration away at once', async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1002')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const gone = new Promise<{ reason: string }>((resolve) => peer.on('unregistered', (e: { user: string; reason: string }) => e.user === '1002' && resolve(e)))
  await page.close({ runBeforeUnload: true })
  const e = await gone
  t.ok(['unregister', 'socket-disconnection'].includes(e.reason), `1002 is no longer registered (${e.reason})`)
  t.notOk(peer.registrations.has('1002'))
})

t.test('a wrong SIP secret shows 话机认证失败', async (t) => {
  const { peer, c, browser } = await setup(t, 'a-different-secret-than-freeswitch-has-0123')
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=authFailed]`)
  t.equal(await page.textContent(REG), T.softphone.registration.authFailed, '话机认证失败')
  t.equal(await page.textContent('[data-testid=softphone-reason]'), T.softphone.notConnected, 'and the reason beside the buttons')
  t.ok(peer.log.some((m) => m.dir === 'out' && m.status === 403), 'the peer answered 403 Forbidden, as FreeSWITCH did')
  t.equal(peer.registrations.size, 0)
  for (const label of [T.softphone.answer, T.softphone.hangup, T.softphone.hold, T.softphone.mute]) {
    t.ok(await button(page, label).isDisabled(), `${label} is disabled`)
  }
  await screenshot(page, 'console-softphone-authfailed')
})

t.test('挂断 while it rings rejects the call; the peer ACKs the rejection', async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const call = peer.call('1001')
  await page.waitForSelector(`${CALL}[data-state=ringing]`)
  await button(page, T.softphone.hangup).click()
  const final = await call.answered()
  t.ok(final.status! >= 400, `the browser answers ${final.status} ${final.msg.getHeader('cseq')}`)
  await peer.waitFor((m) => m.dir === 'out' && m.method === 'ACK' && m.msg.call_id === call.callId)
  await page.waitForSelector(`${CALL}[data-state=ended]`)
  t.pass('已挂断')
})

t.test('an agent whose phone says autoAnswer is connected without a click', async (t) => {
  const peer = await SipWsPeer.start({ domain: '127.0.0.1', passwordOf: (user) => sipPassword(SECRET, user) })
  t.teardown(() => peer.close())
  const c = await consoleApp(t, {
    voice: { servers: MEDIA_SERVERS, softphone: { wsUrl: peer.url, domain: '127.0.0.1', secret: SECRET } },
    agents: [{ id: '1001', name: '王芳', role: 'agent', demo: true, writtenCapacity: 3, skills: [], phone: { autoAnswer: true } }],
  })
  const browser = await launchWithMedia(t)
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const call = peer.call('1001')
  t.equal((await call.answered()).status, 200, '200 OK with no click on 接听')
  await page.waitForSelector(`${CALL}[data-state=active]`)
})

t.test('stopSoftphone() (退出登录) unregisters cleanly: REGISTER Expires: 0, 401, 200', async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const gone = new Promise<{ reason: string }>((resolve) => peer.on('unregistered', (e: { user: string; reason: string }) => e.user === '1001' && resolve(e)))
  // What 退出登录 should await before the page reloads (the module is the page's own instance).
  await page.evaluate((url) => import(url).then((m: { stopSoftphone(): Promise<void> }) => m.stopSoftphone()), '/console/softphone.js')
  t.equal((await gone).reason, 'unregister', 'an explicit unregister, not a dropped socket')
  const first = peer.log.findIndex((m) => m.dir === 'in' && m.method === 'REGISTER' && /^Expires: 0\r?$/m.test(m.text))
  const unreg = peer.log.slice(first).filter((m) => m.method === 'REGISTER')
  t.same(unreg.map((m) => m.status ?? m.dir), ['in', 401, 'in', 200], 'challenged like every REGISTER, as recorded')
})

t.test('a lost websocket shows 已断开, and the phone connects and registers again by itself', async (t) => {
  const { peer, c, browser } = await setup(t)
  const page = await agentPage(browser, c.url, '1001')
  await page.waitForSelector(`${REG}[data-state=registered]`)
  const registers = () => peer.log.filter((m) => m.dir === 'out' && m.method === 'REGISTER' && m.status === 200).length
  t.equal(registers(), 1)
  peer.dropConnections()
  await page.waitForSelector(`${REG}[data-state=disconnected]`)
  t.equal(await page.textContent(REG), T.softphone.registration.disconnected, '已断开')
  t.ok(await page.isVisible('[data-testid=softphone-reason]'), '语音通道未连接 is back beside the buttons')
  await page.waitForSelector(`${REG}[data-state=registered]`, { timeout: 15_000 })
  t.equal(registers(), 2, 'registered again over a new websocket')
})
