/**
 * A MediaControl that records what the IVR asks of the media server, for the engine's own unit
 * tests (the same flows run against the wire-level FreeSWITCH peer elsewhere). It behaves as the
 * FreeSWITCH adapter does where the IVR can tell: a missing file rejects MEDIA_ERR_COMMAND, media
 * that is "long" runs until stopMedia or the caller hangs up, and then resolves, as `execute` does.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import type { CollectOptions, InboundCall, MediaControl, MediaEvent, PlayOptions } from '../../../gateway/domain/media.ts'
import { MEDIA_ERR_COMMAND } from '../../../gateway/telephony/errors.ts'
import type { HotlineProfile, IvrContext } from '../../../ivr/types.ts'

export class RecordingMedia implements MediaControl {
  /** What the caller's channel went through, in order: `answer`, `play <media>`, `collect <prompt>`, ... */
  readonly ops: string[] = []
  /** Digits the caller enters at each collect, in turn ('' = nothing valid). */
  readonly digits: string[] = []
  /** Media that is not on the media server's disk. */
  readonly missing = new Set<string>()
  /** Media (or `record`) that runs until stopped or the caller hangs up. */
  readonly long = new Set<string>()
  /** What the outside number does on transfer. */
  transferAnswer: 'answer' | 'no-answer' = 'answer'
  readonly #running = new Set<() => void>()
  readonly #listeners = new Set<(e: MediaEvent) => void>()
  readonly #started = new Set<(op: string) => void>()

  /** Resolves when an operation starting with `prefix` has begun (to hang up in the middle of it). */
  started(prefix: string): Promise<void> {
    if (this.ops.some((op) => op.startsWith(prefix))) return Promise.resolve()
    return new Promise((resolve) => {
      const check = (op: string) => {
        if (!op.startsWith(prefix)) return
        this.#started.delete(check)
        resolve()
      }
      this.#started.add(check)
    })
  }

  /** The caller hangs up: running media ends (as execute resolves on CHANNEL_HANGUP_COMPLETE), then the event. */
  hangUp(call: InboundCall, controller: AbortController): void {
    this.#endRunning()
    this.#emit({ type: 'hangup', callId: call.callId, serverId: call.serverId, cause: 'NORMAL_CLEARING' })
    controller.abort()
  }

  async answer(): Promise<void> {
    this.#op('answer')
  }

  async play(_s: string, _c: string, media: string, _o?: PlayOptions): Promise<void> {
    this.#op(`play ${media}`)
    if (this.missing.has(media)) throw new MEDIA_ERR_COMMAND('playback', `FILE NOT FOUND ${media}`)
    if (this.long.has(media)) await this.#run()
  }

  async collect(_s: string, _c: string, opts: CollectOptions): Promise<string> {
    this.#op(`collect ${opts.prompt} ${opts.pattern ?? ''}`.trim())
    if (this.missing.has(opts.prompt)) throw new MEDIA_ERR_COMMAND('play_and_get_digits', `FILE NOT FOUND ${opts.prompt}`)
    return this.digits.shift() ?? ''
  }

  async recordMessage(_s: string, _c: string, path: string, maxSeconds: number): Promise<void> {
    this.#op(`record ${path} ${maxSeconds}`)
    if (this.long.has('record')) await this.#run()
  }

  async stopMedia(): Promise<void> {
    this.#op('stop-media')
    this.#endRunning()
  }

  async transfer(serverId: string, callId: string, dialString: string): Promise<void> {
    this.#op(`transfer ${dialString}`)
    if (this.transferAnswer === 'no-answer') {
      throw Object.assign(new MEDIA_ERR_COMMAND('bridge', 'NO_ANSWER'), { cause: 'NO_ANSWER' })
    }
    queueMicrotask(() => this.#emit({ type: 'bridged', callId, serverId, otherCallId: 'far-end' }))
    await this.#run() // the conversation
  }

  async hangup(): Promise<void> {
    this.#op('hangup')
  }

  subscribe(listener: (e: MediaEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  upServers(): string[] {
    return ['fs1']
  }

  async close(): Promise<void> {}

  originate(): Promise<string> {
    return notUsed('originate')
  }
  bridge(): Promise<void> {
    return notUsed('bridge')
  }
  broadcast(): Promise<void> {
    return notUsed('broadcast')
  }
  park(): Promise<void> {
    return notUsed('park')
  }
  take(): Promise<void> {
    return notUsed('take')
  }
  hold(): Promise<void> {
    return notUsed('hold')
  }
  startRecording(): Promise<void> {
    return notUsed('startRecording')
  }
  stopRecording(): Promise<void> {
    return notUsed('stopRecording')
  }
  setVar(): Promise<void> {
    return notUsed('setVar')
  }
  getVar(): Promise<string | undefined> {
    return notUsed('getVar')
  }

  #op(op: string): void {
    this.ops.push(op)
    for (const l of [...this.#started]) l(op)
  }

  #run(): Promise<void> {
    return new Promise((resolve) => this.#running.add(resolve))
  }

  #endRunning(): void {
    for (const end of this.#running) end()
    this.#running.clear()
  }

  #emit(e: MediaEvent): void {
    for (const l of this.#listeners) l(e)
  }
}

function notUsed(name: string): Promise<never> {
  return Promise.reject(new Error(`${name} is not used by the IVR`))
}

export const HOTLINE_12345: HotlineProfile = {
  number: '12345',
  name: '12345政务服务便民热线',
  department: '市政务服务和数据管理局',
  skill: 'general',
  status: 'main',
}

export const HOTLINE_12319: HotlineProfile = {
  number: '12319',
  name: '12319城建服务热线',
  department: '市住房和城乡建设局',
  skill: 'urban',
  status: 'cancelled',
  noticePrompt: 'notice-12319',
}

/** Prompt ids become files under /prompts/zh, as the media server would play them. */
export const promptFile = (id: string) => `/prompts/zh/${id}.wav`

export interface TestCall {
  ctx: IvrContext
  media: RecordingMedia
  /** Log lines the engine and steps wrote (pino JSON). */
  logs: Record<string, unknown>[]
  hangUp(): void
}

export function testCall(opts: { hotline?: HotlineProfile; at?: Date; holidays?: string[]; answered?: boolean } = {}): TestCall {
  const media = new RecordingMedia()
  const controller = new AbortController()
  const logs: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      done()
    },
  })
  const call: InboundCall = { callId: 'call-1', serverId: 'fs1', dialed: opts.hotline?.number ?? '12345', headers: {}, startedAt: new Date() }
  const ctx: IvrContext = {
    call,
    hotline: opts.hotline ?? HOTLINE_12345,
    media,
    prompt: promptFile,
    recordingPath: (kind) => `/recordings/${kind}-${call.callId}.wav`,
    dialString: (number) => `sofia/carrier/${number}@carrier.example`,
    vars: {},
    queue: {},
    clock: () => opts.at ?? new Date('2026-12-02T10:00:00+08:00'),
    timezone: 'Asia/Shanghai',
    holidays: new Set(opts.holidays ?? []),
    log: pino({ level: 'debug' }, sink),
    signal: controller.signal,
    answered: opts.answered ?? false,
  }
  return { ctx, media, logs, hangUp: () => media.hangUp(call, controller) }
}
