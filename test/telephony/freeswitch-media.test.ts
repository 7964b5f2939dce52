import t from 'tap'
import { pino } from 'pino'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFreeswitchPeer, type FreeswitchPeer } from '../peers/freeswitch/peer.ts'
import { FreeswitchMedia } from '../../gateway/telephony/freeswitch/freeswitch-media.ts'
import type { MediaEvent } from '../../gateway/domain/media.ts'
import { until } from '../voice/helpers/voice-scene.ts'

const PASSWORD = 'ClueCon'
const quiet = pino({ level: 'silent' })

function media(peer: FreeswitchPeer, over: Partial<ConstructorParameters<typeof FreeswitchMedia>[0]> = {}) {
  const m = new FreeswitchMedia({
    servers: [{ id: 'fs1', host: peer.host, port: peer.port, password: PASSWORD }],
    timeouts: { connectMs: 2000, commandMs: 2000 },
    backoff: { initialMs: 50, maxMs: 400 },
    health: { intervalMs: 300, timeoutMs: 1200 },
    downAfterMs: 1200,
    logger: quiet,
    ...over,
  })
  const events: MediaEvent[] = []
  m.subscribe((e) => events.push(e))
  return { m, events }
}


t.test('connects, subscribes to named events only, and reports a parked inbound call with its hotline and caller', async (t) => {
  const peer = await startFreeswitchPeer({ password: PASSWORD, playbackMs: 20 })
  t.teardown(() => peer.close())
  const { m, events } = media(peer)
  t.teardown(() => m.close())
  await m.start()
  t.same(m.upServers(), ['fs1'])
  const sub = peer.commands.find((c) => c.line.startsWith('event plain'))
  t.ok(sub, 'subscribed in plain format')
  t.notMatch(sub!.line, /\bALL\b/, 'never ALL')
  t.match(sub!.line, /CHANNEL_PARK/)
  t.ok(events.some((e) => e.type === 'server-up'))

  const uuid = await peer.placeCall({ destination: '12319', callerNumber: '13800138000', headers: { 'X-Hotline': '12319' } })
  const arrived = await until(() => events.find((e) => e.type === 'call-arrived'), 'call-arrived')
  t.match(arrived, { type: 'call-arrived', call: { callId: uuid, serverId: 'fs1', dialed: '12319', callerNumber: '13800138000' } })
})

