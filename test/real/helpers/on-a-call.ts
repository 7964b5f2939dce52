/**
 * Agent 1001 talking with a caller, as the real-server scenarios that act on a live call start:
 * the agent's sipp desk phone registered and answering, a console socket set ready, a caller placed
 * (straight to FreeSWITCH's carrier profile, or through the SIP edge) and bridged to the agent.
 */
import { agentSocket } from '../../console/helpers/matter-scene.ts'
import type { ConsoleTestApp } from '../../console/helpers/console-app.ts'
import type { RealFreeswitch } from './freeswitch.ts'
import type { SippKit } from './sipp.ts'

interface TapLike {
  teardown(fn: () => unknown): void
}

export async function agentOnACall(
  t: TapLike,
  s: ConsoleTestApp & { fs: RealFreeswitch; sipp: SippKit },
  callerNumber: string,
  /** How the caller reaches the centre; default: 12345 on FreeSWITCH's carrier profile. */
  place: (callerNumber: string) => Promise<unknown> = (n) => s.sipp.caller('12345', n, { kind: 'wait' }),
) {
  const phone = await s.sipp.agentPhone('1001', 'answer')
  const ws = await agentSocket(s, '1001', t)
  await ws.request('state.set', { state: 'ready' })
  await place(callerNumber)
  const uuid = await s.fs.observer.callFrom(callerNumber)
  const bridge = await s.fs.observer.waitFor((e) => e.name === 'CHANNEL_BRIDGE' && e.uuid === uuid, 'caller bridged to 1001')
  // They talk for a moment before the agent uses the console.
  await new Promise((r) => setTimeout(r, 2000))
  const appealId = (await s.stack.acd.status('1001')).appealIds[0]
  return { phone, ws, uuid, leg: bridge.headers['Other-Leg-Unique-ID'], appealId }
}
