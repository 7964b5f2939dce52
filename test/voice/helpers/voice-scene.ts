/**
 * The whole gateway (queue, ACD, console, voice path) against a FreeSWITCH wire-level peer: what the
 * call-flow tests drive. Prompt files are empty stand-ins in a temp folder (the peer checks that a
 * played file exists, as FreeSWITCH does); recordings go to another temp folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { DeepPartial } from '../../../config/load.ts'
import type { Config } from '../../../config/schema.ts'
import { startFreeswitchPeer, type FreeswitchPeer } from '../../peers/freeswitch/peer.ts'
import { consoleApp, type ConsoleTestApp } from '../../console/helpers/console-app.ts'

export const ESL_PASSWORD = 'ClueCon'

interface TapLike {
  teardown(fn: () => unknown): void
}

/** Empty prompt files for every id of the index and the cancelled numbers' notices. */
export function promptStandIns(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-prompts-'))
  const ids = Object.keys(JSON.parse(readFileSync('config/prompts/prompts-zh.json', 'utf8')) as Record<string, string>)
  const hotlines = JSON.parse(readFileSync('config/hotlines.json', 'utf8')) as { number: string; status: string }[]
  for (const h of hotlines) if (h.status === 'cancelled') ids.push(`notice-${h.number}`)
  for (const id of ids) {
    const file = join(dir, `${id}.wav`)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, '')
  }
  return dir
}

export interface VoiceScene extends ConsoleTestApp {
  peer: FreeswitchPeer
}

export async function voiceScene(
  t: TapLike,
  voice: DeepPartial<Config['voice']> = {},
  acd: DeepPartial<Config['acd']> = {},
  /** How long a prompt plays on the peer (ms). */
  playbackMs = 20,
): Promise<VoiceScene> {
  const peer = await startFreeswitchPeer({ password: ESL_PASSWORD, playbackMs, heartbeatMs: 60_000 })
  t.teardown(() => peer.close())
  const gw = await consoleApp(t, {
    acd: { offerTimeoutSeconds: 2, wrapUpSeconds: 1, ...acd },
    voice: {
      servers: [{ id: 'fs1', host: peer.host, port: peer.port }],
      eslPassword: ESL_PASSWORD,
      promptsDir: promptStandIns(),
      recordingsDir: mkdtempSync(join(tmpdir(), 'gw-recordings-')),
      // Generous probe timeouts: a loaded CI machine must not take a slow reply for a dead server.
      eventSocket: { backoffInitialMs: 50, backoffMaxMs: 400, healthIntervalMs: 500, healthTimeoutMs: 1500, downAfterMs: 1500 },
      carrierDialString: 'sofia/carrier/${number}@127.0.0.1:5090',
      ...voice,
      waiting: { announceEverySeconds: 0, callbackOfferAfterSeconds: 0, maxWaitSeconds: 0, ...(voice.waiting ?? {}) },
    },
  })
  return Object.assign(gw, { peer })
}

export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
