/**
 * The number dialed -> its hotline profile (config/hotlines.json). 12345 and the 22 merged numbers
 * are listed there; a number the carrier sends that is not listed is treated as 12345 itself (the
 * caller still reaches a person) and logged by the caller of this function.
 */
import type { Hotline } from '../../config/schema.ts'
import type { HotlineProfile } from '../../ivr/types.ts'

export function hotlineProfile(dialed: string, hotlines: readonly Hotline[]): { profile: HotlineProfile; known: boolean } {
  const digits = dialed.replace(/^\+?86/, '').replace(/\D/g, '')
  const found = hotlines.find((h) => h.number === digits)
  const hotline = found ?? hotlines.find((h) => h.status === 'main')
  if (!hotline) throw new Error('no main hotline configured')
  return {
    known: Boolean(found),
    profile: {
      number: hotline.number,
      name: hotline.name,
      department: hotline.department,
      skill: hotline.skill,
      status: hotline.status,
      ...(hotline.status === 'cancelled' && hotline.notice ? { noticePrompt: `notice-${hotline.number}` } : {}),
    },
  }
}
