/**
 * The console's softphone against the REAL FreeSWITCH (test/real/README.md): the agent console in a
 * headless Chromium with a fake microphone (fixtures round 3a flags), logged in as 1001; its JsSIP
 * phone registers over SIP-over-WebSocket to the agents profile's ws-binding (realScene points
 * voice.softphone.wsUrl at it and gives the gateway the secret the agents directory was rendered
 * with); a sipp citizen sending a 440 Hz tone calls 12345, the browser rings, the test clicks 接听,
 * and the audio is counted both ways on the WebRTC leg: by FreeSWITCH (`uuid_set_media_stats` +
 * `uuid_getvar rtp_audio_in/out_packet_count`) and by the browser (`getStats()` inbound-rtp /
 * outbound-rtp). 挂断 in the console then ends the call in FreeSWITCH.
 *
 * The page's RTCPeerConnection is reached without touching the product: an init script (run before
 * any page script) wraps window.RTCPeerConnection and keeps every instance JsSIP creates in
 * `window.__gwTestPcs`.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { realSuiteSkipReason } from './helpers/freeswitch.ts'
import { realScene, until } from './helpers/real-scene.ts'
import type { FsEventRecord } from './helpers/esl-observer.ts'
import { CHROMIUM_PATH, login, newPage, screenshot } from '../browser/helpers/browser.ts'
import { STATE, goReady } from '../browser/helpers/console-page.ts'
import { DEMO_PASSWORD } from '../console/helpers/console-app.ts'
import { T } from '../../agent-console/web/i18n-zh.js'

const skip = realSuiteSkipReason() ?? (existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}`)
if (skip) {
  t.plan(0, `real-server softphone: ${skip}`)
} else {
  run()
}

const REG = '[data-testid=softphone-registration]'
const CALL = '[data-testid=softphone-call]'
const CALLER = '13800138000'
/** Audio both ways: more than this many packets each way ~5 s after the answer (50 packets/s expected). */
const MIN_PACKETS = 100

/** Chromium as fixtures round 3a ran it: fake microphone, no permission prompt, loopback ICE candidates. */
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

/** Keeps every RTCPeerConnection the page creates (JsSIP's session.connection) in window.__gwTestPcs. */
function keepPeerConnections(): void {
  const w = window as unknown as { RTCPeerConnection: typeof RTCPeerConnection; __gwTestPcs: RTCPeerConnection[] }
  const Original = w.RTCPeerConnection
  w.__gwTestPcs = []
  w.RTCPeerConnection = class extends Original {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args)
      w.__gwTestPcs.push(this)
    }
  }
}

interface BrowserRtp {
  pcs: number
  received: number
  sent: number
  audioLevel?: number
  codec?: string
  pair?: string
}

/** The browser's own counters of the last peer connection: inbound-rtp packetsReceived, outbound-rtp packetsSent. */
function browserRtp(page: Page): Promise<BrowserRtp> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __gwTestPcs?: RTCPeerConnection[] }).__gwTestPcs ?? []
    const pc = pcs[pcs.length - 1]
    const out: BrowserRtp = { pcs: pcs.length, received: 0, sent: 0 }
    if (!pc) return out
    const stats = await pc.getStats()
    const byId = new Map<string, Record<string, unknown>>()
    stats.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s))
    for (const s of byId.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out.received += Number(s.packetsReceived ?? 0)
        out.audioLevel = Number(s.audioLevel ?? 0)
        const codec = byId.get(String(s.codecId))
        if (codec) out.codec = `${codec.mimeType}/${codec.clockRate}`
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.sent += Number(s.packetsSent ?? 0)
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        const l = byId.get(String(s.localCandidateId))
        const r = byId.get(String(s.remoteCandidateId))
        out.pair = `${l?.address}:${l?.port} <-> ${r?.address}:${r?.port}`
      }
    }
    return out
  })
}

/** FreeSWITCH's counters of a live leg, as round 3a read them: uuid_set_media_stats, then uuid_getvar. */
async function fsRtp(s: Awaited<ReturnType<typeof realScene>>, uuid: string): Promise<{ in: number; out: number }> {
  await s.fs.observer.api(`uuid_set_media_stats ${uuid}`)
  const get = async (v: string) => Number((await s.fs.observer.api(`uuid_getvar ${uuid} ${v}`)).trim()) || 0
  return { in: await get('rtp_audio_in_packet_count'), out: await get('rtp_audio_out_packet_count') }
}

const num = (e: FsEventRecord | undefined, v: string) => Number(e?.headers[`variable_${v}`] ?? 0)
const button = (page: Page, label: string) => page.locator('.softphone .phone-buttons button', { hasText: label })

