/**
 * The one configuration schema. Defaults live here; config/load.ts fills it from a JSON file plus
 * the environment, validates it once and freezes it. Secrets only ever come from the environment.
 */
import { Type, type Static } from '@sinclair/typebox'

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
    hotlines: Type.Array(HotlineSchema, { default: [] }),
    hotlinesFile: Str({ default: 'config/hotlines.json' }),
    auth: Type.Object(
      {
        /** Bearer tokens for staff APIs (STAFF_API_TOKENS, comma-separated). */
        staffTokens: Type.Array(Type.String({ minLength: 16 }), { default: [] }),
      },
      { additionalProperties: false, default: {} },
    ),
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
            aesKey: Secret(),
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
