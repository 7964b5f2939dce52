/** What a citizen reads for each appeal status (zh-CN), kept in one place. */
import type { AppealStatus } from '../domain/appeal.ts'

const LABELS: Record<AppealStatus, string> = {
  received: '已受理',
  queued: '已受理，等待坐席处理',
  offered: '坐席正在接单',
  'in-progress': '处理中',
  completed: '已转交承办单位办理',
  cancelled: '已撤销',
}

export function statusLabel(status: AppealStatus): string {
  return LABELS[status] ?? status
}
