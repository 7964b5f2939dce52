/**
 * MediaControl over a pool of FreeSWITCH servers (modesl inbound event socket). A call stays on the
 * server it arrived on: every command names its server. Commands are the ones the fixtures record:
 * `sendmsg` execute (answer, playback, play_and_get_digits, record), `uuid_*` api calls, and
 * `bgapi originate` with BACKGROUND_JOB matched by our Job-UUID.
 */
import type { Logger } from 'pino'
import type { CollectOptions, MediaControl, MediaEvent, OriginateOptions, PlayOptions } from '../../domain/media.ts'
import { MEDIA_ERR_COMMAND, MEDIA_ERR_ORIGINATE_FAILED, MEDIA_ERR_UNKNOWN_SERVER } from '../errors.ts'
import type { EslTarget, EslTimeouts } from './esl-connection.ts'
import { MediaServer, type MediaServerOptions } from './media-server.ts'

export interface FreeswitchMediaOptions {
  servers: EslTarget[]
  timeouts: EslTimeouts
  backoff: MediaServerOptions['backoff']
  health: MediaServerOptions['health']
  downAfterMs: number
  logger: Logger
}

/** A long ceiling for media that runs as long as the caller listens (recording, prompts). */
const MEDIA_CEILING_MS = 30 * 60 * 1000
/** A transferred conversation may last long; the ceiling only frees the pending command at last. */
const TRANSFER_CEILING_MS = 4 * 60 * 60 * 1000

export class FreeswitchMedia implements MediaControl {
  readonly #servers = new Map<string, MediaServer>()
  readonly #listeners = new Set<(e: MediaEvent) => void>()
  readonly #log: Logger