t.test('answer, playback to the end, digits collected, a bridge, and -ERR bodies as coded errors', async (t) => {
  const peer = await startFreeswitchPeer({ password: PASSWORD, playbackMs: 20 })
  t.teardown(() => peer.close())
  const { m, events } = media(peer)
  t.teardown(() => m.close())
  await m.start()
  const caller = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  await m.answer('fs1', caller)
  t.ok(events.some((e) => e.type === 'answered' && e.callId === caller), 'answered event')
  const prompt = join(mkdtempSync(join(tmpdir(), 'gw-prompt-')), 'welcome.wav')
  writeFileSync(prompt, '')
  await m.play('fs1', caller, prompt)
  t.ok(peer.commands.some((c) => c.headers['execute-app-name'] === 'playback' && c.headers['execute-app-arg'] === prompt), 'played the file')
  const missing = await m.play('fs1', caller, '/nonexistent/prompt.wav').then(() => 'played', (e) => e.code)
  t.equal(missing, 'MEDIA_ERR_COMMAND', 'a missing file is an error, not silence')

  const collecting = m.collect('fs1', caller, { prompt, minDigits: 1, maxDigits: 1, tries: 1, timeoutMs: 2000, pattern: '\\d' })
  await peer.waitForCommand(/play_and_get_digits|sendmsg/)
  setTimeout(() => peer.sendDtmf(caller, '1'), 50)
  t.equal(await collecting, '1', 'the digit the caller pressed')

  peer.setEndpoint('user/1001', { answerAfterMs: 20 })
  const leg = await m.originate({ serverId: 'fs1', target: 'user/1001', callerIdNumber: '12345', timeoutSeconds: 5, vars: { gw_leg: 'agent' } })
  t.match(leg, /^[0-9a-f-]{36}$/, 'the agent leg id')
  await m.bridge('fs1', caller, leg)
  await until(() => peer.channels().find((c) => c.uuid === caller && c.bridgedTo === leg), 'bridged in the peer')

  peer.setEndpoint('user/1002', 'busy')
  const busy = await m.originate({ serverId: 'fs1', target: 'user/1002', callerIdNumber: '12345', timeoutSeconds: 5 }).catch((e) => e)
  t.match(busy, { code: 'MEDIA_ERR_ORIGINATE_FAILED', cause: 'USER_BUSY' })
  const absent = await m.originate({ serverId: 'fs1', target: 'user/1003', callerIdNumber: '12345', timeoutSeconds: 5 }).catch((e) => e)
  t.match(absent, { code: 'MEDIA_ERR_ORIGINATE_FAILED', cause: 'USER_NOT_REGISTERED' })

  const bad = await m.bridge('fs1', '00000000-0000-0000-0000-000000000000', leg).catch((e) => e)
  t.match(bad, { code: 'MEDIA_ERR_COMMAND', cause: /Invalid uuid/ })
  await m.hangup('fs1', '00000000-0000-0000-0000-000000000000')
  t.pass('ending a channel that is gone is not an error')

  peer.callerHangup(caller)
  await until(() => events.find((e) => e.type === 'hangup' && e.callId === caller), 'caller hangup')
  await until(() => events.find((e) => e.type === 'hangup' && e.callId === leg), 'the bridged agent leg ends too')
})

t.test('a wrong event-socket password is a clear coded error at startup', async (t) => {
  const peer = await startFreeswitchPeer({ password: PASSWORD })
  t.teardown(() => peer.close())
  const m = new FreeswitchMedia({
    servers: [{ id: 'fs1', host: peer.host, port: peer.port, password: 'wrong' }],
    timeouts: { connectMs: 2000, commandMs: 2000 },
    backoff: { initialMs: 50, maxMs: 400 },
    health: { intervalMs: 200, timeoutMs: 400 },
    downAfterMs: 800,
    logger: quiet,
  })
  t.teardown(() => m.close())
  await t.rejects(m.start(), { code: 'MEDIA_ERR_AUTH', message: /FS_ESL_PASSWORD/ })
})

t.test('a cut socket is reconnected, re-subscribed and reconciled; a server that stays away is down within 5 s', async (t) => {
  const peer = await startFreeswitchPeer({ password: PASSWORD })
  t.teardown(() => peer.close())
  const { m, events } = media(peer)
  t.teardown(() => m.close())
  await m.start()
  const uuid = await peer.placeCall({ destination: '12345', callerNumber: '13800138000' })
  const subs = () => peer.commands.filter((c) => c.line.startsWith('event plain')).length
  peer.dropConnections()
  const up = await until(() => events.filter((e) => e.type === 'server-up')[1], 'second server-up')
  t.equal(subs(), 2, 'subscribed again')
  t.ok(up.type === 'server-up' && up.live.some((c) => c.callId === uuid && c.direction === 'inbound'), 'the parked call is reported live')
  t.notOk(events.some((e) => e.type === 'server-down'), 'a quick reconnect is not a down server')

  const cutAt = Date.now()
  peer.stall(true)
  await until(() => events.find((e) => e.type === 'server-down'), 'server-down', 5000)
  t.ok(Date.now() - cutAt < 5000, `a server that stops answering is down within 5 s (${Date.now() - cutAt} ms)`)
  t.same(m.upServers(), [])
  await t.rejects(m.answer('fs1', uuid), { code: 'MEDIA_ERR_DISCONNECTED' })
  peer.stall(false)
  await until(() => events.filter((e) => e.type === 'server-up')[2], 'back up', 5000)
  t.same(m.upServers(), ['fs1'], 'back in the pool when it answers again')
})
