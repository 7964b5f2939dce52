/**
 * WeChat official account (公众号) message push:
 *   GET  /v1/channels/wechat/official  server URL verification (echo echostr when the signature holds)
 *   POST /v1/channels/wechat/official  messages and events, plaintext or safe mode (encrypt_type=aes)
 * Every push is signed; the XML is read only after the signature holds. An appeal is answered with a
 * passive text reply carrying its number, inside WeChat's 5-second limit (see deadline-intake.ts).
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { Config } from '../../config/schema.ts'
import type { ChannelDeps } from '../index.ts'
import { intake, storeOp } from '../common/intake.ts'
import { ErrorSchema } from '../common/draft-schema.ts'
import { GW_ERR_RATE_LIMITED, withField } from '../../gateway/errors.ts'
import { rateLimitOf } from '../../gateway/http/rate-limit.ts'
import {
  CH_ERR_BAD_SIGNATURE,
  CH_ERR_BODY_TOO_LARGE,
  CH_ERR_CHANNEL_DISABLED,
  CH_ERR_STALE_TIMESTAMP,
  CH_ERR_UNSUPPORTED_MEDIA_TYPE,
  CH_ERR_WECHAT_DECRYPT_FAILED,
  CH_ERR_XML_MALFORMED,
} from '../errors.ts'
import { signatureMatches, WechatCrypto, WechatCryptoError, wechatSignature } from './crypto.ts'
import { DeadlineIntake, LATE } from './deadline-intake.ts'
import { LocationContext } from './location-context.ts'
import { classify } from './message.ts'
import { REPLIES_ZH } from './replies-zh.ts'
import { encryptedReply, SUCCESS, textReply } from './reply.ts'
import { parseWechatXml, type WechatXml } from './xml.ts'

export interface WechatOfficialOptions {
  config: Readonly<Config['channels']['wechatOfficial']>
  signatureWindowSeconds: number
  keyPrefix: string
  deps: ChannelDeps
}

interface Verified {
  msg: WechatXml
  encrypted: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    wechatOfficial?: Verified
  }
}

const PATH = '/v1/channels/wechat/official'
const SignedQuery = {
  signature: Type.Optional(Type.String({ maxLength: 64 })),
  timestamp: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })),
  nonce: Type.Optional(Type.String({ maxLength: 64 })),
}

export async function wechatOfficialChannel(app: FastifyInstance, opts: WechatOfficialOptions): Promise<void> {
  const { config, deps } = opts
  const crypto = config.aesKey ? new WechatCrypto(config.aesKey, config.appId) : undefined
  const locations = new LocationContext(deps.redis, opts.keyPrefix, config.locationContextSeconds)
  const deadline = new DeadlineIntake({
    redis: deps.redis,
    deadlineMs: config.replyDeadlineMs,
    backgroundRetryMs: config.backgroundRetrySeconds * 1000,
    maxInFlight: config.maxInFlight,
  })
  app.addHook('onClose', async () => deadline.close())
  const { max, timeWindow } = rateLimitOf(config.rateLimit)
  const limiter = app.createRateLimit({
    max,
    timeWindow,
    keyGenerator: (req: FastifyRequest) => `wx-official:${req.wechatOfficial?.msg.FromUserName ?? req.ip}`,
  })
  const limitCheckMs = Math.min(500, Math.floor(config.replyDeadlineMs / 3))

  // The raw bytes are kept: nothing is parsed before the signature holds.
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (_req, body, done) =>
    done(null, body),
  )
  // Fastify's too-large error names the server-wide limit; this channel's own limit is smaller.
  app.setErrorHandler((err: FastifyError) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new CH_ERR_BODY_TOO_LARGE(config.bodyLimitBytes)
    throw err
  })

  function verifySignature(q: { signature?: string; timestamp?: string; nonce?: string }): void {
    if (!config.token) throw new CH_ERR_CHANNEL_DISABLED('wechat-official')
    const timestamp = q.timestamp ?? ''
    const expected = wechatSignature(config.token, timestamp, q.nonce ?? '')
    if (!signatureMatches(expected, q.signature)) throw withField(new CH_ERR_BAD_SIGNATURE(), '/query/signature')
    const skew = Math.abs(deps.clock().getTime() / 1000 - Number(timestamp))
    if (skew > opts.signatureWindowSeconds) {
      throw withField(new CH_ERR_STALE_TIMESTAMP(opts.signatureWindowSeconds), '/query/timestamp')
    }
  }

  app.get<{ Querystring: { signature?: string; timestamp?: string; nonce?: string; echostr: string } }>(
    PATH,
    {
      config: { channel: 'wechat-official' },
      schema: {
        tags: ['channels'],
        summary: 'WeChat official account: server URL verification (echoes echostr)',
        querystring: Type.Object({ ...SignedQuery, echostr: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: { 400: ErrorSchema, 401: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req, reply) => {
      verifySignature(req.query)
      return reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(req.query.echostr)
    },
  )

  type PostQuery = { signature?: string; timestamp?: string; nonce?: string; encrypt_type?: string; msg_signature?: string }

  app.post<{ Querystring: PostQuery; Body: Buffer }>(
    PATH,
    {
      config: { channel: 'wechat-official' },
      schema: {
        tags: ['channels'],
        summary: 'WeChat official account: message and event push (XML, plaintext or safe mode)',
        querystring: Type.Object({
          ...SignedQuery,
          openid: Type.Optional(Type.String({ maxLength: 64 })),
          encrypt_type: Type.Optional(Type.String({ maxLength: 16 })),
          msg_signature: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      },
      preValidation: async (req) => {
        verifySignature(req.query)
        if (!Buffer.isBuffer(req.body)) throw new CH_ERR_UNSUPPORTED_MEDIA_TYPE(req.headers['content-type'] ?? '')
        const outer = parseWechatXml(req.body.toString('utf8'))
        if (req.query.encrypt_type?.toLowerCase() !== 'aes') {
          req.wechatOfficial = { msg: outer, encrypted: false }
          return
        }
        if (!crypto) throw new CH_ERR_CHANNEL_DISABLED('wechat-official (safe mode: no EncodingAESKey)')
        const encrypt = outer.Encrypt
        if (!encrypt) throw withField(new CH_ERR_XML_MALFORMED('Encrypt is missing'), '/xml/Encrypt')
        const expected = wechatSignature(config.token, req.query.timestamp ?? '', req.query.nonce ?? '', encrypt)
        if (!signatureMatches(expected, req.query.msg_signature)) {
          throw withField(new CH_ERR_BAD_SIGNATURE(), '/query/msg_signature')
        }
        let inner: string
        try {
          inner = crypto.decrypt(encrypt)
        } catch (err) {
          const reason = err instanceof WechatCryptoError ? err.reason : 'cipher'
          throw withField(new CH_ERR_WECHAT_DECRYPT_FAILED(reason), '/xml/Encrypt')
        }
        req.wechatOfficial = { msg: parseWechatXml(inner), encrypted: true }
      },
      // After verification, so the key is the sender's openid (every push comes from WeChat's IPs).
      // A Redis too slow to answer must not hold the reply past WeChat's limit: the check then lets
      // the push through (as the plugin's skipOnError does when Redis is down).
      preHandler: async (req) => {
        const verdict = await within(limitCheckMs, limiter(req))
        if (verdict !== TIMED_OUT && !verdict.isAllowed && verdict.isExceeded) {
          throw Object.assign(new GW_ERR_RATE_LIMITED(), { headers: { 'retry-after': String(verdict.ttlInSeconds) } })
        }
      },
    },
    async (req, reply) => {
      const { msg, encrypted } = req.wechatOfficial!
      const send = (content: string | undefined) => {
        if (content === undefined) return reply.type('text/plain; charset=utf-8').send(SUCCESS)
        const now = deps.clock()
        const xml = textReply(msg, content, now)
        return reply.type('text/xml; charset=utf-8').send(encrypted ? encryptedReply(xml, crypto!, config.token, now) : xml)
      }
      const inbound = classify(msg)
      switch (inbound.kind) {
        case 'event':
          return send(inbound.event === 'subscribe' ? REPLIES_ZH.welcome : undefined)
        case 'unsupported':
          return send(REPLIES_ZH.unsupported)
        case 'location':
          try {
            const held = await within(config.replyDeadlineMs, storeOp(deps.intake, () => locations.hold(inbound.openid, inbound.location)))
            if (held === TIMED_OUT) return send(undefined)
          } catch (err) {
            req.log.warn({ code: (err as { code?: string }).code }, 'wechat location not held: store unavailable')
            return send(undefined)
          }
          return send(REPLIES_ZH.locationNoted)
        case 'appeal': {
          const { openid, msgId, draft } = inbound
          let result
          try {
            result = await deadline.run(
              msgId,
              async () => {
                const location = await storeOp(deps.intake, () => locations.take(openid, msgId))
                return intake(deps.intake, req.log, {
                  channel: 'wechat-official',
                  externalId: msgId,
                  draft: location ? { ...draft, location } : draft,
                })
              },
              req.log,
            )
          } catch (err) {
            return send(replyForFailure(err as FastifyError, req))
          }
          if (result === LATE) {
            req.log.warn({ msgId }, 'wechat intake not finished before the reply deadline; answered success')
            return send(undefined)
          }
          return send(REPLIES_ZH.received(result.appeal.appealNumber))
        }
      }
    },
  )

}

const TIMED_OUT = Symbol('timed out')

/** The promise's value, or TIMED_OUT after ms (the promise goes on; a late rejection is swallowed). */
async function within<T>(ms: number, p: Promise<T>): Promise<T | typeof TIMED_OUT> {
  p.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** A real citizen reads the reply in WeChat: an HTTP error would only show "service unavailable". */
function replyForFailure(err: FastifyError, req: FastifyRequest): string | undefined {
  const status = err.statusCode ?? 500
  if (status < 500) {
    req.log.info({ code: err.code }, 'wechat message not taken as an appeal')
    return err.code === 'CH_ERR_EMPTY_CONTENT' ? REPLIES_ZH.emptyContent : REPLIES_ZH.rejected
  }
  // Not stored: say so, so the citizen sends it again (a silent "success" would lose it).
  req.log.error({ code: err.code, err: { message: err.message } }, 'wechat intake failed; citizen told to resend')
  return REPLIES_ZH.busy
}

