/** Everything the WeChat official account says to a citizen, and the texts agents see for media-only appeals. */

export const REPLIES_ZH = {
  received: (appealNumber: string) =>
    `已收到您的诉求，编号${appealNumber}。工作人员将尽快办理，您可凭此编号查询办理进度。`,
  welcome:
    '欢迎关注12345政务服务便民热线！请直接发送文字、图片、语音或位置描述您的诉求，我们会尽快为您办理。如遇紧急情况，请拨打110、119、120。',
  locationNoted: '已收到您发送的位置。请接着用文字、图片或语音描述您遇到的问题，我们会把这个位置一并登记。',
  unsupported: '暂不支持此类消息。请发送文字、图片、语音或位置描述您的诉求。',
  emptyContent: '没有收到诉求内容，请用文字描述您遇到的问题。',
  rejected: '您的消息未能登记，请重新发送，或拨打12345热线反映。',
  busy: '系统繁忙，您的消息暂未登记，请稍后重新发送，或拨打12345热线反映。',
} as const

/** Appeal text for messages that carry no words of their own (the agent reads it in the console). */
export const CONTENT_ZH = {
  imageOnly: '（市民通过公众号发送了一张图片，未附文字说明）',
  voiceUnrecognized: '（市民通过公众号发送了一段语音，未能识别出文字，请收听附件）',
} as const
