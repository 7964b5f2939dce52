/**
 * Who may sign: the mayor's mailbox, the leadership message board, and every government app listed
 * in config.channels.signedApps (a new app is config, not code). Each source has its own secret,
 * rate limit and namespace for the citizen's account id.
 */
import type { Config } from '../../config/schema.ts'

export type SignedChannel = 'mailbox' | 'message-board' | 'app'

export interface SignedSource {
  channel: SignedChannel
  /** Replay and rate-limit namespace: 'mailbox', 'message-board', 'app:<name>'. */
  key: string
  /** Stored as the appeal's origin (the app's name); absent for mailbox and board. */
  origin?: string
  /** Empty when not configured: the channel answers 503 CH_ERR_CHANNEL_DISABLED. */
  secret: string
  rateLimit: { max: number; timeWindowMs: number }
  /** Prefix that turns the source's own user id into citizen.openid (see accountOpenid). */
  accountPrefix: string
}

export function mailboxSource(config: Readonly<Config>): SignedSource {
  const c = config.channels.mailbox
  return { channel: 'mailbox', key: 'mailbox', secret: c.secret, rateLimit: c.rateLimit, accountPrefix: 'mailbox' }
}

export function messageBoardSource(config: Readonly<Config>): SignedSource {
  const c = config.channels.messageBoard
  return { channel: 'message-board', key: 'message-board', secret: c.secret, rateLimit: c.rateLimit, accountPrefix: 'board' }
}

/** undefined when no app of that name is configured. */
export function appSource(config: Readonly<Config>, name: string): SignedSource | undefined {
  const app = config.channels.signedApps.find((a) => a.name === name)
  if (!app) return undefined
  return {
    channel: 'app',
    key: `app:${app.name}`,
    origin: app.name,
    secret: app.secret,
    rateLimit: app.rateLimit,
    accountPrefix: `app_${app.name}`,
  }
}

/** The source of a channel name as the import command takes it (`--channel`, `--app`). */
export function sourceFor(config: Readonly<Config>, channel: string, app?: string): SignedSource | undefined {
  if (channel === 'mailbox') return mailboxSource(config)
  if (channel === 'message-board') return messageBoardSource(config)
  if (channel === 'app' && app) return appSource(config, app)
  return undefined
}

/**
 * A board post often has no phone: the board's own user id is then how the citizen is reached and
 * recognised again. It is stored as citizen.openid, namespaced by source (`board_<id>`,
 * `mailbox_<id>`, `app_<name>_<id>`) so that ids of different systems never merge two people.
 */
export function accountOpenid(source: SignedSource, userId: string): string {
  return `${source.accountPrefix}_${userId}`
}
