/**
 * The one configuration schema. Defaults live here; config/load.ts fills it from a JSON file plus
 * the environment, validates it once and freezes it. Secrets only ever come from the environment.
 */
import { Type, type Static } from '@sinclair/typebox'
import { AgentPhoneSchema, VoiceSchema } from './voice-schema.ts'
import { EmergencySchema } from './emergency-schema.ts'
import { SipSchema } from './sip-schema.ts'

const Str = (opts: object = {}) => Type.String(opts)
const Secret = () => Type.String({ default: '' })

export const HotlineSchema = Type.Object(
  {
    number: Type.String({ pattern: '^[0-9]{3,8}$' }),
    name: Type.String({ minLength: 1 }),
    department: Type.String({ minLength: 1 }),
    skill: Type.String({ minLength: 1 }),
    category: Type.String({ minLength: 1 }),
    /** main: 12345 itself; cancelled: routed straight into 12345; parallel: 双号并行, origin kept. */
    status: Type.Union([Type.Literal('main'), Type.Literal('cancelled'), Type.Literal('parallel')]),
    /** Short notice played before routing, e.g. 您拨打的12315已并入12345. */
    notice: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type Hotline = Static<typeof HotlineSchema>

/** A skill with its level, e.g. {skill: 'hotline:market', level: 7}; see gateway/acd/skills.ts. */
export const SkillLevelSchema = Type.Object(
  {
    skill: Type.String({ pattern: '^(general|(hotline|category|language):.+)$' }),
    level: Type.Integer({ minimum: 1, maximum: 10, default: 5 }),
  },
  { additionalProperties: false },
)

/**
 * An agent or supervisor. passwordHash: `scrypt$N$r$p$salt$hash` (salt and hash base64url; see
 * docs/auth.md and `npx tsx gateway/auth/hash-password.ts`). A demo account (`demo: true`) has no
 * hash: its password is DEMO_PASSWORD, and production refuses it.
 */
export const AgentConfigSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9]{3,8}$' }),
    name: Type.String({ minLength: 1, maxLength: 32 }),
    role: Type.Union([Type.Literal('agent'), Type.Literal('supervisor')], { default: 'agent' }),
    skills: Type.Array(SkillLevelSchema, { default: [] }),
    writtenCapacity: Type.Integer({ minimum: 0, maximum: 20, default: 3 }),
    passwordHash: Type.Optional(Type.String({ pattern: '^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9_-]+\\$[A-Za-z0-9_-]+$' })),
    demo: Type.Boolean({ default: false }),
    /** Where offered calls ring (voice path). */
    phone: Type.Optional(AgentPhoneSchema),
  },
  { additionalProperties: false },
)
export type AgentConfig = Static<typeof AgentConfigSchema>

/** After `afterSeconds` of waiting, only the skill kinds in `keep` are still required (bullseye rings). */
const RelaxationStepSchema = Type.Object(
  {
    afterSeconds: Type.Number({ minimum: 0 }),
    keep: Type.Array(Type.Union([Type.Literal('hotline'), Type.Literal('category'), Type.Literal('language')]), {
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
)

const RateLimitSchema = Type.Object(
  {
    max: Type.Integer({ minimum: 1, default: 60 }),
    timeWindowMs: Type.Integer({ minimum: 1000, default: 60_000 }),
  },
  { additionalProperties: false, default: {} },
)

/** A government app on the generic signed channel: config, not code. */
export const SignedAppSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }),
    displayName: Type.String({ minLength: 1 }),
    /** Name of the environment variable that holds this app's HMAC secret. */
    secretEnv: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    secret: Type.String({ default: '' }),
    rateLimit: RateLimitSchema,
  },
  { additionalProperties: false },
)
export type SignedApp = Static<typeof SignedAppSchema>

