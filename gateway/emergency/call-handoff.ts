/**
 * Handing a live call to 110/119/120/122, carried out over the event socket (any gateway process:
 * the call's legs are named in Redis, ../telephony/agent-calls.ts):
 *   one-key      the dispatcher's line is called first (through the SIP edge, on the partner's trunk)
 *                with the appeal's reference: User-to-User (RFC 7433, the appeal number in hex),
 *                Call-Info (RFC 7852, the handoff record's link), X-Case-Id, and Geolocation (RFC 6442,
 *                by value as PIDF-LO) when a place is known; answered, the caller is bridged to it and
 *                the agent's leg ends. Not answered or busy: nothing changes, the caller stays with the
 *                agent (the console says so). The record is pushed to the partner's platform either way.
 *   three-party  caller and agent move into a conference, the dispatcher is called into it with the
 *                same headers; not answered: caller and agent go on talking in it (never alone).
 *   consult      the agent talks to the dispatcher privately: the caller is muted, deafened and hears
 *                hold music; `off` brings the caller back.
 *   drop         the dispatcher's leg ends; caller and agent stay.
 * The agent leaves a three-party call with call.hangup (caller and dispatcher go on).
 */
import type { Logger } from 'pino'
import type { Location } from '../domain/appeal.ts'
import type { MediaControl } from '../domain/media.ts'
import type { VoiceConfig } from '../../config/voice-schema.ts'
import type { AgentCall, AgentCalls } from '../telephony/agent-calls.ts'
import { MEDIA_ERR_COMMAND, MEDIA_ERR_NO_CALL } from '../telephony/errors.ts'
import type { EmergencyDesk } from './emergency-desk.ts'
import type { HandoffRecord } from './handoff-record.ts'
import type { PartnerId } from './partners.ts'

export type CallHandoffOutcome = 'transferred' | 'joined' | 'not-answered'

export interface CallHandoffOptions {
  media: MediaControl & { api(serverId: string, cmd: string): Promise<string> }
  calls: AgentCalls
  desk: EmergencyDesk
  voice: VoiceConfig
  logger: Logger
}

export interface HandoffNote {
  summary?: string
}

export class CallHandoff {
  readonly #o: CallHandoffOptions

  constructor(opts: CallHandoffOptions) {
    this.#o = opts
  }

  async oneKey(agentId: string, partnerId: PartnerId, note: HandoffNote = {}): Promise<{ record: HandoffRecord; outcome: CallHandoffOutcome }> {
    const c = await this.#call(agentId)
    const { record } = await this.#o.desk.handOff({ appealId: c.appealId, partner: partnerId, how: 'one-key', agentId, summary: note.summary })
    const log = this.#o.logger.child({ appealId: c.appealId, agentId, partner: partnerId, handoffId: record.id })
    let partnerLeg: string
    try {
      partnerLeg = await this.#o.media.originate({
        serverId: c.serverId,
        target: this.#dial(partnerId),
        callerIdNumber: this.#o.voice.centreNumber,
        timeoutSeconds: 30,
        vars: { gw_leg: 'partner', gw_appeal: c.appealId, ...(await this.#headers(record)) },
      })
    } catch (err) {
      log.info({ cause: (err as { cause?: string }).cause }, 'the dispatcher did not answer the one-key transfer; the caller stays with the agent')
      return { record, outcome: 'not-answered' }
    }
    await this.#o.media.bridge(c.serverId, c.callId, partnerLeg)
    await this.#o.media.hangup(c.serverId, c.legId).catch(() => undefined)
    await this.#o.calls.clear(agentId, c.callId)
    log.info('call handed to the dispatcher (one-key)')
    return { record, outcome: 'transferred' }
  }

