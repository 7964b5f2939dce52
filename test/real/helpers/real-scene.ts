/**
 * The whole gateway built exactly as test/voice/helpers/voice-scene.ts builds it (consoleApp: queue,
 * ACD, console, voice path), but against a real FreeSWITCH started with config/freeswitch, with sipp
 * as callers, agent phones and the carrier's far end. voice.promptsDir is the generated prompts
 * folder (FreeSWITCH's sound prefix too), voice.carrierDialString points at a sipp carrier target.
 * A failing test prints what FreeSWITCH did (the observer's events), every sipp message log and the
 * end of freeswitch.log.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import { consoleApp, type ConsoleTestApp } from '../../console/helpers/console-app.ts'
import { startFreeswitch, TEST_SIP_SECRET, SIP_DOMAIN, type RealFreeswitch } from './freeswitch.ts'
import { SippKit, type Sipp } from './sipp.ts'

interface TapLike {
  teardown(fn: () => unknown): void
  passing(): boolean
}

export interface RealScene extends ConsoleTestApp {
  fs: RealFreeswitch
  sipp: SippKit
  /** Answers the gateway's outbound calls: `sofia/carrier/<number>@127.0.0.1:<its port>`. */
  carrier: Sipp
}

export interface RealSceneOptions {
  voice?: DeepPartial<Config['voice']>
  acd?: DeepPartial<Config['acd']>
  /** Where the gateway reaches the event socket (a proxy in front of it); default the server itself. */
  eslPort?: (fs: RealFreeswitch) => Promise<number> | number
}

/** FreeSWITCH + sipp kit only (for tests that build the gateway themselves). */
export async function realServer(t: TapLike, extra?: () => string): Promise<{ fs: RealFreeswitch; sipp: SippKit }> {
  const fs = await startFreeswitch(t)
  const sipp = new SippKit(t, fs)
  // tap runs teardowns last-registered first: this one runs before the server and the sipps go.
  t.teardown(() => {
    // REAL_EVIDENCE=1: also for passing tests (the todo tests' findings pass as todo).
    if (t.passing() && !process.env.REAL_EVIDENCE) return
    const text = [
      `FreeSWITCH events (observer):\n${fs.observer.transcript()}`,
      `sipp:\n${sipp.dump()}`,
      `freeswitch.log (end):\n${fs.logTail(120)}`,
      extra?.() ?? '',
    ].join('\n\n')
    const dir = join(tmpdir(), 'gw-real-failures')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.log`)
    writeFileSync(file, text)
    if (!t.passing()) process.stderr.write(`# real-server evidence of the failed test: ${file}\n${text.slice(-20_000)}\n`)
    else process.stderr.write(`# real-server evidence: ${file}\n`)
  })
  return { fs, sipp }
}

export async function realScene(t: TapLike, o: RealSceneOptions = {}): Promise<RealScene> {
  let gwLogs: Record<string, unknown>[] = []
  const { fs, sipp } = await realServer(t, () => `gateway voice log:\n${gwLogs.filter((l) => l.component === 'voice' || 'callId' in l).map((l) => JSON.stringify(l)).join('\n')}`)
  const carrier = await sipp.carrierTarget('answer')
  const eslPort = o.eslPort ? await o.eslPort(fs) : fs.ports.esl
  const gw = await consoleApp(t, {
    acd: { offerTimeoutSeconds: 4, wrapUpSeconds: 1, ...o.acd },
    voice: {
      servers: [{ id: 'fs1', host: '127.0.0.1', port: eslPort }],
      eslPassword: fs.eslPassword,
      promptsDir: fs.promptsDir,
      recordingsDir: fs.recordingsDir,
      eventSocket: { backoffInitialMs: 50, backoffMaxMs: 400, healthIntervalMs: 500, healthTimeoutMs: 1500, downAfterMs: 1500, ...(o.voice?.eventSocket ?? {}) },
      carrierDialString: `sofia/carrier/\${number}@127.0.0.1:${carrier.port}`,
      softphone: { domain: SIP_DOMAIN, secret: TEST_SIP_SECRET, wsUrl: `ws://127.0.0.1:${fs.ports.agentsWs}` },
      ...o.voice,
      waiting: { announceEverySeconds: 0, callbackOfferAfterSeconds: 0, maxWaitSeconds: 0, ...(o.voice?.waiting ?? {}) },
    },
  })
  gwLogs = gw.logs
  return Object.assign(gw, { fs, sipp, carrier })
}

export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
