/** The step registry: a flow's `type` -> its definition. A new step is one file and one line here. */
import { answer } from './answer.ts'
import { branchTime } from './branch-time.ts'
import { collect } from './collect.ts'
import { enqueue } from './enqueue.ts'
import { hangup } from './hangup.ts'
import { notice } from './notice.ts'
import { play } from './play.ts'
import { recordMessage } from './record-message.ts'
import { sayDigits } from './say-digits.ts'
import { set } from './set.ts'
import { transfer } from './transfer.ts'
import type { StepDefinition } from './step-kit.ts'

export type { StepConfig, StepDefinition, FieldRef } from './step-kit.ts'

export type StepRegistry = Readonly<Record<string, StepDefinition>>

const DEFINITIONS: StepDefinition[] = [
  answer,
  play,
  notice,
  sayDigits,
  collect,
  branchTime,
  set,
  enqueue,
  transfer,
  recordMessage,
  hangup,
]

export const STEPS: StepRegistry = Object.freeze(Object.fromEntries(DEFINITIONS.map((d) => [d.type, d])))
