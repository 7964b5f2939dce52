/**
 * The number a caller dialed as trunks signal it -> the hotline number config/hotlines.json knows:
 * `+86`/`0086`/`86` and the trunk's area code in front of a short service number are dropped
 * (`+8612345`, `01012345`, `010-12345` -> `12345`); other numbers keep their digits.
 */
export function normalizeDialed(raw: string | undefined, areaCode: string): string | undefined {
  if (!raw) return undefined
  let d = raw.replace(/^sips?:/, '').replace(/[@;].*$/, '').replace(/[\s()-]/g, '')
  if (!/^\+?\d{2,20}$/.test(d)) return undefined
  d = d.replace(/^(\+86|0086)/, '')
  if (d.startsWith('+')) return undefined
  // A service number (3-6 digits, 1xxxx) behind the country code or an area code.
  d = d.replace(/^86(?=1\d{2,5}$)/, '')
  if (d.startsWith(areaCode) && /^1\d{2,5}$/.test(d.slice(areaCode.length))) d = d.slice(areaCode.length)
  return d
}
