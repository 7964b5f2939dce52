/** Configuration errors: startup stops with the path of the bad field. */
import createError from '@fastify/error'

export const CFG_ERR_INVALID = createError<[string, string]>(
  'CFG_ERR_INVALID',
  'Invalid configuration at %s: %s',
)
export const CFG_ERR_FILE = createError<[string, string]>('CFG_ERR_FILE', 'Cannot read configuration file %s: %s')
export const CFG_ERR_DEMO_IN_PRODUCTION = createError<[string]>(
  'CFG_ERR_DEMO_IN_PRODUCTION',
  'Demo account %s is not allowed when NODE_ENV=production',
)
