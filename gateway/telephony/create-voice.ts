/**
 * The voice path from configuration: the FreeSWITCH pool (modesl), the IVR flows (validated at
 * startup), prompts, the 漏接回拨 list and the call router. Off when no media server is configured.
 * Startup stops on a bad flow (CFG_ERR_INVALID) or a refused event-socket password (MEDIA_ERR_AUTH);
 * an unreachable server does not stop it (the written channels keep working, the pool retries).
 */
import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import { mkdirSync } from 'node:fs'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../../config/schema.ts'
import { loadFlows } from '../../ivr/load-flows.ts'
import { runIvr } from '../../ivr/engine.ts'
import type { Acd } from '../acd/types.ts'
import type { RedisAppealQueue } from '../queue/redis-appeal-queue.ts'
import { CallClaims } from './call-claims.ts'
import { CallRouter } from './call-router.ts'
import { FreeswitchMedia } from './freeswitch/freeswitch-media.ts'
import { MissedCalls } from './missed-calls.ts'
import { AgentCalls } from './agent-calls.ts'
import { CallControl } from './call-control.ts'
import { DialBack } from './dial-back.ts'
import { AgentCallBack } from './agent-call-back.ts'
import type { EmergencyDesk } from '../emergency/emergency-desk.ts'
import { CallHandoff } from '../emergency/call-handoff.ts'
import type { PartnerTransfer, PartnerCase } from '../../channels/voice/partner-call.ts'

export interface Voice {
  media: FreeswitchMedia
  router: CallRouter
  missed: MissedCalls
  /** The agents' call control from the console. */
  control: CallControl
  /** 回拨 from the console (an appeal the agent holds, a 漏接回拨 entry). */
  callBack: AgentCallBack
  /** Live calls handed to 110/119/120/122 (with the emergency desk). */
  emergencyCalls?: CallHandoff
  close(): Promise<void>
}

export interface CreateVoiceOptions {
  config: Readonly<Config>
  redis: Redis
  queue: RedisAppealQueue
  acd: Acd
  logger: Logger
  /** Base of relative paths in voice config (flows, prompts, recordings); default the working directory. */
  root?: string
  /** The emergency desk: partners' records for calls they transfer in, handoffs of live calls. */
  emergency?: EmergencyDesk
  clock?: () => Date
}

export async function createVoice(o: CreateVoiceOptions): Promise<Voice | undefined> {
  const { voice } = o.config
  if (voice.servers.length === 0) return undefined
  const root = o.root ?? process.cwd()
  const ivr = loadFlows({
    root,
    dir: voice.flowsDir,
    promptIndex: voice.promptIndex,
    require: { '/voice/defaultFlow': voice.defaultFlow, '/voice/waiting/maxWaitFlow': voice.waiting.maxWaitFlow, ...flowRefs(voice.flowByHotline) },
  })
  const promptsDir = resolve(root, voice.promptsDir)
  const recordingsDir = resolve(root, voice.recordingsDir)
  mkdirSync(recordingsDir, { recursive: true })
  const prompt = (id: string) => join(promptsDir, `${id}.wav`)
  const clock = o.clock ?? (() => new Date())
  const log = o.logger.child({ component: 'voice' })

  const media = new FreeswitchMedia({
    servers: voice.servers.map((s) => ({ id: s.id, host: s.host, port: s.port, password: s.password || voice.eslPassword })),
    timeouts: { connectMs: voice.eventSocket.connectTimeoutMs, commandMs: voice.eventSocket.commandTimeoutMs },
    backoff: { initialMs: voice.eventSocket.backoffInitialMs, maxMs: voice.eventSocket.backoffMaxMs },
    health: { intervalMs: voice.eventSocket.healthIntervalMs, timeoutMs: voice.eventSocket.healthTimeoutMs },
    downAfterMs: voice.eventSocket.downAfterMs,
    logger: log,
  })
  const missed = new MissedCalls(o.redis, o.config.redis.keyPrefix)
  const agentCalls = new AgentCalls(o.redis, o.config.redis.keyPrefix)
  const dialBack = new DialBack({ config: o.config, media, store: o.queue.store, agentCalls, prompt, logger: log, clock })
  const router = new CallRouter({
    config: o.config,
    media,
    acd: o.acd,
    queue: o.queue,
    store: o.queue.store,
    claims: new CallClaims(o.redis, o.config.redis.keyPrefix, randomUUID()),
    missed,
    agentCalls,
    dialBack,
    partnerCase: o.emergency ? partnerCaseFrom(o.emergency) : undefined,
    prompt,
    logger: log,
    clock,
    runIvr: (flowId, c) =>
      runIvr(ivr.flows, flowId, {
        call: c.call,
        hotline: c.hotline,
        media,
        prompt,
        // A message is named by the call id: never a phone number in a path.
        recordingPath: () => join(recordingsDir, `message-${c.call.callId}.wav`),
        dialString: (number) => voice.carrierDialString.replace('${number}', number),
        vars: {},
        queue: {},
        clock,
        timezone: o.config.timezone,
        holidays: ivr.holidays,
        log: c.log,
        signal: c.signal,
        answered: false,
      }),
  })
  router.start()
  try {
    await media.start()
  } catch (err) {
    await router.close()
    dialBack.close()
    await media.close()
    throw err
  }
  return {
    media,
    router,
    missed,
    control: new CallControl({ media, acd: o.acd, calls: agentCalls, voice }),
    callBack: new AgentCallBack({ acd: o.acd, queue: o.queue, dialBack, missed, agentCalls }),
    emergencyCalls: o.emergency ? new CallHandoff({ media, calls: agentCalls, desk: o.emergency, voice, logger: log }) : undefined,
    async close() {
      await router.close()
      dialBack.close()
      await media.close()
    },
  }
}

/** The partner's name and what it pushed about the case (matched by its reference). */
function partnerCaseFrom(desk: EmergencyDesk): (t: PartnerTransfer) => Promise<PartnerCase> {
  return async (t) => {
    const partner = desk.partnerById(t.partner)
    const record = t.caseRef && partner ? await desk.findPartnerRecord(partner.id, t.caseRef) : undefined
    return {
      partnerName: partner?.name ?? t.partner,
      ...(record ? { summary: record.summary, location: record.location, category: record.category, callerNumber: record.callerNumber } : {}),
    }
  }
}

function flowRefs(byHotline: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(byHotline).map(([n, f]) => [`/voice/flowByHotline/${n}`, f]))
}
