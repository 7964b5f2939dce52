// Texts of `show channels [as json]` and `status`, shaped like the recorded ones (esl-inbound-plain,
// esl2-show-json, esl3-eavesdrop).
import { localStamp } from './channels.ts'
import type { Switch } from './switch.ts'

export function channelRows (sw: Switch): Array<Record<string, string>> {
  return [...sw.channels.values()].map(c => {
    const p = sw.partner(c)
    const inbound = c.direction === 'inbound'
    return {
      uuid: c.uuid, direction: c.direction, created: localStamp(c.times.created), created_epoch: String(Math.floor(c.times.created / 1e6)), name: c.name, state: c.channelState,
      cid_name: inbound ? c.cidName : (p?.cidName ?? c.cidName), cid_num: inbound ? c.cidNum : (p?.cidNum ?? c.cidNum), ip_addr: inbound ? '127.0.0.1' : '', dest: c.dest,
      application: c.apps?.length ? c.apps[c.apps.length - 1].name : c.application, application_data: c.apps?.length ? c.apps[c.apps.length - 1].arg : c.applicationData,
      dialplan: inbound ? 'XML' : '', context: c.context, read_codec: 'PCMU', read_rate: '8000', read_bit_rate: '64000', write_codec: 'PCMU', write_rate: '8000', write_bit_rate: '64000', secure: '', hostname: 'vm',
      presence_id: inbound ? '' : `${c.dest}@127.0.0.1`, presence_data: '', accountcode: '', callstate: c.answerState === 'answered' ? (c.held ? 'HELD' : 'ACTIVE') : 'RINGING',
      callee_name: p ? (inbound ? p.cidName : c.cidName) : '', callee_num: p ? (inbound ? p.cidNum : c.cidNum) : '', callee_direction: p ? 'SEND' : '', call_uuid: p && !inbound ? p.uuid : c.uuid,
      sent_callee_name: p ? p.cidName : '', sent_callee_num: p ? p.cidNum : '',
      initial_cid_name: c.cidName, initial_cid_num: c.cidNum, initial_ip_addr: inbound ? '127.0.0.1' : '', initial_dest: c.dest, initial_dialplan: inbound ? 'XML' : '', initial_context: c.context
    }
  })
}

export function showChannelsText (rows: Array<Record<string, string>>): string {
  if (rows.length === 0) return '\n0 total.\n'
  const keys = Object.keys(rows[0])
  return `${keys.join(',')}\n${rows.map(r => keys.map(k => r[k]).join(',')).join('\n')}\n\n${rows.length} total.\n`
}

/** `status`: uptime since `startedHr`, sessions since startup and now; the rest as recorded. */
export function statusText (startedHr: bigint, sinceStartup: number, now: number): string {
  let us = Number((process.hrtime.bigint() - startedHr) / 1000n)
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`
  const parts: Array<[number, string]> = []
  for (const [div, name] of [[365 * 86400e6, 'year'], [86400e6, 'day'], [3600e6, 'hour'], [60e6, 'minute'], [1e6, 'second'], [1e3, 'millisecond'], [1, 'microsecond']] as const) { parts.push([Math.floor(us / div), name]); us %= div }
  return `UP ${parts.map(([v, name]) => unit(v, name)).join(', ')}\nFreeSWITCH (Version 1.11.3-dev  64bit) is ready\n${sinceStartup} session(s) since startup\n${now} session(s) - peak ${now}, last 5min ${now} \n0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n100 session(s) max\nmin idle cpu 0.00/22.63\nCurrent Stack Size/Max 240K/8192K\n`
}
