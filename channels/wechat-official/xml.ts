/**
 * WeChat's XML, read safely and written exactly. Any markup declaration (<!DOCTYPE, <!ENTITY,
 * <!ELEMENT ...) is refused before a parser sees the text: WeChat never sends one, and refusing it
 * closes XXE and entity expansion (billion laughs) for good. Entity processing in the parser is off;
 * the five predefined XML entities and character references are decoded in one pass afterwards,
 * which cannot expand or reach outside the document.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_XML_FORBIDDEN, CH_ERR_XML_MALFORMED } from '../errors.ts'

export type WechatXml = Record<string, string>

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  parseTagValue: false, // MsgId is a 64-bit number: keep every value as the string WeChat sent
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
})

/** Throws CH_ERR_XML_FORBIDDEN if the text holds a markup declaration outside CDATA and comments. */
export function assertNoDeclarations(text: string): void {
  let i = text.indexOf('<!')
  while (i !== -1) {
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9)
      if (end === -1) return // unterminated CDATA: the validator calls it malformed
      i = text.indexOf('<!', end + 3)
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4)
      if (end === -1) return
      i = text.indexOf('<!', end + 3)
    } else {
      throw withField(new CH_ERR_XML_FORBIDDEN(), '/')
    }
  }
}

/** Parses a WeChat message (<xml>...</xml>) into its top-level string fields. */
export function parseWechatXml(text: string): WechatXml {
  assertNoDeclarations(text)
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw withField(new CH_ERR_XML_MALFORMED(`line ${valid.err.line}: ${valid.err.msg}`), '/')
  let doc: unknown
  try {
    doc = parser.parse(text)
  } catch (err) {
    throw withField(new CH_ERR_XML_MALFORMED((err as Error).message), '/')
  }
  const root = (doc as Record<string, unknown> | undefined)?.xml
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw withField(new CH_ERR_XML_MALFORMED('the root element must be <xml> with child elements'), '/xml')
  }
  const out: WechatXml = {}
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = decodeEntities(v)
  }
  return out
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name]
    const cp = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : whole
  })
}

/** A CDATA section that stays one even when the value contains "]]>". */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

/** <xml> with the given children: strings as CDATA, numbers bare (as WeChat writes CreateTime). */
export function buildXml(fields: Record<string, string | number>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? String(v) : cdata(v)}</${k}>`)
    .join('\n')
  return `<xml>\n${body}\n</xml>`
}
