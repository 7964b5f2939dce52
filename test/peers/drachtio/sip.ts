// SIP text as drachtio-server (sofia-sip) writes it. Messages are parsed with drachtio-srf's own parser
// (drachtio-srf/lib/sip-parser, the module the app itself uses); the only text handling here is keeping
// each header line as written (the parser merges repeated headers) so the peer can copy them.
import { randomBytes, randomInt } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** drachtio-srf's SipMessage (lib/sip-parser/message.js), the members used here. */
export interface SipMessage {
  type: 'request' | 'response' | 'unknown'
  method?: string
  uri?: string
  status?: number
  reason?: string
  body: string
  headers: Record<string, string>
  raw?: string
  get (name: string): string | undefined
  has (name: string): boolean
  getParsedHeader (name: string): unknown
}
export interface ParsedUri { scheme: string, user?: string, host?: string, port?: number, params: Record<string, string | null> }

const SipMessageCtor = require('drachtio-srf/lib/sip-parser/message') as { new (text: string): SipMessage, parseUri (uri: string): ParsedUri | undefined }

export const parseUri = (uri: string): ParsedUri | undefined => SipMessageCtor.parseUri(uri)

/**
 * Headers in the order sofia-sip serialises a message it builds (the member order of `struct sip_s`,
 * sofia-sip/sip.h): the transcripts show it for every message drachtio-server wrote (Max-Forwards moved
 * before From in a proxied INVITE, Call-Info after Contact, Content-Length before the unknown headers).
 */
const SOFIA_ORDER = ['Via', 'Route', 'Record-Route', 'Max-Forwards', 'Proxy-Require', 'From', 'To', 'Call-ID', 'CSeq', 'Identity', 'Contact', 'RSeq', 'RAck',
  'Request-Disposition', 'Accept-Contact', 'Reject-Contact', 'Expires', 'Date', 'Retry-After', 'Timestamp', 'Min-Expires', 'Subject', 'Priority',
  'Call-Info', 'Organization', 'Server', 'User-Agent', 'In-Reply-To', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Allow', 'Require', 'Supported',
  'Unsupported', 'Event', 'Allow-Events', 'Subscription-State', 'Proxy-Authenticate', 'Proxy-Authentication-Info', 'Proxy-Authorization',
  'Authorization', 'WWW-Authenticate', 'Authentication-Info', 'Error-Info', 'Warning', 'Refer-To', 'Referred-By', 'Replaces', 'Session-Expires',
  'Min-SE', 'Path', 'Service-Route', 'Reason', 'Security-Client', 'Security-Server', 'Security-Verify', 'Privacy', 'SIP-ETag', 'SIP-If-Match',
  'MIME-Version', 'Content-Type', 'Content-Encoding', 'Content-Language', 'Content-Disposition', 'Content-Length']