  async threeParty(agentId: string, partnerId: PartnerId, note: HandoffNote = {}): Promise<{ record: HandoffRecord; outcome: CallHandoffOutcome }> {
    const c = await this.#call(agentId)
    const { record } = await this.#o.desk.handOff({ appealId: c.appealId, partner: partnerId, how: 'three-party', agentId, summary: note.summary })
    const log = this.#o.logger.child({ appealId: c.appealId, agentId, partner: partnerId, handoffId: record.id })
    const room = c.conference ?? `gw-${c.appealId}`
    if (!c.conference) await this.#o.media.api(c.serverId, `uuid_transfer ${c.callId} -both conference:${room}@default inline`)
    await this.#o.calls.set({ ...c, conference: room, handoffId: record.id })
    try {
      const partnerLeg = await this.#o.media.originate({
        serverId: c.serverId,
        target: this.#dial(partnerId),
        callerIdNumber: this.#o.voice.centreNumber,
        timeoutSeconds: 30,
        vars: { gw_leg: 'partner', gw_appeal: c.appealId, ...(await this.#headers(record)) },
        app: `conference(${room}@default)`,
      })
      await this.#o.calls.set({ ...c, conference: room, handoffId: record.id, partnerLeg })
      log.info('dispatcher joined the three-party call')
      return { record, outcome: 'joined' }
    } catch (err) {
      log.info({ cause: (err as { cause?: string }).cause }, 'the dispatcher did not answer; caller and agent go on talking')
      return { record, outcome: 'not-answered' }
    }
  }

  /** Private consult with the dispatcher: the caller is muted, deafened and hears music (off: back). */
  async consult(agentId: string, on: boolean): Promise<void> {
    const c = await this.#call(agentId)
    if (!c.conference || !c.partnerLeg) throw new MEDIA_ERR_COMMAND('consult', 'no dispatcher in the call')
    const member = await this.#member(c, c.callId)
    const room = c.conference
    if (on) {
      await this.#o.media.api(c.serverId, `conference ${room} mute ${member}`)
      await this.#o.media.api(c.serverId, `conference ${room} deaf ${member}`)
      await this.#o.media.api(c.serverId, `conference ${room} play ${this.#o.voice.waiting.music} ${member}`)
    } else {
      await this.#o.media.api(c.serverId, `conference ${room} stop all ${member}`).catch(() => undefined)
      await this.#o.media.api(c.serverId, `conference ${room} undeaf ${member}`)
      await this.#o.media.api(c.serverId, `conference ${room} unmute ${member}`)
    }
  }

  /** The dispatcher leaves the three-party call; caller and agent stay. */
  async dropPartner(agentId: string): Promise<void> {
    const c = await this.#call(agentId)
    if (!c.partnerLeg) throw new MEDIA_ERR_COMMAND('drop', 'no dispatcher in the call')
    await this.#o.media.hangup(c.serverId, c.partnerLeg)
    await this.#o.calls.set({ ...c, partnerLeg: undefined })
  }

  async #member(c: AgentCall, uuid: string): Promise<string> {
    const list = await this.#o.media.api(c.serverId, `conference ${c.conference} list`)
    const row = list.split('\n').find((l) => l.split(';')[2] === uuid)
    if (!row) throw new MEDIA_ERR_COMMAND('consult', 'the caller is not in the conference')
    return row.split(';')[0]
  }

  /** The SIP headers of the partner's leg (sip_h_* variables: no commas, no braces in values). */
  async #headers(record: HandoffRecord): Promise<Record<string, string>> {
    const ref = record.appealNumber
    const vars: Record<string, string> = {
      'sip_h_User-to-User': `${Buffer.from(ref).toString('hex')};encoding=hex;purpose=isdn-uui;content=appeal-number`,
      'sip_h_Call-Info': `<${record.link}>;purpose=emergency-CallData`,
      'sip_h_X-Case-Id': ref,
    }
    const loc = record.location as Location | undefined
    if (loc?.lat !== undefined && loc.lng !== undefined) {
      vars.sip_geolocation = `<cid:loc-${ref}@12345>`
      vars.sip_multipart = `'application/pidf+xml:${pidf(ref, loc.lat, loc.lng)}'`
    }
    for (const [k, v] of Object.entries(vars)) if (/[,{}]/.test(v.replace(/^'|'$/g, ''))) throw new MEDIA_ERR_COMMAND('handoff', `header ${k} cannot be sent`)
    return vars
  }

  #dial(partnerId: PartnerId): string {
    return this.#o.voice.carrierDialString.replace('${number}', this.#o.desk.partner(partnerId).dial)
  }

  async #call(agentId: string): Promise<AgentCall> {
    const c = await this.#o.calls.get(agentId)
    if (!c) throw new MEDIA_ERR_NO_CALL()
    return c
  }
}

/** A PIDF-LO point (RFC 4119 / 5491), one line, no commas. */
function pidf(ref: string, lat: number, lng: number): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" entity="pres:${ref}@12345">` +
    `<tuple id="loc"><status><gp:geopriv><gp:location-info><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>${lat} ${lng}</gml:pos></gml:Point></gp:location-info></gp:geopriv></status></tuple></presence>`
  )
}
