/**
 * Recorded event-socket frames for the parse benches: the real server->client byte stream of the
 * esl-inbound-plain transcript (FreeSWITCH 1.11.3), cut into frames; the plain events of one call
 * (CHANNEL_PARK, CHANNEL_ANSWER, DTMF, CHANNEL_HANGUP_COMPLETE) are kept byte for byte.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The shared fixtures beside the repository (../shared), as the project's checkouts are laid out. */
export const FIXTURE = fileURLToPath(new URL('../../../shared/fixtures/freeswitch/esl-inbound-plain.s2c.raw', import.meta.url))
export const CALL_EVENTS = ['CHANNEL_PARK', 'CHANNEL_ANSWER', 'DTMF', 'CHANNEL_HANGUP_COMPLETE'] as const

/** Every frame of a raw server->client stream (outer headers + Content-Length body). */
export function splitFrames(raw: Buffer): Buffer[] {
  const out: Buffer[] = []
  let i = 0
  while (i < raw.length) {
    const end = raw.indexOf('\n\n', i)
    if (end < 0) break
    const head = raw.subarray(i, end).toString('latin1')
    const len = Number(/^Content-Length: (\d+)$/m.exec(head)?.[1] ?? 0)
    out.push(raw.subarray(i, end + 2 + len))
    i = end + 2 + len
  }
  return out
}

/** The first recorded plain frame of each of CALL_EVENTS, in that order (one call's life). */
export function callFrames(file = FIXTURE): Buffer[] {
  const frames = splitFrames(readFileSync(file))
  return CALL_EVENTS.map((name) => {
    const f = frames.find((b) => b.includes('Content-Type: text/event-plain') && b.includes(`\nEvent-Name: ${name}\n`))
    if (!f) throw new Error(`no recorded ${name} frame in ${file}`)
    return Buffer.from(f)
  })
}

/** `n` frames cycling through one call's events, as one buffer. */
export function stream(frames: Buffer[], n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => frames[i % frames.length]))
}

/** Cuts `buf` into chunks: 'frame' = one frame per chunk, a number = that many bytes per chunk. */
export function chunks(frames: Buffer[], n: number, size: 'frame' | number): Buffer[] {
  if (size === 'frame') return Array.from({ length: n }, (_, i) => frames[i % frames.length])
  const all = stream(frames, n)
  const out: Buffer[] = []
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size))
  return out
}
