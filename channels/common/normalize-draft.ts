/**
 * Rules every draft obeys beyond its schema: content not blank, phone valid (normalized to digits),
 * at least one way to reach the citizen. Each failure names the field. Text is kept as text:
 * markup is never stripped or rendered, only control characters are removed.
 */
import type { AppealDraft } from '../../gateway/domain/appeal.ts'
import { isValidPhone, normalizePhone } from '../../gateway/domain/phone.ts'
import { withField } from '../../gateway/errors.ts'
import { CH_ERR_EMPTY_CONTENT, CH_ERR_INVALID_PHONE, CH_ERR_MISSING_CONTACT } from '../errors.ts'

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

export function normalizeDraft(draft: AppealDraft, at = ''): AppealDraft {
  const content = draft.content.replace(CONTROL, '').trim()
  if (content === '') throw withField(new CH_ERR_EMPTY_CONTENT(), `${at}/content`)

  const citizen = { ...draft.citizen }
  if (citizen.phone !== undefined) {
    const phone = normalizePhone(citizen.phone)
    if (!isValidPhone(phone)) throw withField(new CH_ERR_INVALID_PHONE(JSON.stringify(citizen.phone)), `${at}/citizen/phone`)
    citizen.phone = phone
  }
  if (citizen.name !== undefined) citizen.name = citizen.name.replace(CONTROL, '').trim() || undefined
  if (!citizen.phone && !citizen.openid) throw withField(new CH_ERR_MISSING_CONTACT(), `${at}/citizen`)
  if (citizen.name === undefined) delete citizen.name

  const out: AppealDraft = { ...draft, citizen, content }
  if (draft.location) {
    const address = draft.location.address?.replace(CONTROL, '').trim()
    out.location = { ...draft.location, ...(address ? { address } : {}) }
    if (!address) delete out.location.address
  }
  return out
}
