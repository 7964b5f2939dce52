/**
 * Free loopback ports for FreeSWITCH and sipp: a port is handed out only when both a TCP and a UDP
 * socket could bind it just now (SIP listens on both), and never twice in one process.
 */
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

const handedOut = new Set<number>()

function tcpFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer()
    s.once('error', () => done(false))
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)))
  })
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createSocket('udp4')
    s.once('error', () => {
      s.close()
      done(false)
    })
    s.bind(port, '127.0.0.1', () => s.close(() => done(true)))
  })
}

const random = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo))

/** One port free for TCP and UDP on 127.0.0.1 (from 21000-39999, away from the usual defaults). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = random(21000, 40000)
    if (handedOut.has(p)) continue
    if ((await tcpFree(p)) && (await udpFree(p))) {
      handedOut.add(p)
      return p
    }
  }
  throw new Error('no free loopback port found')
}

/** `count` consecutive UDP ports (an RTP range, or sipp's media port and port + 2), all free. */
export async function freeRange(count: number, lo = 40000, hi = 60000): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const base = random(lo, hi - count) & ~1
    let ok = true
    for (let p = base; p < base + count && ok; p++) ok = !handedOut.has(p) && (await udpFree(p))
    if (!ok) continue
    for (let p = base; p < base + count; p++) handedOut.add(p)
    return base
  }
  throw new Error(`no free range of ${count} UDP ports found`)
}
