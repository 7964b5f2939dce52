/**
 * The voice path's configuration: FreeSWITCH servers (event socket), caller-number rules, IVR flows,
 * prompts, waiting, call-backs and recording. Loaded and validated with the rest (config/load.ts).
 */
import { Type, type Static } from '@sinclair/typebox'

export const MediaServerSchema = Type.Object(
  {
    /** Name in logs, on calls and in metrics, e.g. fs1. */
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8021 }),
    /** Event-socket password; empty: FS_ESL_PASSWORD. */
    password: Type.String({ default: '' }),
  },
  { additionalProperties: false },
)
export type MediaServerConfig = Static<typeof MediaServerSchema>

const DIAL_TEMPLATE = '^[^\\s{},]*\\$\\{(number|agentId)\\}[^\\s{},]*$'

export const VoiceSchema = Type.Object(
  {
    /** FreeSWITCH servers (FREESWITCH_SERVERS=fs1=127.0.0.1:8021,fs2=...). None: the voice path is off. */
    servers: Type.Array(MediaServerSchema, { default: [] }),
    /** FS_ESL_PASSWORD: the event-socket password of servers that set none. */
    eslPassword: Type.String({ default: '' }),
    eventSocket: Type.Object(
      {
        connectTimeoutMs: Type.Integer({ minimum: 100, default: 3000 }),
        commandTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
        backoffInitialMs: Type.Integer({ minimum: 10, default: 200 }),
        backoffMaxMs: Type.Integer({ minimum: 100, default: 5000 }),
        /** A health probe (`api status`) this often; unanswered within healthTimeoutMs = dead socket. */
        healthIntervalMs: Type.Integer({ minimum: 100, default: 1000 }),
        healthTimeoutMs: Type.Integer({ minimum: 100, default: 1500 }),
        /** Not connected again within this time: the server is down and its calls end in the ACD (< 5 s in all). */
        downAfterMs: Type.Integer({ minimum: 100, default: 2000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** The city's area code: a 7-8 digit landline without one gets it (VOICE_AREA_CODE). */
    areaCode: Type.String({ pattern: '^0[1-9][0-9]{1,2}$', default: '010' }),
    /** Caller id the centre shows on call-backs and agent legs. */
    centreNumber: Type.String({ pattern: '^[0-9]{3,20}$', default: '12345' }),
    /** Dial string of a number outside, through the carrier profile; `${number}` is replaced. */
    carrierDialString: Type.String({ pattern: DIAL_TEMPLATE, default: 'sofia/carrier/${number}@127.0.0.1:5060' }),
    /** Dial string of an agent's phone unless the agent sets one; `${agentId}` is replaced. */
    agentDialString: Type.String({ pattern: DIAL_TEMPLATE, default: 'user/${agentId}' }),
    /** IVR flows: config/ivr/*.json; the flow each hotline starts with (default: `defaultFlow`). */
    flowsDir: Type.String({ default: 'config/ivr' }),
    defaultFlow: Type.String({ pattern: '^[a-z0-9-]+$', default: 'default' }),
    flowByHotline: Type.Record(Type.String({ pattern: '^[0-9]{3,8}$' }), Type.String({ pattern: '^[a-z0-9-]+$' }), { default: {} }),
    /** Prompt index (id -> text) and the folder of the prompt files (<id>.wav), replaceable by recordings. */
    promptIndex: Type.String({ default: 'config/prompts/prompts-zh.json' }),
    promptsDir: Type.String({ default: '.prompts/zh' }),
    /** Where call recordings and messages are written (as the media server sees the path). */
    recordingsDir: Type.String({ default: '.recordings' }),
    recordCalls: Type.Boolean({ default: true }),
    waiting: Type.Object(
      {
        music: Type.String({ default: 'local_stream://moh' }),
        /** Position and estimated wait are spoken this often while waiting (0: never). */
        announceEverySeconds: Type.Integer({ minimum: 0, default: 30 }),
        /** After this long the caller is offered a call-back (按1键). 0: never. */
        callbackOfferAfterSeconds: Type.Integer({ minimum: 0, default: 60 }),
        /** Past this wait the call goes to `maxWaitFlow` (overflow: leave a message). 0: no limit. */
        maxWaitSeconds: Type.Integer({ minimum: 0, default: 600 }),
        maxWaitFlow: Type.String({ pattern: '^[a-z0-9-]+$', default: 'overflow' }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Browser softphones: they register to FreeSWITCH's ws-binding with credentials the gateway issues. */
    softphone: Type.Object(
      {
        /** The WebSocket URL browsers reach FreeSWITCH's `ws-binding` at (wss:// in production). */
        wsUrl: Type.String({ pattern: '^wss?://[^\\s]+$', default: 'ws://127.0.0.1:5066' }),
        /** SIP domain of the agents' directory (FS_DOMAIN in config/freeswitch). */
        domain: Type.String({ minLength: 1, default: '127.0.0.1' }),
        /** AGENT_SIP_SECRET (>= 32 chars in production): agents' SIP passwords are HMACs of it; the FreeSWITCH directory is rendered from the same secret. */
        secret: Type.String({ default: 'dev-only-agent-sip-secret-change-me' }),
      },
      { additionalProperties: false, default: {} },
    ),
    callback: Type.Object(
      {
        /** Tries to reach the citizen when the kept place comes up; then a written appeal with a note. */
        attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
        retryAfterSeconds: Type.Integer({ minimum: 1, default: 120 }),
        ringSeconds: Type.Integer({ minimum: 5, maximum: 120, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
)
export type VoiceConfig = Static<typeof VoiceSchema>

/** Per-agent phone: where offered calls ring, and whether they are answered without a click. */
export const AgentPhoneSchema = Type.Object(
  {
    /** Dial string of a desk SIP phone, e.g. `sofia/agents/8001%pbx.example`; default: voice.agentDialString. */
    endpoint: Type.Optional(Type.String({ pattern: '^[^\\s{},]+$' })),
    autoAnswer: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
)
