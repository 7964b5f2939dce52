/**
 * The SIP edge's configuration (drachtio-server in front of FreeSWITCH): the drachtio connection,
 * the FreeSWITCH pool as SIP targets, trunks (config/trunks.json) and the guards against scanners
 * and floods. Loaded and validated with the rest (config/load.ts). No drachtio host: the edge is off
 * and carriers reach FreeSWITCH's carrier profile directly.
 */
import { Type, type Static } from '@sinclair/typebox'

const Cidr = Type.String({ pattern: '^[0-9a-fA-F.:]+(/[0-9]{1,3})?$' })
const SipUri = Type.String({ pattern: '^sips?:[^\\s]+$' })
const Digits = Type.String({ pattern: '^[0-9]{2,20}$' })

export const TrunkSchema = Type.Object(
  {
    /** Name in logs, metrics and X-Trunk, e.g. carrier-ct, partner-110. */
    id: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }),
    /** carrier: 12345 and the old numbers come in, call-backs and transfers go out; partner: an emergency line. */
    kind: Type.Union([Type.Literal('carrier'), Type.Literal('partner')]),
    /** The emergency partner behind a partner trunk: 110, 119, 120 or 122. */
    partner: Type.Optional(Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120'), Type.Literal('122')])),
    /** Addresses requests may come from (allowlist); anything else is refused with 403. */
    sources: Type.Array(Cidr, { minItems: 1 }),
    /** Where calls out on this trunk go (the carrier's or the partner's SIP address). */
    target: SipUri,
    /** Calls up at once on this trunk, both ways; past it: 503 with Retry-After. */
    maxCalls: Type.Integer({ minimum: 1, default: 500 }),
    /** New calls per second on this trunk (a token bucket of this size); past it: 503 with Retry-After. */
    callsPerSecond: Type.Integer({ minimum: 1, default: 50 }),
    /** Area code for numbers without one (7-8 digit local numbers). */
    areaCode: Type.String({ pattern: '^0[1-9][0-9]{1,2}$', default: '010' }),
    /** Calls out to these numbers leave on this trunk (a partner trunk: its emergency number). */
    numbers: Type.Array(Digits, { default: [] }),
    /** The carrier trunk for every other number out. */
    defaultOut: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
)
export type TrunkConfig = Static<typeof TrunkSchema>

export const SipMediaServerSchema = Type.Object(
  {
    /** The media server's id (as in voice.servers). */
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
    /** FreeSWITCH's carrier profile, e.g. sip:10.0.0.5:5080. */
    uri: SipUri,
  },
  { additionalProperties: false },
)

export const SipSchema = Type.Object(
  {
    drachtio: Type.Object(
      {
        /** DRACHTIO_HOST; empty: the SIP edge is off. */
        host: Type.String({ default: '' }),
        /** DRACHTIO_PORT: drachtio-server's admin port. */
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 9022 }),
        /** DRACHTIO_SECRET (required with a host). */
        secret: Type.String({ default: '' }),
        /** DRACHTIO_TLS=1: the admin connection is TLS (and stays TLS after a reconnect). */
        tls: Type.Boolean({ default: false }),
        /** DRACHTIO_TLS_CA: a PEM file of the CA that signed drachtio-server's admin certificate. */
        tlsCaFile: Type.String({ default: '' }),
        /** A ping this often; a server that leaves two unanswered is cut and reconnected (>= 5000, drachtio-srf's minimum). */
        pingIntervalMs: Type.Integer({ minimum: 5000, maximum: 300000, default: 5000 }),
        backoffInitialMs: Type.Integer({ minimum: 10, default: 200 }),
        backoffMaxMs: Type.Integer({ minimum: 100, default: 5000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** SIP_MEDIA_SERVERS=fs1=sip:10.0.0.5:5080,fs2=...: FreeSWITCH carrier profiles the edge sends calls to. */
    mediaServers: Type.Array(SipMediaServerSchema, { default: [] }),
    /** An OPTIONS ping to every media server this often; `downAfterFailures` unanswered in a row: out of the pool (< 5 s). */
    optionsIntervalMs: Type.Integer({ minimum: 100, default: 1000 }),
    optionsTimeoutMs: Type.Integer({ minimum: 100, default: 1500 }),
    downAfterFailures: Type.Integer({ minimum: 1, default: 2 }),
    trunks: Type.Array(TrunkSchema, { default: [] }),
    trunksFile: Type.String({ default: 'config/trunks.json' }),
    /** Requests whose User-Agent contains one of these (case-insensitive) are refused: SIP scanners. */
    blockedUserAgents: Type.Array(Type.String({ minLength: 3 }), {
      default: ['friendly-scanner', 'sipcli', 'sipvicious', 'sip-scan', 'sipsak', 'iWar', 'sundayddr', 'VaxSIPUserAgent', 'pplsip', 'smap', 'Cisco-SIPGateway-Scanner'],
    }),
    /** Requests per source address per second (every method); past it: 503 (a flood from one address). */
    perSourceRequestsPerSecond: Type.Integer({ minimum: 1, default: 30 }),
    /** Retry-After (seconds) on a 503 for a trunk over its limits. */
    retryAfterSeconds: Type.Integer({ minimum: 1, default: 5 }),
  },
  { additionalProperties: false, default: {} },
)
export type SipConfig = Static<typeof SipSchema>
