/**
 * `notice`: on a cancelled number, the short notice that it is now part of 12345 (您拨打的12319已并入
 * 12345); on 12345 itself and on numbers kept in parallel, nothing.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, StepResult } from '../types.ts'
import { CONTINUE, MediaStep, type StepDefinition } from './step-kit.ts'

export const NoticeSchema = Type.Object({ type: Type.Literal('notice') }, { additionalProperties: false })
export type NoticeConfig = Static<typeof NoticeSchema>

export class NoticeStep extends MediaStep {
  readonly needsAnswer = true

  async exec(ctx: IvrContext): Promise<StepResult> {
    const { status, noticePrompt } = ctx.hotline
    if (status === 'cancelled' && noticePrompt) await this.playPrompt(ctx, noticePrompt)
    return CONTINUE
  }
}

export const notice: StepDefinition<NoticeConfig> = {
  type: 'notice',
  schema: NoticeSchema,
  create: () => new NoticeStep(),
}
