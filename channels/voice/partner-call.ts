/**
 * A call an emergency line (110/119/120/122) transfers into 12345 arrives through the SIP edge on the
 * partner's trunk: X-Partner names the partner, the case reference is X-Partner-Case or the
 * User-to-User data (RFC 7433, `<hex>;encoding=hex`, as X-UUI). Such a call skips the greeting and
 * waits ahead of every other (PRIORITY.emergency); its appeal carries what the partner pushed about
 * the case (matched by reference), else what the headers say.
 */
import type { InboundCall } from '../../gateway/domain/media.ts'
import type { Category, Location } from '../../gateway/domain/appeal.ts'
import { PRIORITY } from '../../gateway/domain/appeal.ts'
import type { Submission } from '../../gateway/domain/ports.ts'
import type { HotlineProfile } from '../../ivr/types.ts'
import { voiceSubmission } from './voice-appeal.ts'
import { VOICE_TEXT_ZH } from './texts-zh.ts'

export interface PartnerTransfer {
  partner: string
  caseRef?: string
  /** The partner's Call-Info link (their record), if sent. */
  recordLink?: string
}

/** What a partner's pushed record says about the case (the parts an appeal takes). */
export interface PartnerCase {
  partnerName: string
  summary?: string
  location?: Location
  category?: Category
  callerNumber?: string
}

export function partnerTransfer(call: InboundCall): PartnerTransfer | undefined {
  const partner = call.headers['X-Partner']
  if (!partner || !/^(110|119|120|122)$/.test(partner)) return undefined
  const caseRef = clean(call.headers['X-Partner-Case']) ?? decodeUui(call.headers['X-UUI'])
  const recordLink = /<(https?:[^>]+)>/.exec(call.headers['X-Call-Info'] ?? '')?.[1]
  return { partner, ...(caseRef ? { caseRef } : {}), ...(recordLink ? { recordLink } : {}) }
}

/** RFC 7433 User-to-User: `<data>;encoding=hex;...` -> the text; undefined when absent or not printable. */
export function decodeUui(value: string | undefined): string | undefined {
  if (!value) return undefined
  const [data, ...params] = value.split(';').map((s) => s.trim())
  const hex = params.some((p) => /^encoding=hex$/i.test(p))
  const text = hex && /^([0-9a-f]{2})+$/i.test(data) ? Buffer.from(data, 'hex').toString('utf8') : data
  return clean(text)
}

function clean(v: string | undefined): string | undefined {
  const s = v?.trim()
  return s && /^[\w.:/-]{1,64}$/.test(s) ? s : undefined
}

export function partnerCallSubmission(call: InboundCall, hotline: HotlineProfile, phone: string | undefined, t: PartnerTransfer, c: PartnerCase): Submission {
  const base = voiceSubmission(call, hotline, phone, undefined)
  return {
    ...base,
    origin: t.partner,
    priority: PRIORITY.emergency,
    draft: {
      ...base.draft,
      content: VOICE_TEXT_ZH.partnerCallContent(c.partnerName, t.caseRef, c.summary),
      ...(c.location ? { location: c.location } : {}),
      ...(c.category ? { category: c.category } : {}),
    },
  }
}