  constructor(opts: FreeswitchMediaOptions) {
    this.#log = opts.logger
    for (const target of opts.servers) {
      const server = new MediaServer({ ...opts, target, emit: (e) => this.#emit(e) })
      this.#servers.set(target.id, server)
    }
  }

  /** Connects to every server; rejects only on a refused password (a config error). */
  async start(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((s) => s.start()))
  }

  server(id: string): MediaServer {
    const s = this.#servers.get(id)
    if (!s) throw new MEDIA_ERR_UNKNOWN_SERVER(id)
    return s
  }

  upServers(): string[] {
    return [...this.#servers.values()].filter((s) => s.state === 'up').map((s) => s.id)
  }

  subscribe(listener: (e: MediaEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async take(serverId: string, callId: string): Promise<void> {
    try {
      await this.#conn(serverId).api(`sched_del ${callId}`)
    } catch (err) {
      // A server whose dialplan sets no timer has nothing to delete.
      this.#log.debug({ callId, err: { message: (err as Error).message } }, 'no unclaimed-call timer to cancel')
    }
  }

  async answer(serverId: string, callId: string): Promise<void> {
    await this.#conn(serverId).execute(callId, 'answer', '', { timeoutMs: 10_000 })
  }

  async play(serverId: string, callId: string, media: string, opts: PlayOptions = {}): Promise<void> {
    const run = this.#conn(serverId).execute(callId, 'playback', media, { timeoutMs: MEDIA_CEILING_MS })
    if (opts.wait === false) {
      run.catch((err) => this.#log.debug({ callId, err: { message: (err as Error).message } }, 'background playback ended with an error'))
      return
    }
    const done = await run
    const response = done?.get('Application-Response')
    if (response === 'FILE NOT FOUND') throw new MEDIA_ERR_COMMAND('playback', `FILE NOT FOUND ${media}`)
  }

  async collect(serverId: string, callId: string, o: CollectOptions): Promise<string> {
    const variable = 'gw_digits'
    const args = [
      o.minDigits,
      o.maxDigits,
      o.tries,
      o.timeoutMs,
      o.terminators || 'none',
      o.prompt,
      o.invalidPrompt ?? 'silence_stream://250',
      variable,
      o.pattern ?? '\\d+',
    ].join(' ')
    const done = await this.#conn(serverId).execute(callId, 'play_and_get_digits', args, { timeoutMs: MEDIA_CEILING_MS })
    return done?.variable(variable) ?? ''
  }

  async recordMessage(serverId: string, callId: string, path: string, maxSeconds: number): Promise<void> {
    const conn = this.#conn(serverId)
    await conn.execute(callId, 'set', 'playback_terminators=#', { timeoutMs: 10_000 })
    // record <path> <time limit s> <silence threshold> <silence hits s>
    await conn.execute(callId, 'record', `${path} ${maxSeconds} 200 5`, { timeoutMs: (maxSeconds + 30) * 1000 })
  }

  async broadcast(serverId: string, callId: string, media: string): Promise<void> {
    // A phrase broadcast over music started by a non-locked playback runs nested in it: the music
    // pauses and resumes by itself (fixtures round 3b, esl3-prompts-zh, way 1).
    await this.#conn(serverId).api(`uuid_broadcast ${callId} ${media} aleg`)
  }

  async stopMedia(serverId: string, callId: string): Promise<void> {
    await this.#tolerateGone(() => this.#conn(serverId).api(`uuid_break ${callId} all`))
  }

  async originate(o: OriginateOptions): Promise<string> {
    const vars: Record<string, string> = {
      ...(o.callId ? { origination_uuid: o.callId } : {}),
      origination_caller_id_number: o.callerIdNumber,
      ...(o.callerIdName ? { origination_caller_id_name: o.callerIdName } : {}),
      originate_timeout: String(o.timeoutSeconds),
      ignore_early_media: 'true',
      ...o.vars,
    }
    const varString = Object.entries(vars)
      .map(([k, v]) => `${k}=${checkVar(k, v)}`)
      .join(',')
    const cmd = `originate {${varString}}${o.target} &${o.app ?? 'park'}`
    try {
      const body = await this.#conn(o.serverId).bgapi(cmd, (o.timeoutSeconds + 10) * 1000)
      const m = /^\+OK\s+(\S+)/.exec(body)
      if (!m) throw new MEDIA_ERR_ORIGINATE_FAILED(body.trim())
      return m[1]
    } catch (err) {
      const e = err as { code?: string; cause?: string }
      if (e.code === 'MEDIA_ERR_COMMAND') throw Object.assign(new MEDIA_ERR_ORIGINATE_FAILED(String(e.cause)), { cause: e.cause })
      throw err
    }
  }

  async bridge(serverId: string, callId: string, otherCallId: string): Promise<void> {
    await this.#conn(serverId).api(`uuid_bridge ${callId} ${otherCallId}`)
  }

  async transfer(serverId: string, callId: string, dialString: string): Promise<void> {
    // The bridge application runs for the whole conversation; its own ring timeout (call_timeout /
    // originate_timeout in the dial string) ends an unanswered attempt well before this ceiling.
    const done = await this.#conn(serverId).execute(callId, 'bridge', dialString, { timeoutMs: TRANSFER_CEILING_MS })
    const disposition = done?.variable('originate_disposition')
    if (done && disposition && disposition !== 'SUCCESS') {
      throw Object.assign(new MEDIA_ERR_COMMAND('bridge', disposition), { cause: disposition })
    }
  }

  async park(serverId: string, callId: string): Promise<void> {
    await this.#conn(serverId).api(`uuid_transfer ${callId} park inline`)
  }

  async hangup(serverId: string, callId: string, cause = 'NORMAL_CLEARING'): Promise<void> {
    await this.#tolerateGone(() => this.#conn(serverId).api(`uuid_kill ${callId} ${cause}`))
  }

  async hold(serverId: string, callId: string, on: boolean): Promise<void> {
    await this.#conn(serverId).api(on ? `uuid_hold ${callId}` : `uuid_hold off ${callId}`)
  }

  async startRecording(serverId: string, callId: string, path: string): Promise<void> {
    await this.#conn(serverId).api(`uuid_record ${callId} start ${path}`)
  }

  async stopRecording(serverId: string, callId: string, path: string): Promise<void> {
    await this.#tolerateGone(() => this.#conn(serverId).api(`uuid_record ${callId} stop ${path}`))
  }

  async setVar(serverId: string, callId: string, name: string, value: string): Promise<void> {
    await this.#conn(serverId).api(`uuid_setvar ${callId} ${name} ${value}`)
  }

  async getVar(serverId: string, callId: string, name: string): Promise<string | undefined> {
    const v = await this.#conn(serverId).api(`uuid_getvar ${callId} ${name}`)
    return v === '_undef_' ? undefined : v
  }

  /** Any api on any server (console tools, tests). */
  api(serverId: string, cmd: string): Promise<string> {
    return this.#conn(serverId).api(cmd)
  }

  async close(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((s) => s.close()))
  }

  #conn(serverId: string) {
    return this.server(serverId).conn()
  }

  #emit(e: MediaEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e)
      } catch (err) {
        this.#log.error({ err: { message: (err as Error).message }, event: e.type }, 'media event listener failed')
      }
    }
  }

  /** Ending or stopping something on a channel that is already gone is not an error. */
  async #tolerateGone(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      const cause = (err as { cause?: string }).cause ?? ''
      if (/No such channel|Invalid uuid|Cannot locate session|Cannot stop record session/i.test(cause)) return
      throw err
    }
  }
}

/** Originate variables are `{k=v,...}`: a comma or brace in a value would split or end the list. */
function checkVar(name: string, value: string): string {
  if (/[,{}\s]/.test(value) && !/^'[^',{}]*'$/.test(value)) {
    throw new MEDIA_ERR_COMMAND('originate', `variable ${name} may not contain commas, braces or spaces`)
  }
  return value
}
