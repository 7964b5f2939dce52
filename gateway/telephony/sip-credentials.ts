/**
 * Agents' SIP credentials for the browser softphone, derived from one secret (voice.softphone.secret,
 * AGENT_SIP_SECRET): nobody types them, nothing stores them. The gateway hands an agent their own on
 * request (GET /v1/agent/softphone); the FreeSWITCH directory gets only the digest hash of the same
 * password (config/freeswitch/render-agents.ts), so the plaintext never lands on disk.
 */
import { createHash, createHmac } from 'node:crypto'

/** base64url(HMAC-SHA256(secret, 'sip:' + agentId)), first 24 characters (144 bits). */
export function sipPassword(secret: string, agentId: string): string {
  return createHmac('sha256', secret).update(`sip:${agentId}`).digest('base64url').slice(0, 24)
}

/** FreeSWITCH's `a1-hash` directory param: md5("<user>:<realm>:<password>") in hex (RFC 2617 HA1). */
export function a1Hash(agentId: string, domain: string, password: string): string {
  return createHash('md5').update(`${agentId}:${domain}:${password}`).digest('hex')
}

export interface SoftphoneSettings {
  wsUrl: string
  domain: string
  secret: string
}

/** What the browser needs for `new JsSIP.UA(...)`, and whether offered calls are answered without a click. */
export interface SoftphoneCredentials {
  wsUrl: string
  uri: string
  authorizationUser: string
  password: string
  displayName: string
  autoAnswer: boolean
}

export function softphoneCredentials(
  settings: Readonly<SoftphoneSettings>,
  agent: { id: string; name: string; phone?: { autoAnswer?: boolean } },
): SoftphoneCredentials {
  return {
    wsUrl: settings.wsUrl,
    uri: `sip:${agent.id}@${settings.domain}`,
    authorizationUser: agent.id,
    password: sipPassword(settings.secret, agent.id),
    displayName: agent.name,
    autoAnswer: agent.phone?.autoAnswer ?? false,
  }
}