/** Known to drachtio-server's header table but not members of sip_s: written after Content-Length, like unknown ones. */
const EXTRA = ['Alert-Info', 'Reply-To', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Remote-Party-ID', 'Refer-Sub']
const COMPACT: Record<string, string> = { i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', u: 'Allow-Events', r: 'Refer-To', b: 'Referred-By', x: 'Session-Expires', a: 'Accept-Contact', j: 'Reject-Contact', d: 'Request-Disposition' }
const KNOWN = new Map([...SOFIA_ORDER, ...EXTRA].map(n => [n.toLowerCase(), n]))
const RANK = new Map(SOFIA_ORDER.map((n, i) => [n, i]))

/** The canonical spelling of a header sofia knows (compact forms expanded), else undefined. */
export function knownName (name: string): string | undefined {
  const lower = name.trim().toLowerCase()
  return COMPACT[lower] ?? KNOWN.get(lower)
}

/** drachtio-server's capitalizeAfterDash (src/drachtio.cpp) for custom headers: `User-to-User` -> `User-To-User`; `X-*` untouched. */
export function capitalizeAfterDash (name: string): string {
  if (/^x-/i.test(name)) return name
  return name.replace(/(^|-)(.)/g, (_m, dash: string, c: string) => dash + c.toUpperCase())
}

export type Header = [string, string]

/** A SIP message with its header lines as written, plus drachtio-srf's parse of it. */
export class SipText {
  readonly msg: SipMessage
  readonly startLine: string
  readonly headers: Header[]
  readonly body: string

  constructor (readonly text: string) {
    this.msg = new SipMessageCtor(text)
    const end = text.indexOf('\r\n\r\n')
    const head = end < 0 ? text : text.slice(0, end)
    this.body = end < 0 ? '' : text.slice(end + 4)
    // split exactly where drachtio-srf's parser splits header lines (folded lines stay with their header)
    const lines = head.split(/\r\n(?![ \t])/)
    this.startLine = lines[0]
    this.headers = lines.slice(1).map(l => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()])
  }

  /** every value of a header (case-insensitive, compact forms included), in order */
  all (name: string): string[] {
    const want = knownName(name) ?? name.toLowerCase()
    return this.headers.filter(([n]) => (knownName(n) ?? n.toLowerCase()) === want).map(([, v]) => v)
  }

  get (name: string): string | undefined { return this.all(name)[0] }
}

/**
 * Writes a message the way sofia builds one: known headers by their canonical name in sofia's order,
 * Content-Length computed, then the unknown headers in the order given, then the body.
 */
export function serialize (startLine: string, headers: Header[], body = ''): string {
  const known: Header[] = []
  const unknown: Header[] = []
  for (const [name, value] of headers) {
    const canon = knownName(name)
    if (canon === 'Content-Length') continue
    if (canon && RANK.has(canon)) known.push([canon, value])
    else unknown.push([canon ?? name, value])
  }
  known.push(['Content-Length', String(Buffer.byteLength(body, 'utf8'))])
  known.sort((a, b) => (RANK.get(a[0]) ?? 0) - (RANK.get(b[0]) ?? 0))
  return [startLine, ...[...known, ...unknown].map(([n, v]) => `${n}: ${v}`)].join('\r\n') + '\r\n\r\n' + body
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** A tag as sofia makes them: 13 letters and digits (`7m5UN0Srgp4cB`). */
export function sofiaTag (): string {
  let s = ''
  for (let i = 0; i < 13; i++) s += ALNUM[randomInt(ALNUM.length)]
  return s
}
/** The branch of a request drachtio sends itself: `z9hG4bK` + 13 letters and digits. */
export const sofiaBranch = () => 'z9hG4bK' + sofiaTag()

const CLOCK_SEQ = randomBytes(2).toString('hex')
const NODE = randomBytes(6).toString('hex')
let lastTicks = 0n
/**
 * A Call-ID like drachtio's (`cff858ef-64b0-1240-1c88-ba87f70c5876`): a time-based (version 1) uuid,
 * the first group counting up with the clock, clock sequence and node fixed for the process.
 */
export function sofiaCallId (): string {
  let ticks = (BigInt(Date.now()) + 12219292800000n) * 10000n
  if (ticks <= lastTicks) ticks = lastTicks + 1n
  lastTicks = ticks
  const hex = (v: bigint, n: number) => v.toString(16).padStart(n, '0')
  return `${hex(ticks & 0xffffffffn, 8)}-${hex((ticks >> 32n) & 0xffffn, 4)}-${hex(((ticks >> 48n) & 0x0fffn) | 0x1000n, 4)}-${CLOCK_SEQ}-${NODE}`
}

/** The first CSeq of a request drachtio starts: a nine-digit number that grows by one every two seconds. */
export const sofiaCSeq = () => Math.floor(Date.now() / 2000) % 1_000_000_000

/** `sip:u@localhost` -> `<sip:u@host:port>` (drachtio's replaceHostInUri); a bare URI is put in brackets. */
export function addressOf (value: string, host: string, port: number): string {
  let v = value.replace(/@localhost(:\d+)?(?=[;>]|$)/, `@${host}:${port}`)
  if (!v.includes('<')) {
    const semi = v.indexOf(';')
    v = semi < 0 ? `<${v}>` : `<${v.slice(0, semi)}>${v.slice(semi)}`
  }
  return v
}

/** The tag parameter of a From/To value, if any. */
export function tagOf (value: string | undefined): string | undefined {
  if (!value) return undefined
  const gt = value.lastIndexOf('>')
  return /;\s*tag=([^;\s]+)/i.exec(gt < 0 ? value : value.slice(gt))?.[1]
}

/** The URI inside `<...>` (or the bare value up to its parameters). */
export function uriOf (value: string): string {
  const lt = value.indexOf('<')
  if (lt >= 0) return value.slice(lt + 1, value.indexOf('>', lt))
  const semi = value.indexOf(';')
  return (semi < 0 ? value : value.slice(0, semi)).trim()
}