export const ConfigSchema = Type.Object(
  {
    env: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
      default: 'development',
    }),
    /** The centre's time zone: appeal numbers and "today" follow it. */
    timezone: Str({ default: 'Asia/Shanghai' }),
    server: Type.Object(
      {
        host: Str({ default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        bodyLimitBytes: Type.Integer({ minimum: 1024, default: 1_048_576 }),
        trustProxy: Type.Boolean({ default: false }),
        /** Seconds SIGTERM waits for in-flight requests before closing anyway. */
        drainSeconds: Type.Integer({ minimum: 0, default: 10 }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    redis: Type.Object(
      {
        url: Str({ default: 'redis://127.0.0.1:6379' }),
        /** Every key this gateway writes starts with it; tests use a random one. */
        keyPrefix: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'gw' }),
      },
      { additionalProperties: false, default: {} },
    ),
    queue: Type.Object(
      {
        name: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'appeals' }),
        /** Days an appeal record is kept in Redis after intake (the work-order system keeps it for good). */
        retentionDays: Type.Integer({ minimum: 1, default: 180 }),
        /** Seconds after which an appeal whose queue entry was never confirmed is completed by the sweeper. */
        orphanAfterSeconds: Type.Integer({ minimum: 1, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    matter: Type.Object(
      {
        /** 并案 at intake: link each appeal to earlier appeals of the same matter. */
        enabled: Type.Boolean({ default: true }),
        /** Days back an appeal may find the same matter. */
        windowDays: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
      },
      { additionalProperties: false, default: {} },
    ),
    hotlines: Type.Array(HotlineSchema, { default: [] }),
    hotlinesFile: Str({ default: 'config/hotlines.json' }),
    agents: Type.Array(AgentConfigSchema, { default: [] }),
    /** Agents and supervisors (config/agents.json ships demo accounts 1001, 1002, 9001). */
    agentsFile: Str({ default: 'config/agents.json' }),
    auth: Type.Object(
      {
        /** Bearer tokens for staff APIs (STAFF_API_TOKENS, comma-separated). */
        staffTokens: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
        /** HS256 secret of agent access tokens (AUTH_JWT_SECRET, >= 32 chars); random per process when empty outside production. */
        jwtSecret: Type.String({ default: '' }),
        /** Password of demo accounts (DEMO_PASSWORD); 'demo12345' when empty outside production. */
        demoPassword: Type.String({ default: '' }),
        accessTtlSeconds: Type.Integer({ minimum: 30, default: 900 }),
        refreshTtlSeconds: Type.Integer({ minimum: 60, default: 43_200 }),
        lockout: Type.Object(
          {
            /** Failures (per username, and per IP x ipFactor) after which each further attempt must wait 2^k s. */
            slowAfter: Type.Integer({ minimum: 1, default: 3 }),
            /** Failures per username within windowSeconds that lock it for lockSeconds. */
            maxFailures: Type.Integer({ minimum: 1, default: 8 }),
            /** Failures per client IP within windowSeconds that lock that IP. */
            maxFailuresPerIp: Type.Integer({ minimum: 1, default: 40 }),
            windowSeconds: Type.Integer({ minimum: 1, default: 900 }),
            lockSeconds: Type.Integer({ minimum: 1, default: 900 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    acd: Type.Object(
      {
        /** Seconds an offer is reserved for one agent before it goes back (agent -> not-ready 未应答). */
        offerTimeoutSeconds: Type.Number({ minimum: 0.05, default: 15 }),
        /** Seconds of wrap-up after completing an appeal before the agent is ready again. */
        wrapUpSeconds: Type.Number({ minimum: 0, default: 30 }),
        /** Service level threshold (15秒接通率). */
        serviceLevelSeconds: Type.Number({ minimum: 1, default: 15 }),
        /** Calls abandoned within this many seconds are left out of the service level (Asterisk SL2-style). */
        shortAbandonSeconds: Type.Number({ minimum: 0, default: 5 }),
        /** Written appeals should be taken within this many seconds (GB/T 33358: 3 min). */
        writtenTargetSeconds: Type.Number({ minimum: 1, default: 180 }),
        /** Handle time assumed for EWT before any appeal was completed. */
        defaultHandleSeconds: Type.Number({ minimum: 1, default: 240 }),
        /** Language required when the appeal says nothing. */
        defaultLanguage: Str({ default: '普通话' }),
        /** Waiting entries the matcher looks at per queue and run (the head of each queue, by priority then age). */
        maxScan: Type.Integer({ minimum: 1, default: 200 }),
        /**
         * An agent with no connected console for this long goes offline (unless holding appeals): a
         * closed browser must not keep taking offers. 0: never. Longer than a gateway restart and
         * than two console heartbeats (console.heartbeatMs refreshes it).
         */
        presenceTimeoutSeconds: Type.Number({ minimum: 0, default: 60 }),
        /** How often each process sweeps expired offers and ended wrap-ups (ms). */
        sweepIntervalMs: Type.Integer({ minimum: 10, default: 500 }),
        /** Days the per-agent state log and daily counters are kept. */
        historyDays: Type.Integer({ minimum: 1, default: 90 }),
        relaxation: Type.Array(RelaxationStepSchema, {
          default: [
            { afterSeconds: 30, keep: ['hotline'] },
            { afterSeconds: 60, keep: [] },
          ],
        }),
        /** Per-queue relaxation (queue = the hotline skill, e.g. 'market'); others use `relaxation`. */
        queues: Type.Record(Type.String(), Type.Object({ relaxation: Type.Array(RelaxationStepSchema) }, { additionalProperties: false }), {
          default: {},
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    handoff: Type.Object(
      {
        queueName: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'workorders' }),
        deadLetterQueueName: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'workorders-dead' }),
        /** Work-order webhook; empty: records wait in the queue for the work-order system's own consumer. */
        webhookUrl: Str({ default: '' }),
        /** HMAC secret of the webhook (HANDOFF_WEBHOOK_SECRET). */
        webhookSecret: Type.String({ default: '' }),
        attempts: Type.Integer({ minimum: 1, default: 8 }),
        backoffMs: Type.Integer({ minimum: 1, default: 2000 }),
        timeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Agent console and wallboard (websocket /v1/agent/ws, static app /console/). */
    console: Type.Object(
      {
        /** Origins allowed to open the websocket besides the gateway's own (same-origin). */
        allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/]+$' }), { default: [] }),
        /** A socket that offered no token in Sec-WebSocket-Protocol must send {type:'auth'} within this time. */
        authTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
        /** Server ping interval; a socket that did not answer the previous ping is dropped. */
        heartbeatMs: Type.Integer({ minimum: 50, default: 20_000 }),
        /** Messages above this get CONSOLE_ERR_TOO_LARGE; above 4x the socket is closed (1009). */
        maxMessageBytes: Type.Integer({ minimum: 1024, default: 16_384 }),
        /** Wallboards get a fresh snapshot at least this often (longest wait grows without events). */
        wallboardRefreshMs: Type.Integer({ minimum: 100, default: 2000 }),
        /** Wrap-up disposition codes shown to agents (label: zh-CN). */
        dispositions: Type.Array(
          Type.Object(
            { code: Type.String({ pattern: '^[a-z0-9-]{2,40}$' }), label: Type.String({ minLength: 1 }) },
            { additionalProperties: false },
          ),
          {
            minItems: 1,
            default: [
              { code: 'resolved-on-line', label: '当场解答' },
              { code: 'work-order', label: '派发工单' },
              { code: 'transferred', label: '已转接' },
              { code: 'emergency-linked', label: '转110/119/120/122' },
              { code: 'duplicate', label: '重复诉求（并案）' },
              { code: 'invalid', label: '无效来电/骚扰' },
            ],
          },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    voice: VoiceSchema,
    /** 110/119/120/122: partners (config/emergency-partners.json), dispatcher links, record push. */
    emergency: EmergencySchema,
    sip: SipSchema,
    statusQuery: Type.Object(
      {
        rateLimit: RateLimitSchema,
        /** Wrong phone digits allowed per appeal number per hour before it is locked for that hour. */
        maxFailuresPerNumber: Type.Integer({ minimum: 1, default: 5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    channels: Type.Object(
      {
        web: Type.Object({ rateLimit: RateLimitSchema }, { additionalProperties: false, default: {} }),
        wechatMini: Type.Object(
          {
            appId: Secret(),
            secret: Secret(),
            apiBase: Str({ default: 'https://api.weixin.qq.com' }),
            sessionTtlSeconds: Type.Integer({ minimum: 60, default: 7200 }),
            rateLimit: RateLimitSchema,
            /** Milliseconds code2session may take before the login answers 503. */
            apiTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
          },
          { additionalProperties: false, default: {} },
        ),
        wechatOfficial: Type.Object(
          {
            appId: Secret(),
            token: Secret(),
            /** EncodingAESKey (WECHAT_OFFICIAL_AES_KEY): 43 letters and digits, or empty for plaintext mode. */
            aesKey: Type.String({ default: '', pattern: '^([A-Za-z0-9]{43})?$' }),
            rateLimit: RateLimitSchema,
            /** WeChat gives up after 5 s: past this the push is answered "success" and intake goes on in the background. */
            replyDeadlineMs: Type.Integer({ minimum: 100, maximum: 4800, default: 4500 }),
            /** How long a background intake keeps retrying while Redis is down. */
            backgroundRetrySeconds: Type.Integer({ minimum: 0, default: 600 }),
            /** Background intakes one process keeps at once (memory bound while Redis is down). */
            maxInFlight: Type.Integer({ minimum: 1, default: 1000 }),
            /** Seconds a location sent alone waits to be attached to the citizen's next message. */
            locationContextSeconds: Type.Integer({ minimum: 60, default: 1800 }),
            bodyLimitBytes: Type.Integer({ minimum: 1024, default: 65_536 }),
          },
          { additionalProperties: false, default: {} },
        ),
        mailbox: Type.Object(
          { secret: Secret(), rateLimit: RateLimitSchema },
          { additionalProperties: false, default: {} },
        ),
        messageBoard: Type.Object(
          { secret: Secret(), rateLimit: RateLimitSchema },
          { additionalProperties: false, default: {} },
        ),
        signedApps: Type.Array(SignedAppSchema, { default: [] }),
        /** Seconds a signed request's X-Timestamp may differ from our clock. */
        signatureWindowSeconds: Type.Integer({ minimum: 10, default: 300 }),
        /** Body limit of the signed channels' routes: a 500-message batch of long posts must fit. */
        signedBodyLimitBytes: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export type Config = Static<typeof ConfigSchema>
