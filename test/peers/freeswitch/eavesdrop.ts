// Supervisor listen-in: &eavesdrop(<uuid>) and &three_way(<uuid>) as round 3b recorded them
// (esl3-eavesdrop, esl3-eavesdrop-vars): only events and the mode key; no audio is mixed.
import { type Channel } from './channels.ts'
import type { Switch } from './switch.ts'

/** &eavesdrop(<uuid>) / &three_way(<uuid>) on a supervisor leg (round 3b, esl3-eavesdrop). */
export function startEavesdrop (sw: Switch, c: Channel, app: string, arg: string, appUuid: string, running: (stop: (reason: 'break' | 'hangup') => void, onDigit?: (d: string) => void) => () => void): void {
  const target = sw.channels.get(arg.trim())
  c.application = app; c.applicationData = arg
  const set = { Application: app, 'Application-Data': arg, 'Application-UUID': appUuid }
  if (!target) {
    // unknown target: EXECUTE and EXECUTE_COMPLETE at once, then FreeSWITCH hangs up the supervisor
    sw.r.one('eavesdrop', 'CHANNEL_EXECUTE', 1, { u: c }, { set })
    sw.r.one('eavesdrop', 'CHANNEL_EXECUTE_COMPLETE', 1, { u: c }, { set: { ...set, 'Application-Response': '_none_' } })
    sw.hangup(c, 'NORMAL_CLEARING', 'kill')
    return
  }
  const legs = { s: c, b: target, a: sw.partner(target) }
  const v = (n: string) => sw.getVar(c, n)
  const mode = app === 'three_way' ? '3' : v('eavesdrop_whisper_aleg') === 'true' ? '1' : v('eavesdrop_whisper_bleg') === 'true' ? '2' : '0'
  c.eavesdrop = { target: target.uuid, mode, dtmf: app !== 'three_way' && v('eavesdrop_enable_dtmf') !== 'false' }
  sw.r.renderAll('eavesdrop', legs, t => (t.name === 'CHANNEL_EXECUTE' ? { set } : {}), (_t, i) => i < 4)
  const stop = (reason: 'break' | 'hangup') => {
    c.eavesdrop = undefined
    sw.r.renderAll('eavesdrop', legs, t => (t.name === 'CHANNEL_EXECUTE_COMPLETE' ? { set: { ...set, 'Application-Response': '_none_' } } : {}), (_t, i) => i >= 4 && i < 7)
    if (reason !== 'hangup') sw.hangup(c, 'NORMAL_CLEARING', 'kill') // nothing follows &eavesdrop()
  }
  const finish = running(stop, d => eavesdropKeys(c, d))
  c.eavesdropEnd = () => { finish(); stop('break') }
}

/** Keys 0-3 switch the eavesdrop mode, * ends it (phone DTMF, uuid_recv_dtmf, sendevent eavesdrop-command). */
export function eavesdropKeys (c: Channel, keys: string): void {
  for (const k of keys) {
    if (!c.eavesdrop) return
    if (k === '*') c.eavesdropEnd?.()
    else if ('0123'.includes(k)) c.eavesdrop.mode = k
  }
}
