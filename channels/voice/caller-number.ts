/**
 * Caller numbers as carriers signal them -> the form the citizen's history uses: mainland mobiles
 * as 11 digits, landlines as area code + number with a dash. A withheld or unusable number gives
 * undefined: the call is still an appeal, without a number to call back.
 */
import { isValidPhone } from '../../gateway/domain/phone.ts'

/** Area codes are 3 digits for 010 and 02x, 4 for the rest (GB 12345 numbering plan). */
function splitAreaCode(digits: string): [string, string] {
  const len = /^0(10|2\d)/.test(digits) ? 3 : 4
  return [digits.slice(0, len), digits.slice(len)]
}

export function normalizeCallerNumber(raw: string | undefined, areaCode: string): string | undefined {
  if (!raw) return undefined
  let d = raw.replace(/^sips?:/, '').replace(/@.*$/, '').replace(/[\s()-]/g, '')
  if (!/^\+?\d+$/.test(d)) return undefined
  const international = /^(\+86|0086)/.test(d)
  d = d.replace(/^(\+86|0086)/, '')
  if (d.startsWith('+')) return undefined // a foreign number: kept out of the history keys
  // A mobile dialled with a trunk prefix 0 (013800138000) or the country code without + (8613800138000).
  d = d.replace(/^0(?=1[3-9]\d{9}$)/, '').replace(/^86(?=1[3-9]\d{9}$)/, '')
  if (/^1[3-9]\d{9}$/.test(d)) return d
  // A landline with its area code; a local 7-8 digit number gets the centre's area code.
  // +86 drops a landline's trunk 0: +86 10 62345678 is 010-62345678.
  if (international && /^(10|2\d|[3-9]\d\d)\d{7,8}$/.test(d)) d = `0${d}`
  if (/^[2-9]\d{6,7}$/.test(d)) d = `${areaCode}${d}`
  if (!/^0\d{9,11}$/.test(d)) return undefined
  const [area, local] = splitAreaCode(d)
  const phone = `${area}-${local}`
  return isValidPhone(phone) ? phone : undefined
}
