/** What agents read about a call on its appeal card (zh-CN), in one place. */
export const VOICE_TEXT_ZH = {
  callContent: (hotline: string) => `市民来电（拨打${hotline}），请在通话中记录诉求内容。`,
  messageContent: (hotline: string) => `市民来电留言（拨打${hotline}），请收听留言录音。`,
} as const
