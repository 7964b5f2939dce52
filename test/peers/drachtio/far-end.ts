// The SIP user agents behind drachtio: whoever the app's requests (UAC INVITEs, OPTIONS, in-dialog
// BYE/NOTIFY, proxied INVITEs) reach. Tests decide their answers with peer.onRequest(); the answers are
// shaped like the recorded sipp UAS (drachtio2-sipp-uas-refer.sipmsg.txt: Via/From/To/Call-ID/CSeq
// copied, a To tag, Contact on INVITE answers, then the body).
import { createRequire } from 'node:module'
import { recordedSip } from './frames.ts'
import { type Header, type SipMessage, SipText, serialize } from './sip.ts'

const require = createRequire(import.meta.url)
/** drachtio-srf's own reason-phrase table (its dependency sip-status) */
const reasons = createRequire(require.resolve('drachtio-srf'))('sip-status') as Record<number, string>
export const reasonFor = (status: number) => reasons[status] ?? 'Unknown'

/** A request as it left drachtio towards the far end. */
export interface FarEndRequest {
  /** `uac`: a new request of the app; `in-dialog`: the app's request inside a dialog; `proxy`: a request drachtio proxied */
  kind: 'uac' | 'in-dialog' | 'proxy'
  method: string
  uri: string
  /** the full SIP text as drachtio sent it */
  text: string
  msg: SipMessage
  /** case-insensitive header lookup on the text as sent */
  get (name: string): string | undefined
  /** the dialog it belongs to, if any */
  dialogId?: string
}

export type Answer =
  /** a final answer, optionally after a 180 Ringing and/or a delay */
  | { status: number, reason?: string, headers?: Record<string, string>, body?: string, ringing?: boolean, delayMs?: number }
  /** 180 Ringing, then nothing until the app CANCELs (the far end then answers 487) */
  | { noAnswer: true }
  /** nobody listens there: drachtio answers 503 itself (drachtio2 transcript, OPTIONS to port 5099) */
  | { unreachable: true }

export type RequestHandler = (req: FarEndRequest) => Answer | undefined | Promise<Answer | undefined>

/** The SDP the recorded sipp UAS answered the app's INVITE with. */
export const FAR_END_SDP = new SipText(recordedSip('sipp-uas-200')).body

export function defaultAnswer (req: FarEndRequest): Answer {
  if (req.method === 'INVITE') return { status: 200, body: FAR_END_SDP, ringing: true }
  return { status: 200 }
}

export function farEndRequest (kind: FarEndRequest['kind'], text: string, dialogId?: string): FarEndRequest {
  const sip = new SipText(text)
  return { kind, method: sip.msg.method ?? '', uri: sip.msg.uri ?? '', text, msg: sip.msg, get: n => sip.get(n), dialogId }
}

export interface ResponseSpec {
  status: number
  reason?: string
  toTag: string
  /** the responder's Contact (INVITE answers) */
  contact?: string
  headers?: Record<string, string> | Header[]
  body?: string
}

/** A UA's response to `req`: the request's Via lines, Record-Route (2xx/1xx to INVITE), From, To + tag, Call-ID, CSeq. */
export function responseTo (req: SipText, spec: ResponseSpec): string {
  const headers: Header[] = req.headers.filter(([n]) => /^(via|v)$/i.test(n)).map(([, v]) => ['Via', v])
  const invite = req.msg.method === 'INVITE'
  if (invite && spec.status < 300) for (const rr of req.all('Record-Route')) headers.push(['Record-Route', rr])
  const to = req.get('To') ?? ''
  headers.push(['From', req.get('From') ?? ''], ['To', /;\s*tag=/i.test(to) || spec.status === 100 ? to : `${to};tag=${spec.toTag}`],
    ['Call-ID', req.get('Call-ID') ?? ''], ['CSeq', req.get('CSeq') ?? ''])
  if (spec.contact && invite && spec.status > 100 && spec.status < 300) headers.push(['Contact', spec.contact])
  const extra = Array.isArray(spec.headers) ? spec.headers : Object.entries(spec.headers ?? {})
  headers.push(...extra)
  const body = spec.body ?? ''
  if (body && !extra.some(([n]) => /^content-type$/i.test(n))) headers.push(['Content-Type', body.startsWith('v=0') ? 'application/sdp' : 'text/plain'])
  return serialize(`SIP/2.0 ${spec.status} ${spec.reason ?? reasonFor(spec.status)}`, headers, body)
}
