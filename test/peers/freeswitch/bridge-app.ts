// The bridge application run by `sendmsg` (the gateway's blind transfer): A dials B and bridges to it.
import { type Channel, type RenderOpts, Q850, newChannel, nowUs, parseVars } from './channels.ts'
import type { Switch } from './switch.ts'

/**
 * The bridge application (sendmsg execute bridge <dial string>): not in any transcript as a sendmsg;
 * the B leg's CREATE/ANSWER and the A leg's CHANNEL_BRIDGE are the ones `&bridge(...)` produced in
 * esl2-originate-uuid. A stays up when B leaves (hangup_after_bridge is not set), as README says.
 */
export function bridgeApp (sw: Switch, a: Channel, arg: string, end: (response: string) => void, running: (stop: (reason: 'break' | 'hangup') => void) => () => void): void {
  const m = /^(?:\{([^}]*)\})?(\S+)/.exec(arg.trim())
  const target = m ? sw.resolve(m[2]) : { error: 'CHAN_NOT_IMPLEMENTED' }
  if ('error' in target) { sw.setVar(a, 'originate_disposition', target.error); end('_none_'); return }
  const v = Object.fromEntries(parseVars(m?.[1]))
  const b = newChannel({ direction: 'outbound', name: target.name, cidNum: v.origination_caller_id_number ?? a.cidNum, cidName: v.origination_caller_id_name ?? a.cidName, dest: target.dest, context: 'default' })
  if (v.origination_uuid) b.uuid = v.origination_uuid
  b.originateVars = parseVars(m?.[1]).map(([k, val]) => [`variable_${k}`, val])
  b.bridgeOwner = a.uuid
  sw.add(b)
  a.bridgedTo = b.uuid // for the Other-Leg headers of b's events
  const legs = { a, b, c: a, d: b }
  sw.r.one('app-bridge', 'CHANNEL_CREATE', 0, legs)
  a.bridgedTo = undefined
  let finish = () => {}
  const fail = (role: string, cause: string, ms: number) => sw.later(ms, () => {
    if (b.hungUp) return
    b.hungUp = true; b.answerState = 'hangup'; b.times.hungup = nowUs()
    const opts = { set: { 'Hangup-Cause': cause }, vars: { hangup_cause: cause, hangup_cause_q850: Q850[cause] } }
    sw.r.renderAll('originate-failures', { [role]: b }, opts, t => t.role === role && (t.name === 'CHANNEL_HANGUP' || t.name === 'CHANNEL_HANGUP_COMPLETE'))
    sw.drop(b)
    finish()
    sw.setVar(a, 'originate_disposition', cause)
    end('_none_')
  })
  const behaviour = target.behaviour
  const timeout = Number(v.originate_timeout ?? v.call_timeout ?? 60) * 1000
  finish = running(reason => {
    if (reason === 'hangup' || b.hungUp) { end('_none_'); return }
    // uuid_break of a bridge: FreeSWITCH would end the bridge; the peer hangs up the B leg
    sw.hangup(b, 'NORMAL_CLEARING', 'kill')
  })
  if (behaviour === 'busy') { fail('u', 'USER_BUSY', 20); return }
  if (behaviour === 'unreachable') { fail('t', 'NORMAL_TEMPORARY_FAILURE', 20); return }
  if (behaviour === 'no-answer' || behaviour.answerAfterMs >= timeout) { fail('n', 'NO_ANSWER', timeout); return }
  sw.later(behaviour.answerAfterMs, () => {
    if (b.hungUp || a.hungUp) return
    sw.markAnswered(b)
    a.bridgedTo = b.uuid; b.bridgedTo = a.uuid
    const t = nowUs(); a.times.bridged = t; b.times.bridged = t
    a.application = 'bridge'; a.applicationData = arg
    sw.setVar(a, 'originate_disposition', 'SUCCESS')
    sw.r.one('app-bridge', 'CHANNEL_ANSWER', 0, legs)
    sw.r.one('app-bridge', 'CHANNEL_BRIDGE', 0, legs)
  })
}

/** B leg of a bridge application leaves: A gets CHANNEL_UNBRIDGE, its bridge application ends, A stays. */
export function bridgeLegGone (sw: Switch, b: Channel, a: Channel, cause: string, how: 'kill' | 'bye'): void {
  b.hungUp = true; b.answerState = 'hangup'; b.times.hungup = nowUs()
  const opts: RenderOpts = { set: { 'Hangup-Cause': cause }, vars: { hangup_cause: cause, hangup_cause_q850: Q850[cause] ?? '16', sip_hangup_disposition: how === 'bye' ? 'recv_bye' : 'send_bye' } }
  sw.r.renderAll('outbound-hangup', { a: b }, opts, (_t, i) => i === 0)
  sw.r.one('app-bridge', 'CHANNEL_UNBRIDGE', 0, { c: a, d: b, a, b })
  sw.setVar(a, 'bridge_hangup_cause', cause)
  sw.setVar(a, 'last_bridge_hangup_cause', cause)
  a.bridgedTo = undefined
  sw.r.renderAll('outbound-hangup', { a: b }, opts, (_t, i) => i > 0)
  sw.drop(b)
  const app = a.apps?.find(x => x.name === 'bridge')
  app?.stop('hangup')
}
