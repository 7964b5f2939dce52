// drachtio-server's admin framing, as the transcripts show it: `<UTF-8 byte length>#<payload>` with no
// separator between messages (several can share one TCP read, and a message can be split across
// reads); a payload is `|`-separated fields, and when a SIP message is attached the first line ends at
// the first CRLF and the SIP text (CRLF line endings) follows.

export const CRLF = '\r\n'

/** `<byte length>#<payload>`: the length counts UTF-8 bytes, not characters. */
export function encode (payload: string): string {
  return `${Buffer.byteLength(payload, 'utf8')}#${payload}`
}

/** Splits a byte stream into payloads; keeps a partial message until the rest arrives. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0)

  push (chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const out: string[] = []
    for (;;) {
      const hash = this.buf.indexOf(0x23)
      if (hash <= 0) break
      const len = Number(this.buf.subarray(0, hash).toString('ascii'))
      if (!Number.isInteger(len) || len <= 0) throw new Error(`invalid length specifier: ${this.buf.subarray(0, Math.min(hash + 1, 40)).toString('utf8')}`)
      if (this.buf.length < hash + 1 + len) break
      out.push(this.buf.subarray(hash + 1, hash + 1 + len).toString('utf8'))
      this.buf = this.buf.subarray(hash + 1 + len)
    }
    return out
  }
}

/** One admin message: `<id>|<type>|<args...>` [CRLF SIP]. */
export interface AdminMessage {
  id: string
  type: string
  /** the `|`-separated fields after the type, empty ones kept */
  args: string[]
  /** the first line as sent */
  leader: string
  /** the attached SIP text, if any */
  sip?: string
  payload: string
}

export function parseAdmin (payload: string): AdminMessage {
  const cr = payload.indexOf(CRLF)
  const leader = cr < 0 ? payload : payload.slice(0, cr)
  const fields = leader.split('|')
  return { id: fields[0], type: fields[1] ?? '', args: fields.slice(2), leader, sip: cr < 0 ? undefined : payload.slice(cr + 2), payload }
}

/** The time field: HH:MM:SS.uuuuuu of the day (UTC), as su_now() formats it. */
export function timeField (epochMs = performance.timeOrigin + performance.now()): string {
  const micros = Math.floor(epochMs * 1000)
  const secOfDay = Math.floor(micros / 1e6) % 86400
  const p2 = (n: number) => String(n).padStart(2, '0')
  return `${p2(Math.floor(secOfDay / 3600))}:${p2(Math.floor(secOfDay / 60) % 60)}:${p2(secOfDay % 60)}.${String(micros % 1e6).padStart(6, '0')}`
}
