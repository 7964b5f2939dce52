/**
 * The time a call's INVITE spends in drachtio-server + the app (the edge, or a bare baseline), read
 * from drachtio-server's own console log: at the project's log level (info) it logs every SIP message
 * it receives or sends with the socket time in microseconds (`recv 565 bytes from udp/[127.0.0.3]:5060
 * at 08:32:30.046765:` followed by the message). Per call:
 *   t1  INVITE received from the carrier          t2  INVITE sent to FreeSWITCH (the B leg)
 *   t3  200 OK (INVITE) received from FreeSWITCH  t4  200 OK (INVITE) sent to the carrier
 *   hop = (t2 - t1) + (t4 - t3): the signalling time between the carrier and FreeSWITCH, both ways,
 *   spent in drachtio-server, on its socket to the app and in the app; FreeSWITCH's own time (t3 - t2)
 *   is left out, so sipp's millisecond clock and FreeSWITCH's answer time do not blur it.
 * The A and B legs of a B2BUA have different Call-IDs: they are paired by the SDP's session id
 * (`o=carrier <call number>`), which the edge and the baselines pass through unchanged.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'

export interface HopTimes {
  /** per call, ms: drachtio + app on the way in (t2 - t1) */
  inbound: number[]
  /** per call, ms: drachtio + app on the way back (t4 - t3) */
  outbound: number[]
  /** per call, ms: (t2 - t1) + (t4 - t3) */
  hop: number[]
  /** per call, ms: FreeSWITCH (and the answerer) from the B-leg INVITE to its 200 (t3 - t2) */
  media: number[]
  /** calls seen complete (all four times) */
  calls: number
}

const ENTRY = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (recv|send) \d+ bytes (?:from|to) udp\/\[([^\]]+)\]:(\d+) at (\d\d):(\d\d):(\d\d\.\d+):$/

/** The log's size now: pass it to `hopTimes` to read only what comes after. */
export function logOffset(file: string): number {
  return statSync(file).size
}

export function readFrom(file: string, offset: number): string {
  const size = statSync(file).size
  const buf = Buffer.alloc(Math.max(0, size - offset))
  const fd = openSync(file, 'r')
  try {
    readSync(fd, buf, 0, buf.length, offset)
  } finally {
    closeSync(fd)
  }
  return buf.toString('utf8')
}

export function hopTimes(text: string, o: { carrierIp: string; mediaPort: number }): HopTimes {
  interface Leg {
    t1?: number
    t2?: number
    t3?: number
    t4?: number
  }
  const byOid = new Map<string, Leg>()
  const aCall = new Map<string, string>() // A-leg Call-ID -> o-id
  const bCall = new Map<string, string>() // B-leg Call-ID -> o-id
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = ENTRY.exec(lines[i])
    if (!m) continue
    const [, dir, ip, port, hh, mm, ss] = m
    const at = (Number(hh) * 3600 + Number(mm) * 60 + Number(ss)) * 1000
    const first = lines[i + 1] ?? ''
    let callId = ''
    let cseq = ''
    let oid = ''
    for (let j = i + 2; j < lines.length && !ENTRY.test(lines[j]); j++) {
      const l = lines[j]
      if (l.startsWith('Call-ID:') || l.startsWith('i:')) callId = l.slice(l.indexOf(':') + 1).trim()
      else if (l.startsWith('CSeq:')) cseq = l.slice(5).trim()
      else if (l.startsWith('o=carrier ')) oid = l.split(' ')[1]
    }
    const fromCarrier = ip === o.carrierIp
    const fromMedia = ip === '127.0.0.1' && Number(port) === o.mediaPort
    if (first.startsWith('INVITE ') && oid) {
      if (dir === 'recv' && fromCarrier) {
        aCall.set(callId, oid)
        const leg = byOid.get(oid) ?? {}
        leg.t1 ??= at
        byOid.set(oid, leg)
      } else if (dir === 'send' && fromMedia) {
        bCall.set(callId, oid)
        const leg = byOid.get(oid) ?? {}
        leg.t2 ??= at
        byOid.set(oid, leg)
      }
    } else if (first.startsWith('SIP/2.0 200') && / INVITE$/.test(cseq)) {
      if (dir === 'recv' && fromMedia) {
        const leg = byOid.get(bCall.get(callId) ?? '')
        if (leg) leg.t3 ??= at
      } else if (dir === 'send' && fromCarrier) {
        const leg = byOid.get(aCall.get(callId) ?? '')
        if (leg) leg.t4 ??= at
      }
    }
  }
  const out: HopTimes = { inbound: [], outbound: [], hop: [], media: [], calls: 0 }
  const d = (a: number, b: number) => (b - a < -43_200_000 ? b - a + 86_400_000 : b - a) // past midnight
  for (const leg of byOid.values()) {
    if (leg.t1 === undefined || leg.t2 === undefined || leg.t3 === undefined || leg.t4 === undefined) continue
    const inbound = d(leg.t1, leg.t2)
    const outbound = d(leg.t3, leg.t4)
    out.inbound.push(inbound)
    out.outbound.push(outbound)
    out.hop.push(inbound + outbound)
    out.media.push(d(leg.t2, leg.t3))
    out.calls += 1
  }
  return out
}
