/**
 * FreeSWITCH events -> the media port's events. An inbound call is a channel that the dialplan
 * parked (CHANNEL_PARK, Call-Direction inbound) and that the gateway did not originate itself (its
 * own legs carry `gw_leg`). The number dialed comes from the `hotline` variable the shipped dialplan
 * sets (X-Hotline from the SIP edge, else the Request-URI user), then from Caller-Destination-Number.
 */
import type { InboundCall, MediaEvent } from '../../domain/media.ts'
import type { FsEvent } from './fs-event.ts'

/** Partner headers FreeSWITCH exposes as variables (fixtures round 3b: sip_h_* keep their case). */
const HEADER_VARIABLES: Record<string, string> = {
  sip_call_info: 'Call-Info',
  sip_geolocation: 'Geolocation',
}

export function toMediaEvent(serverId: string, e: FsEvent): MediaEvent | undefined {
  const callId = e.uuid
  if (!callId) return undefined
  switch (e.name) {
    case 'CHANNEL_PARK':
      if (e.get('Call-Direction') !== 'inbound' || e.variable('gw_leg')) return undefined
      return { type: 'call-arrived', call: inboundCall(serverId, e) }
    case 'CHANNEL_ANSWER':
      return { type: 'answered', callId, serverId }
    case 'DTMF': {
      const digit = e.get('DTMF-Digit')
      return digit ? { type: 'dtmf', callId, serverId, digit } : undefined
    }
    case 'CHANNEL_BRIDGE': {
      const other = e.get('Other-Leg-Unique-ID') ?? e.get('Bridge-B-Unique-ID')
      return other ? { type: 'bridged', callId, serverId, otherCallId: other } : undefined
    }
    case 'CHANNEL_UNBRIDGE':
      return { type: 'unbridged', callId, serverId }
    case 'CHANNEL_HOLD':
      return { type: 'held', callId, serverId, held: true }
    case 'CHANNEL_UNHOLD':
      return { type: 'held', callId, serverId, held: false }
    case 'CHANNEL_HANGUP_COMPLETE':
      return { type: 'hangup', callId, serverId, cause: e.get('Hangup-Cause') ?? 'NORMAL_CLEARING' }
    default:
      return undefined
  }
}

export function inboundCall(serverId: string, e: FsEvent): InboundCall {
  const headers: Record<string, string> = {}
  for (const [variable, header] of Object.entries(HEADER_VARIABLES)) {
    const v = e.variable(variable)
    if (v) headers[header] = v
  }
  for (const name of ['User-to-User', 'X-Partner', 'X-Partner-Case', 'X-UUI', 'X-Call-Info', 'X-Geolocation', 'X-Hotline', 'X-Trunk']) {
    const v = e.variable(`sip_h_${name}`)
    if (v) headers[name] = v
  }
  const number = e.get('Caller-Caller-ID-Number')
  const withheld = !number || /^(anonymous|unknown|0000000000)$/i.test(number) || e.get('Caller-Privacy-Hide-Number') === 'true'
  const created = Number(e.get('Caller-Channel-Created-Time') ?? 0)
  return {
    callId: e.uuid!,
    serverId,
    dialed: e.variable('hotline') || e.get('Caller-Destination-Number') || '',
    callerNumber: withheld ? undefined : number,
    diversion: e.variable('sip_h_Diversion') ?? e.variable('gw_diversion') ?? undefined,
    headers,
    startedAt: created > 0 ? new Date(Math.floor(created / 1000)) : new Date(),
  }
}

/** A row of `show channels as json` as the reconcile needs it. */
export interface ChannelRow {
  uuid: string
  direction: string
  dest: string
  cid_num: string
  application?: string
  callstate?: string
}

/** Parses `show channels as json`; the empty form is `{"row_count": 0}` with no rows (fixtures round 2). */
export function parseChannels(body: string): ChannelRow[] {
  const parsed = JSON.parse(body) as { row_count: number; rows?: ChannelRow[] }
  return parsed.rows ?? []
}
