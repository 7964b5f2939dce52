// Loads the recorded event frames (frames/*.events, made by tools/extract-frames.ts) and renders them for
// the peer's own channels: uuids, numbers, names and times are substituted, every other header is sent
// as recorded, in the recorded order.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), 'frames')

export type Header = [string, string]

export interface Template {
  name: string
  /** e.g. `esl3-eavesdrop.txt frame 26`: where the frame was recorded */
  source: string
  role: string
  hasVars: boolean
  before: Header[]
  varDiff: Header[]
  after: Header[]
  body?: string
}

export interface RoleIdentity { uuid: string, cidNum?: string, cidName?: string, dest?: string, channelName?: string }
export interface FrameFile { roles: Record<string, RoleIdentity>, events: Template[] }

/** FreeSWITCH's switch_url_encode: bytes outside ' '..'~' and `\r\n "#%&+:;<=>?@[\]^`{|}` become %XX. */
export function fsUrlEncode (s: string): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += (byte < 0x20 || byte > 0x7e || '\r\n "#%&+:;<=>?@[\\]^`{|}'.includes(c)) ? '%' + byte.toString(16).toUpperCase().padStart(2, '0') : c
  }
  return out
}

export function fsUrlDecode (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

const split = (line: string): Header => { const i = line.indexOf(': '); return [line.slice(0, i), fsUrlDecode(line.slice(i + 2))] }

const cache = new Map<string, FrameFile>()

export function loadFrames (name: string): FrameFile {
  const hit = cache.get(name)
  if (hit) return hit
  const text = readFileSync(join(dir, `${name}.events`), 'utf8')
  const file: FrameFile = { roles: {}, events: [] }
  let cur: Template | undefined
  let part: 'before' | 'vars' | 'after' | 'body' = 'before'
  let body: string[] = []
  for (const line of text.split('\n')) {
    const role = /^# role (\w+) (\S+) (.*)$/.exec(line)
    if (role) {
      const r = (file.roles[role[1]] ??= { uuid: '' })
      const v = fsUrlDecode(role[3])
      if (role[2] === 'Unique-ID') r.uuid = v
      else if (role[2] === 'Caller-Caller-ID-Number') r.cidNum = v
      else if (role[2] === 'Caller-Caller-ID-Name') r.cidName = v
      else if (role[2] === 'Caller-Destination-Number') r.dest = v
      else if (role[2] === 'Channel-Name') r.channelName = v
      continue
    }
    const head = /^#### (\S+) (.*?) \(\+[\d.]+s\) role=(\S+) vars=(yes|no)$/.exec(line)
    if (head) {
      cur = { name: head[1], source: head[2], role: head[3], hasVars: head[4] === 'yes', before: [], varDiff: [], after: [] }
      file.events.push(cur)
      part = 'before'
      continue
    }
    if (!cur || line.startsWith('# ')) continue
    if (part === 'body') {
      if (line === '@end-body') { cur.body = body.join('\n') + '\n'; body = []; part = 'after' } else body.push(line)
    } else if (line === '@variables') part = 'vars'
    else if (line === '') part = 'body'
    else if (part === 'vars' && line.startsWith('variable_')) cur.varDiff.push(split(line))
    else if (part === 'vars') { part = 'after'; cur.after.push(split(line)) } else cur[part].push(split(line))
  }
  cache.set(name, file)
  return file
}

/** Picks the n-th (0-based) event called `eventName` in a frame file. */
export function pick (file: FrameFile, eventName: string, n = 0, where?: (t: Template) => boolean): Template {
  const all = file.events.filter(t => t.name === eventName && (!where || where(t)))
  const t = all[n]
  if (!t) throw new Error(`no recorded ${eventName} #${n}`)
  return t
}

export const headerOf = (t: Template, key: string) => [...t.before, ...t.after].find(([k]) => k === key)?.[1]

/** Builds one replacer for all recorded -> new values; numbers and names only match as whole tokens. */
export function replacer (pairs: Array<[string, string]>): (s: string) => string {
  const map = new Map<string, string>()
  for (const [from, to] of pairs) if (from && from !== to && !map.has(from)) map.set(from, to)
  if (map.size === 0) return s => s
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const alts = [...map.keys()].sort((a, b) => b.length - a.length).map(k => `(?<![A-Za-z0-9])${esc(k)}(?![A-Za-z0-9])`)
  const re = new RegExp(alts.join('|'), 'g')
  return s => s.replace(re, m => map.get(m) ?? m)
}

export function serializePlain (headers: Header[], body?: string): string {
  let ev = headers.map(([k, v]) => `${k}: ${fsUrlEncode(v)}\n`).join('')
  if (body !== undefined) ev += `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`
  else ev += '\n'
  return `Content-Length: ${Buffer.byteLength(ev)}\nContent-Type: text/event-plain\n\n${ev}`
}

export function serializeJson (headers: Header[], body?: string): string {
  const o: Record<string, string> = {}
  for (const [k, v] of headers) o[k] = v
  if (body !== undefined) { o['Content-Length'] = String(Buffer.byteLength(body)); o._body = body }
  const json = JSON.stringify(o)
  return `Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`
}
