/** Error codes of the matter linker (MT_ERR_*). Branch on err.code. */
import createError from '@fastify/error'

export const MT_ERR_APPEAL_NOT_LINKED = createError<[string]>('MT_ERR_APPEAL_NOT_LINKED', 'Appeal %s has not been linked', 404)
export const MT_ERR_MATTER_NOT_FOUND = createError<[string]>('MT_ERR_MATTER_NOT_FOUND', 'Matter %s not found', 404)
export const MT_ERR_CONTENDED = createError('MT_ERR_CONTENDED', 'Matter linking kept racing with other writers; retry', 503)
