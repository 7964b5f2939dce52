/** Everything an agent or supervisor reads about 并案, in Chinese, in one place. */
import type { ReasonCode } from './types.ts'

export const FLAG_LABELS_ZH = {
  repeat: '重复诉求',
  concentrated: '集中诉求',
  merged: '并案',
} as const

export const REASON_LABELS_ZH: Record<ReasonCode, string> = {
  'same-citizen': '同一来电人',
  'same-place': '同一小区/地点',
  'same-intersection': '同一路口',
  'same-building': '同一楼栋',
  'same-road': '同一道路',
  'nearby-pin': '定位相近',
  'same-business': '同一单位/商户/项目',
  'same-route': '同一公交线路',
  'related-place': '地点相关',
  'same-problem': '同类问题',
  'related-problem': '相关问题',
  'similar-text': '描述相似',
}

export const DECISION_LABELS_ZH = {
  confirmed: '已确认并案',
  detached: '已拆分',
  attached: '已人工并入',
} as const

/** Reasons as an agent reads them: 同一来电人、同一楼栋、同类问题. */
export function reasonsZh(reasons: ReasonCode[]): string {
  return reasons.map((r) => REASON_LABELS_ZH[r]).join('、')
}
