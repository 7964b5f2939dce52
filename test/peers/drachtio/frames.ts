// The recorded admin messages (frames/drachtio.json, made by tools/extract-frames.ts). A leader is sent
// as recorded, field by field, with only its named positions filled in: the empty fields, the literal
// words (`network`, `application`, `Msg sent:`, `continue`) and the trailing `|` stay as drachtio-server
// wrote them.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface Recorded { source: string, text: string }
interface LeaderFrame { source: string, note: string, recorded: string, fields: Record<string, number> }
interface FrameFile { leaders: Record<string, LeaderFrame>, commands: Record<string, Recorded>, sip: Record<string, Recorded> }

const file = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'frames', 'drachtio.json'), 'utf8')) as FrameFile

export type LeaderName = 'auth-ok' | 'auth-refused' | 'route-ok' | 'pong' | 'nok-myself' | 'nok-ack' | 'request-in' | 'request-in-dialog' | 'ack-in' |
  'response-sent-invite' | 'response-sent' | 'response-sent-in-dialog' | 'request-sent' | 'response-in' | 'response-local' | 'proxy-response' | 'proxy-done'

/** The recorded first line of `name` with its named fields replaced; every named field must be given. */
export function leader (name: LeaderName, values: Record<string, string | number>): string {
  const frame = file.leaders[name]
  if (!frame) throw new Error(`no recorded leader ${name}`)
  const fields = frame.recorded.split('|')
  for (const [key, pos] of Object.entries(frame.fields)) {
    const v = values[key]
    if (v === undefined) throw new Error(`leader ${name}: no value for ${key}`)
    fields[pos] = String(v)
  }
  return fields.join('|')
}

export function leaderFrame (name: LeaderName): LeaderFrame { return file.leaders[name] }

/** A recorded SIP message (exact bytes), e.g. `sipp-register` as sipp sent it. */
export function recordedSip (name: string): string {
  const r = file.sip[name]
  if (!r) throw new Error(`no recorded SIP message ${name}`)
  return r.text
}

/** A recorded first line the app sent, e.g. `proxy`. */
export function recordedCommand (name: string): string {
  const r = file.commands[name]
  if (!r) throw new Error(`no recorded command ${name}`)
  return r.text
}