function run(): void {
  t.test('the console softphone (JsSIP in Chromium) registers to the real FreeSWITCH, answers a 12345 call with 接听, audio flows both ways, 挂断 ends it', async (t) => {
    // Offers of 15 s rather than the suite's 4 s: the agent clicks 接听, and JsSIP's 200 OK waits for ICE gathering.
    const s = await realScene(t, { acd: { offerTimeoutSeconds: 15 } })
    t.equal(s.config.voice.softphone.wsUrl, `ws://127.0.0.1:${s.fs.ports.agentsWs}`, "the gateway sends the browser to FreeSWITCH's agents ws-binding")
    const browser = await launchWithMedia(t)
    const page = await newPage(browser)
    await page.addInitScript(keepPeerConnections)
    const consoleLog: string[] = []
    page.on('console', (m) => consoleLog.push(`${m.type()}: ${m.text()}`))
    t.teardown(() => {
      if (!t.passing()) process.stderr.write(`# browser console:\n${consoleLog.slice(-80).join('\n')}\n`)
    })
    // SIP the browser receives over the websocket (FreeSWITCH's frames), for the evidence.
    const sipIn: string[] = []
    page.on('websocket', (ws) => ws.on('framereceived', (f) => typeof f.payload === 'string' && /^(SIP\/2\.0|[A-Z]+ sip:)/.test(f.payload) && sipIn.push(f.payload)))
    await login(page, s.url, '/console/', '1001', DEMO_PASSWORD)
    await page.waitForSelector(`${STATE}[data-state=offline]`)

    // Registered over the websocket with the password derived from the suite's secret.
    const registered = await s.fs.observer.waitFor(
      (e) => e.name === 'sofia::register' && e.headers['username'] === '1001' && e.headers['profile-name'] === 'agents',
      'sofia::register of 1001 on the agents profile',
      20_000,
    )
    t.match(registered.headers['status'] ?? '', /WS/, `FreeSWITCH registered 1001 over the websocket (${registered.headers['status']})`)
    t.match(registered.headers['contact'] ?? '', /transport=ws/, 'a websocket contact')
    await page.waitForSelector(`${REG}[data-state=registered]`, { timeout: 20_000 })
    t.equal(await page.textContent(REG), T.softphone.registration.registered, 'the panel says 已注册')
    t.match(await s.fs.observer.api('sofia_contact 1001@127.0.0.1'), /transport=ws/, 'user/1001 now reaches the browser (sofia_contact)')

    await goReady(page)
    t.equal((await s.stack.acd.status('1001')).state, 'ready', '1001 is ready (F6)')

    const caller = await s.sipp.caller('12345', CALLER, { kind: 'wait' })
    const uuid = await s.fs.observer.callFrom(CALLER)

    await page.waitForSelector(`${CALL}[data-state=ringing]`, { timeout: 30_000 })
    t.equal(await page.textContent(CALL), T.softphone.call.ringing, 'the browser rings: 振铃')
    const shown = (await page.textContent('[data-testid=softphone-caller]')) ?? ''
    const inviteFrom = /^From:.*$/im.exec(sipIn.find((f) => /^INVITE /.test(f)) ?? '')?.[0] ?? '(no INVITE seen on the websocket)'
    t.comment(`the INVITE to the browser: ${inviteFrom.trim()}; the panel shows ${JSON.stringify(shown)}`)
    // What the panel names: the gateway rings the agent with the hotline as caller-ID name and the
    // citizen as caller-ID number (call-router.ts: callerIdName = hotline number); softphone-sip.js
    // shows remote_identity.display_name before uri.user, so the panel says 来电 12345 (the hotline
    // dialled), not the citizen's number (the appeal card shows that one, masked). The peer's recorded
    // INVITE has no display name and 12345 as the number, so test/browser sees 12345 for another reason.
    t.equal(shown, T.softphone.caller('12345'), 'the panel names the hotline dialled (来电 12345)')
    t.notMatch(shown, CALLER, "not the citizen's unmasked number")
    const agentCreate = await s.fs.observer.waitFor(
      (e) => e.name === 'CHANNEL_CREATE' && e.headers['Call-Direction'] === 'outbound' && /^sofia\/agents\//.test(e.headers['Channel-Name'] ?? ''),
      'the agent leg created',
    )
    const agentLeg = agentCreate.uuid!
    t.match(agentCreate.headers['Channel-Name'], /\.invalid/, `the agent leg goes to the JsSIP contact (${agentCreate.headers['Channel-Name']})`)

    await button(page, T.softphone.answer).click()
    const answeredAt = Date.now()
    await page.waitForSelector(`${CALL}[data-state=active]`, { timeout: 15_000 })
    t.equal(await page.textContent(CALL), T.softphone.call.active, '接听: 通话中')
    const bridge = await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_BRIDGE' && (e.uuid === uuid || e.uuid === agentLeg), 'caller bridged to the browser', 20_000)
    const other = bridge.uuid === uuid ? bridge.headers['Other-Leg-Unique-ID'] : bridge.uuid
    t.equal(other, agentLeg, 'the caller is bridged to the WebRTC leg')
    const st = await until(async () => {
      const x = await s.stack.acd.status('1001')
      return x.state === 'busy' && x.appealIds.length === 1 ? x : undefined
    }, 'agent 1001 busy with the call')
    const appeal = await s.queue.get(st.appealIds[0])
    t.match(appeal, { channel: 'voice', origin: '12345', citizen: { phone: CALLER }, call: { callId: uuid } }, 'the call is an appeal held by 1001')

    // ~5 s of talking, then count both ways.
    await new Promise((r) => setTimeout(r, Math.max(0, 5500 - (Date.now() - answeredAt))))
    const fsLeg = await fsRtp(s, agentLeg)
    const fsCaller = await fsRtp(s, uuid)
    const br = await browserRtp(page)
    t.comment(`after ~5 s: FreeSWITCH WebRTC leg in ${fsLeg.in} / out ${fsLeg.out}; caller leg in ${fsCaller.in} / out ${fsCaller.out}; browser received ${br.received} / sent ${br.sent} (codec ${br.codec}, inbound audioLevel ${br.audioLevel}, pair ${br.pair}, ${br.pcs} peer connection(s))`)
    t.equal(br.pcs, 1, 'one peer connection in the page (JsSIP session.connection)')
    t.ok(fsLeg.in > MIN_PACKETS, `FreeSWITCH received the browser's audio on the WebRTC leg (${fsLeg.in} RTP packets in)`)
    t.ok(fsLeg.out > MIN_PACKETS, `FreeSWITCH sent the caller's audio to the browser (${fsLeg.out} RTP packets out)`)
    t.ok(br.received > MIN_PACKETS, `the browser received audio (getStats inbound-rtp packetsReceived ${br.received})`)
    t.ok(br.sent > MIN_PACKETS, `the browser sent audio (getStats outbound-rtp packetsSent ${br.sent})`)
    t.ok((br.audioLevel ?? 0) > 0.01, `what the browser receives is not silence (inbound audioLevel ${br.audioLevel}: the caller's tone)`)
    t.ok(fsCaller.in > MIN_PACKETS && fsCaller.out > MIN_PACKETS, `and the caller's leg both ways (${fsCaller.in} in / ${fsCaller.out} out)`)
    await screenshot(page, 'real-softphone-call')

    // 挂断 from the console: BYE over the websocket, the WebRTC leg and the caller's leg end.
    await button(page, T.softphone.hangup).click()
    const agentEnd = await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === agentLeg, 'the WebRTC leg ended', 15_000)
    t.equal(agentEnd.headers['variable_sip_hangup_disposition'], 'recv_bye', 'FreeSWITCH received the BYE from the browser')
    t.equal(agentEnd.headers['Hangup-Cause'], 'NORMAL_CLEARING', 'the WebRTC leg ended NORMAL_CLEARING')
    t.ok(num(agentEnd, 'rtp_audio_in_packet_count') > MIN_PACKETS && num(agentEnd, 'rtp_audio_out_packet_count') > MIN_PACKETS,
      `WebRTC leg at hang-up: ${num(agentEnd, 'rtp_audio_in_packet_count')} in / ${num(agentEnd, 'rtp_audio_out_packet_count')} out`)
    const callerEnd = await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && e.uuid === uuid, "the caller's leg ended", 15_000)
    t.comment(`caller leg at hang-up: ${callerEnd.headers['Hangup-Cause']}, ${num(callerEnd, 'rtp_audio_in_packet_count')} in / ${num(callerEnd, 'rtp_audio_out_packet_count')} out`)
    t.equal(await caller.exited, 0, 'the caller got the centre\'s BYE and answered 200 (sipp scenario complete)')
    await until(async () => /^0 total\./m.test(await s.fs.observer.api('show channels')) || undefined, 'no channel left in FreeSWITCH', 10_000)
    t.pass('FreeSWITCH has no channel left (show channels: 0 total.)')
    await page.waitForSelector(`${CALL}[data-state=ended]`)
    t.equal(await page.textContent(CALL), T.softphone.call.ended, 'the panel says 已挂断')
    await until(() => s.voice!.router.activeCalls().length === 0 || undefined, 'the call is over for the router', 10_000)
    t.pass('the gateway router has no active call left')
    t.same((await s.stack.acd.status('1001')).appealIds, [appeal!.id], 'the agent still holds the appeal to complete it')
    await screenshot(page, 'real-softphone-ended')
  })
}
