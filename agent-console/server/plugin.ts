/**
 * The agent console: websocket /v1/agent/ws (protocol v1, docs/console-protocol.md) and the static
 * browser app under /console/ (agent console) and /console/wallboard (supervisors).
 *
 * @fastify/websocket is registered here, once for the whole server: a second registration would
 * route every upgrade twice. A later websocket route (e.g. voice) belongs in this registration or
 * moves it up into app.ts.
 */
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import websocket from '@fastify/websocket'
import fastifyStatic from '@fastify/static'
import type { WebSocket } from 'ws'
import type { Redis } from 'ioredis'
import type { Config } from '../../config/schema.ts'
import type { Acd } from '../../gateway/acd/types.ts'
import type { AppealQueue } from '../../gateway/domain/ports.ts'
import type { MatterAlerts } from '../../gateway/matter/alerts.ts'
import type { MatterLinker } from '../../gateway/matter/linker.ts'
import { MatterCards } from './matter-card.ts'
import { MATTER_NOTICE, pushMatterChanges } from './matter-push.ts'
import { pushHandoffUpdates } from './emergency-push.ts'
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import type { CallHandoff } from '../../gateway/emergency/call-handoff.ts'
import { CLOSE } from './close-codes.ts'
import { decode, type Envelope } from './decode.ts'
import { CONSOLE_ERR_FORBIDDEN, CONSOLE_ERR_INTERNAL, CONSOLE_ERR_ORIGIN, CONSOLE_ERR_REPLACED, CONSOLE_ERR_TOKEN_EXPIRED, CONSOLE_ERR_UNAUTHORIZED, CONSOLE_ERR_AUTH_TIMEOUT, CONSOLE_ERR_IDENTITY_CHANGED, CONSOLE_ERR_LOGGED_OUT } from './errors.ts'
import { Fanout, type WallboardAgent } from './fanout.ts'
import { HANDLERS, type HandlerContext } from './handlers.ts'
import type { ClientMessage, ClientMessageType } from './messages.ts'
import { ConsoleSession, type CodedError, type Surface } from './session.ts'
import { notify, SessionRegistry } from './session-registry.ts'
import { MATTER_LABELS, welcome } from './snapshot.ts'
import type { AgentCallBack } from '../../gateway/telephony/agent-call-back.ts'
import type { CallControl } from '../../gateway/telephony/call-control.ts'
import { authenticate, handleProtocols, originAllowed, tokenFromProtocols, type TokenVerifier } from './socket-auth.ts'
import { softphoneOrigin, softphoneRoutes, type SoftphoneRoutesOptions } from './softphone-routes.ts'

export interface AgentConsoleOptions {
  config: Readonly<Config['console']>
  hotlines: Readonly<Config['hotlines']>
  acd: Acd
  queue: AppealQueue
  redis: Redis
  keyPrefix: string
  verifyToken: TokenVerifier
  /** Agents with name and status for the wallboard table (from the ACD's agent store). */
  listAgents?: () => Promise<WallboardAgent[]>
  clock?: () => Date
  /** 并案 on the appeal card (offer, welcome, decisions). */
  linker?: MatterLinker
  /** 集中诉求 alerts pushed to wallboards. */
  alerts?: MatterAlerts
  /** Call control over the event socket (the voice path), when it is on. */
  callControl?: CallControl
  /** 回拨 from the console (voice path on). */
  callBack?: AgentCallBack
  /** 110/119/120/122 handoff records; their changes are pushed as handoff.updated. */
  emergency?: EmergencyDesk
  /** Live calls handed to 110/119/120/122 (voice path on). */
  emergencyCalls?: CallHandoff
  /** The browser softphone: SIP credentials route, JsSIP bundle, its websocket in connect-src. */
  softphone?: Omit<SoftphoneRoutesOptions, 'verifyToken'>
}

const WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url))

/**
 * The console pages run only our own scripts: a second line of defence behind textContent. They
 * connect only to us, and to FreeSWITCH's SIP websocket when the softphone is on.
 */
