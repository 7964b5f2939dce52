/** Phone numbers as citizens give them: mainland mobiles and landlines with area code. */

const MOBILE = /^1[3-9]\d{9}$/
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/

/** Strips spaces, dashes between groups, a +86/0086 prefix and full-width digits. */
export function normalizePhone(raw: string): string {
  let s = raw.normalize('NFKC').replace(/[\s()（）]/g, '')
  s = s.replace(/^(\+?86|0086)(?=1\d{10}$)/, '')
  if (MOBILE.test(s.replaceAll('-', ''))) s = s.replaceAll('-', '')
  return s
}

export function isValidPhone(phone: string): boolean {
  return MOBILE.test(phone) || LANDLINE.test(phone)
}

/** 138****5678: what logs and non-staff views may show. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length)
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`
}

export function lastFour(phone: string): string {
  return phone.replace(/\D/g, '').slice(-4)
}
