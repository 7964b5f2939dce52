/** Every module that defines error codes. A new area's errors file is one line here. */
export const ERROR_MODULES: (() => Promise<unknown>)[] = [
  () => import('../../gateway/errors.ts'),
  () => import('../../channels/errors.ts'),
  () => import('../../config/errors.ts'),
  () => import('../../gateway/auth/errors.ts'),
  () => import('../../gateway/acd/errors.ts'),
  () => import('../../agent-console/server/errors.ts'),
  () => import('../../gateway/matter/errors.ts'),
  () => import('../../ivr/errors.ts'),
  () => import('../../gateway/telephony/errors.ts'),
  () => import('../../gateway/telephony/sip/errors.ts'),
  () => import('../../gateway/emergency/errors.ts'),
]