const csp = (connectSrc: string[]) => [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  ["connect-src 'self'", ...connectSrc].join(' '),
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ')

function isCoded(err: unknown): err is CodedError {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && /^(CONSOLE|ACD|AUTH|GW|MEDIA)_ERR_/.test(code)
}

export async function agentConsole(app: FastifyInstance, opts: AgentConsoleOptions): Promise<void> {
  const cfg = opts.config
  const clock = opts.clock ?? (() => new Date())
  const CSP = csp(opts.softphone ? [softphoneOrigin(opts.softphone.settings.wsUrl)] : [])

  await app.register(websocket, {
    options: { maxPayload: cfg.maxMessageBytes * 4, handleProtocols },
  })
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/console/', index: ['index.html'] })

  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/console')) {
      void reply.header('content-security-policy', CSP)
      void reply.header('x-content-type-options', 'nosniff')
      void reply.header('referrer-policy', 'no-referrer')
    }
  })
  if (opts.softphone) await app.register(softphoneRoutes, { ...opts.softphone, verifyToken: opts.verifyToken })
  app.get('/console', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/'))
  app.get('/console/wallboard', { schema: { hide: true } }, (_req, reply) => reply.sendFile('wallboard.html'))

  const registry = new SessionRegistry(
    opts.redis,
    opts.keyPrefix,
    app.log,
    (s) => {
      s.log.info({ code: 'CONSOLE_ERR_REPLACED' }, 'console taken over by a newer login')
      s.closeWith(CLOSE.replaced, new CONSOLE_ERR_REPLACED())
    },
    (s) => {
      s.log.info({ code: 'CONSOLE_ERR_LOGGED_OUT' }, 'console closed: the user logged out')
      s.closeWith(CLOSE.loggedOut, new CONSOLE_ERR_LOGGED_OUT())
    },
  )
  const matters = opts.linker ? new MatterCards(opts.linker, opts.queue) : undefined
  const matterPush = matters ? pushMatterChanges(registry, opts.acd, matters, app.log) : undefined
  const handoffPush = opts.emergency ? pushHandoffUpdates(registry, opts.acd, app.log) : undefined
  const fanout = new Fanout({
    acd: opts.acd,
    queue: opts.queue,
    registry,
    log: app.log,
    refreshMs: cfg.wallboardRefreshMs,
    clock,
    listAgents: opts.listAgents,
    matters,
    alerts: opts.alerts,
    handoffsToday: opts.emergency ? () => opts.emergency!.handoffsToday() : undefined,
  })
  const settings = {
    dispositions: cfg.dispositions,
    hotlines: opts.hotlines.map((h) => ({ number: h.number, name: h.name })),
    transferQueues: [...new Map(opts.hotlines.map((h) => [h.skill, { queue: h.skill, label: h.department }])).values()],
    voice: Boolean(opts.callControl),
  }
  const onExpired = (s: ConsoleSession) => () => {
    s.log.info({ code: 'CONSOLE_ERR_TOKEN_EXPIRED' }, 'console token expired; socket closed')
    s.closeWith(CLOSE.tokenExpired, new CONSOLE_ERR_TOKEN_EXPIRED())
  }
  const ctx: HandlerContext = {
    acd: opts.acd,
    queue: opts.queue,
    settings,
    matters,
    watchWallboard: (s) => fanout.watch(s),
    matterChanged: (appealIds) => notify(opts.redis, opts.keyPrefix, MATTER_NOTICE, { appealIds }),
    voice: opts.callControl,
    callBack: opts.callBack,
    emergency: opts.emergency,
    emergencyCalls: opts.emergencyCalls,
    renew: async (s, token) => {
      const identity = await authenticate(opts.verifyToken, token, clock())
      if (identity.agentId !== s.agentId || identity.role !== s.identity.role) throw new CONSOLE_ERR_IDENTITY_CHANGED()
      s.identity = identity
      s.expireAt(identity.expiresAt.getTime() - clock().getTime(), onExpired(s))
      return identity.expiresAt
    },
  }

  // Presence (acd.presenceTimeoutSeconds): an agent's consoles say "still here" on connect, on every
  // heartbeat and when they go; the ACD sends an agent with none for the timeout offline.
  const touch = (agentIds: string[]) => {
    opts.acd.touchPresence(agentIds).catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'console presence not refreshed'))
  }
  let heartbeat: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    await registry.start()
    await fanout.start()
    heartbeat = setInterval(() => {
      const present: string[] = []
      for (const s of registry.all()) {
        if (!s.alive) {
          s.log.info({ code: 'CONSOLE_HEARTBEAT_MISSED' }, 'console socket did not answer ping; dropped')
          s.socket.terminate()
          continue
        }
        if (s.surface === 'console') present.push(s.agentId)
        s.alive = false
        s.socket.ping()
      }
      touch(present)
    }, cfg.heartbeatMs)
    heartbeat.unref()
  })
  // Requests a console sent before the drain are finished before the ACD and Redis close behind us
  // (a completion cut half-way would be repeated by the agent, but need not be).
  const inFlight = new Set<Promise<void>>()
  app.addHook('onClose', async () => {
    if (heartbeat) clearInterval(heartbeat)
    await Promise.allSettled([...inFlight])
    await matterPush?.close()
    await handoffPush?.close()
    await fanout.stop()
    await registry.close()
  })

  app.get<{ Querystring: { surface?: string } }>(
    '/v1/agent/ws',
    {
      websocket: true,
      preValidation: async (req: FastifyRequest) => {
        if (!originAllowed(req, cfg.allowedOrigins)) {
          req.log.info({ code: 'CONSOLE_ERR_ORIGIN' }, 'console socket refused: foreign origin')
          throw new CONSOLE_ERR_ORIGIN(String(req.headers.origin).slice(0, 100))
        }
      },
    },
    (socket: WebSocket, req) => {
      const surface: Surface = req.query.surface === 'wallboard' ? 'wallboard' : 'console'
      const log = req.log
      let session: ConsoleSession | undefined
      let closed = false
      let chain: Promise<void> = Promise.resolve()
      const run = (step: () => Promise<void>) => {
        const next = chain.then(step).catch((err: Error) => log.error({ err }, 'console socket step failed'))
        chain = next
        inFlight.add(next)
        void next.finally(() => inFlight.delete(next))
      }

      const refuse = (code: number, err: CodedError) => {
        log.info({ code: err.code, surface }, 'console socket refused')
        if (!closed) {
          socket.send(JSON.stringify({ v: 1, type: 'error', code: err.code, message: err.message }))
          socket.close(code, err.code)
        }
      }

      const establish = async (token: string) => {
        let identity
        try {
          identity = await authenticate(opts.verifyToken, token, clock())
        } catch (err) {
          const e = err as CodedError
          return refuse(e.code === 'CONSOLE_ERR_TOKEN_EXPIRED' ? CLOSE.tokenExpired : CLOSE.unauthorized, e)
        }
        if (closed) return
        if (surface === 'wallboard' && identity.role !== 'supervisor') {
          return refuse(CLOSE.unauthorized, new CONSOLE_ERR_FORBIDDEN('the wallboard is for supervisors'))
        }
        const s = new ConsoleSession(socket, identity, surface, log.child({ agentId: identity.agentId, surface }))
        s.expireAt(identity.expiresAt.getTime() - clock().getTime(), onExpired(s))
        session = s
        await registry.add(s)
        if (closed) return
        if (surface === 'console') {
          touch([s.agentId])
          s.send('welcome', await welcome(s, opts.acd, opts.queue, settings, clock(), matters))
        } else {
          s.send('welcome', {
            session: s.id,
            serverTime: clock().toISOString(),
            agent: { id: s.agentId, name: identity.name, role: identity.role },
            tokenExpiresAt: identity.expiresAt.toISOString(),
            settings: { queues: settings.transferQueues, matterLabels: MATTER_LABELS },
          })
          await fanout.watch(s)
        }
        s.log.info('console connected')
      }

      // A failure of ours while admitting (Redis down ...) must not leave a socket that is neither
      // authenticated nor timed out: say so and close (1011 = server error; the client retries).
      const establishOrClose = async (token: string) => {
        try {
          await establish(token)
        } catch (err) {
          log.error({ err }, 'console socket could not be admitted')
          if (session) {
            session.dispose()
            registry.remove(session)
            session = undefined
          }
          refuse(1011, new CONSOLE_ERR_INTERNAL())
        }
      }

      const onMessage = async (data: Buffer, isBinary: boolean) => {
        if (closed) return
        const envelope: Envelope = {}
        let msg: ClientMessage
        try {
          msg = decode(data, isBinary, cfg.maxMessageBytes, envelope)
        } catch (err) {
          const e = err as CodedError
          if (!session) return refuse(CLOSE.unauthorized, e)
          session.log.info({ code: e.code, field: e.field }, 'console message refused')
          return session.sendError(e, envelope.id)
        }
        if (!session) {
          clearTimeout(authTimer)
          if (msg.type !== 'auth') return refuse(CLOSE.unauthorized, new CONSOLE_ERR_UNAUTHORIZED())
          return establishOrClose((msg as ClientMessage<'auth'>).token)
        }
        const s = session
        const handler = HANDLERS[msg.type] as (
          s: ConsoleSession,
          m: ClientMessage<ClientMessageType>,
          c: HandlerContext,
        ) => Promise<Record<string, unknown> | void>
        try {
          const result = await handler(s, msg, ctx)
          s.send('ack', { ...(msg.id ? { re: msg.id } : {}), for: msg.type, ...(result ?? {}) })
        } catch (err) {
          if (isCoded(err)) {
            s.log.info({ code: err.code, field: err.field, for: msg.type }, 'console request refused')
            s.sendError(err, msg.id)
          } else {
            s.log.error({ err, for: msg.type }, 'console request failed')
            s.sendError(new CONSOLE_ERR_INTERNAL(), msg.id)
          }
        }
      }

      socket.on('message', (data: Buffer, isBinary: boolean) => run(() => onMessage(data, isBinary)))
      socket.on('pong', () => {
        if (session) session.alive = true
      })
      socket.on('close', (code: number) => {
        closed = true
        clearTimeout(authTimer)
        if (session) {
          session.dispose()
          registry.remove(session)
          if (session.surface === 'console') touch([session.agentId])
          session.log.info({ closeCode: code }, 'console disconnected')
        }
      })
      socket.on('error', (err: Error & { code?: string }) => {
        // ws closes with 1009 itself when a frame passes maxPayload; say so with our code.
        const code = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'CONSOLE_ERR_TOO_LARGE' : err.code
        log.info({ code }, 'console socket error')
      })

      const protocolToken = tokenFromProtocols(req.headers['sec-websocket-protocol'])
      const authTimer: NodeJS.Timeout = setTimeout(() => {
        if (!session) refuse(CLOSE.authTimeout, new CONSOLE_ERR_AUTH_TIMEOUT(cfg.authTimeoutMs))
      }, cfg.authTimeoutMs)
      authTimer.unref()
      if (protocolToken) {
        clearTimeout(authTimer)
        run(() => establishOrClose(protocolToken))
      }
    },
  )
}
