/** What agents read about a call on its appeal card (zh-CN), in one place. */
export const VOICE_TEXT_ZH = {
  callContent: (hotline: string) => `市民来电（拨打${hotline}），请在通话中记录诉求内容。`,
  messageContent: (hotline: string) => `市民来电留言（拨打${hotline}），请收听留言录音。`,
  /** A call transferred in by an emergency line: what it said about the case, or that it said nothing. */
  partnerCallContent: (partnerName: string, caseRef: string | undefined, summary: string | undefined) =>
    `${partnerName}转来的来电${caseRef ? `（对方案件编号 ${caseRef}）` : ''}：${summary ?? '对方未推送案件记录，请在通话中记录诉求内容。'}`,
} as const
