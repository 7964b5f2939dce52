/**
 * Websocket close codes the server uses (4000-4999 is the application range of RFC 6455).
 * The close reason is always the CONSOLE_ERR_* code, so a client branches on code + reason.
 */
export const CLOSE = {
  /** Missing, forged or wrong-kind token; or the first message was not `auth`. */
  unauthorized: 4401,
  /** The token's `exp` passed while the socket was open: log in again. */
  tokenExpired: 4402,
  /** The user logged out (on this page or another): every socket of theirs closes. Do not reconnect. */
  loggedOut: 4403,
  /** No `auth` message within console.authTimeoutMs. */
  authTimeout: 4408,
  /** A newer console of the same agent took over. Do not reconnect automatically. */
  replaced: 4409,
  /** The server is shutting down; reconnect (another process will serve you). */
  goingAway: 1001,
} as const
