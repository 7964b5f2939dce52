/**
 * A call -> the Appeal submission (channel `voice`, origin = the hotline dialed, external id = the
 * media server's call id, so a reconnect or a second process reporting the same call maps to the
 * same appeal). A withheld number is still an appeal: the citizen has no phone on it.
 */
import type { InboundCall } from '../../gateway/domain/media.ts'
import type { Submission } from '../../gateway/domain/ports.ts'
import type { HotlineProfile } from '../../ivr/types.ts'
import { VOICE_TEXT_ZH } from './texts-zh.ts'

export function voiceSubmission(
  call: InboundCall,
  hotline: HotlineProfile,
  phone: string | undefined,
  message?: { recordingPath: string },
): Submission {
  return {
    channel: 'voice',
    externalId: call.callId,
    origin: hotline.number,
    receivedAt: call.startedAt,
    draft: {
      citizen: phone ? { phone } : {},
      content: message ? VOICE_TEXT_ZH.messageContent(hotline.number) : VOICE_TEXT_ZH.callContent(hotline.number),
      call: {
        callId: call.callId,
        serverId: call.serverId,
        mode: message ? 'message' : 'live',
        ...(message ? { recording: message.recordingPath } : {}),
      },
    },
  }
}
