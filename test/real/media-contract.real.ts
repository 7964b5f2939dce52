/**
 * The media port's contract (test/telephony/media-contract.ts) against a REAL FreeSWITCH started with
 * config/freeswitch: a FreeswitchMedia on its event socket, sipp as the caller (sipp/caller-cued.xml:
 * silent, presses 1 or hangs up when the test cues it) and as agent 1001's registered desk phone. The
 * same scenarios run against the wire-level peer in CI (test/telephony/media-contract.test.ts). Not in
 * CI's glob; without a FreeSWITCH binary (or sipp, espeak-ng, sox) the file prints one SKIP line.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { join } from 'node:path'
import { promptMs, realSuiteSkipReason } from './helpers/freeswitch.ts'
import { realServer } from './helpers/real-scene.ts'
import type { Sipp } from './helpers/sipp.ts'
import { mediaContract, type ContractTest, type World } from '../telephony/media-contract.ts'

const skip = realSuiteSkipReason()
if (skip) t.plan(0, `real-server suite: ${skip}`)
else mediaContract(t, realWorld)

/** A 3 s prompt: long enough to tell "after the file" from "at once", short enough for the suite. */
const PROMPT = 'goodbye'

async function realWorld(t: ContractTest): Promise<World> {
  const { fs, sipp } = await realServer(t)
  let last: { sipp: Sipp; callId: string } | undefined
  let cseq = 1
  /** A request to the caller's sipp with its call's Call-ID: INFO = press 1, MESSAGE = hang up (caller-cued.xml). */
  const cue = async (method: 'INFO' | 'MESSAGE') => {
    if (!last) throw new Error('no call placed')
    const { sipp: caller, callId } = last
    const sock = createSocket('udp4')
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
    const n = ++cseq
    const msg = [
      `${method} sip:caller@127.0.0.1:${caller.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bK-cue-${randomBytes(6).toString('hex')}`,
      'From: <sip:cue@127.0.0.1>;tag=cue',
      `To: <sip:caller@127.0.0.1:${caller.port}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${n} ${method}`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
    await new Promise<void>((resolve, reject) => sock.send(msg, caller.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())))
    sock.close()
  }
  return {
    name: 'real FreeSWITCH',
    server: { host: '127.0.0.1', port: fs.ports.esl, password: fs.eslPassword },
    promptFile: join(fs.promptsDir, `${PROMPT}.wav`),
    promptMs: promptMs(fs.promptsDir, PROMPT),
    patienceMs: 15_000,
    call: async (dialed, callerNumber) => {
      const callId = `contract-${randomBytes(8).toString('hex')}@127.0.0.1`
      const caller = await sipp.scenario(`caller-cued-${callerNumber}-${dialed}`, 'caller-cued.xml', [
        '-s', dialed, '-key', 'caller', callerNumber, '-m', '1', '-cid_str', callId, `127.0.0.1:${fs.ports.carrier}`,
      ])
      last = { sipp: caller, callId }
    },
    pressOne: () => cue('INFO'),
    hangUpCaller: () => cue('MESSAGE'),
    agent: async (id, behaviour) => {
      await sipp.agentPhone(id, behaviour)
    },
  }
}
