/** Flows written inline for one test, validated as the loader validates a flow file. */
import { checkFlow, type Flow } from '../../../ivr/flow-schema.ts'

export function flowsOf(...list: Omit<Flow, 'description'>[]): Map<string, Flow> {
  return new Map(list.map((f) => [f.id, checkFlow({ description: 'test flow', ...f }, `/ivr/${f.id}.json`)]))
}
