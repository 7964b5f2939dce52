/** Error codes of the emergency handoff (EMERGENCY_ERR_*). Branch on err.code. */
import createError from '@fastify/error'

export const EMERGENCY_ERR_LINK_INVALID = createError('EMERGENCY_ERR_LINK_INVALID', 'This handoff link is not valid', 404)
export const EMERGENCY_ERR_LINK_EXPIRED = createError<[string]>('EMERGENCY_ERR_LINK_EXPIRED', 'This handoff link expired at %s; ask 12345 for a new one', 410)
export const EMERGENCY_ERR_REASON_REQUIRED = createError('EMERGENCY_ERR_REASON_REQUIRED', 'A record is returned to 12345 with a reason', 400)
export const EMERGENCY_ERR_ALREADY_RETURNED = createError('EMERGENCY_ERR_ALREADY_RETURNED', 'This record was already returned to 12345', 409)
export const EMERGENCY_ERR_UNKNOWN_PARTNER = createError<[string]>('EMERGENCY_ERR_UNKNOWN_PARTNER', 'No emergency partner %s is configured', 404)
export const EMERGENCY_ERR_APPEAL_NOT_FOUND = createError<[string]>('EMERGENCY_ERR_APPEAL_NOT_FOUND', 'Appeal %s not found', 404)
export const EMERGENCY_ERR_HANDOFF_NOT_FOUND = createError<[string]>('EMERGENCY_ERR_HANDOFF_NOT_FOUND', 'Handoff %s not found', 404)
