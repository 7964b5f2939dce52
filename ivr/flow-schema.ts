/**
 * What a flow file is: `{ id, description, steps }`, each step one of the registered step schemas
 * (additionalProperties false). FlowSchema is the union, for editors and docs; checkFlow validates one
 * step at a time against the schema its `type` names, so that an error points at the exact field.
 */
import { Type, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { CFG_ERR_INVALID } from '../config/errors.ts'
import { withField } from '../gateway/errors.ts'
import { STEPS, type StepConfig, type StepRegistry } from './steps/index.ts'
import { FLOW_ID } from './steps/step-kit.ts'

export interface Flow {
  id: string
  description: string
  steps: StepConfig[]
}

const envelope = (step: TSchema) =>
  Type.Object(
    {
      /** The file name without .json; what goto targets and the voice config name. */
      id: Type.String(FLOW_ID),
      description: Type.String({ minLength: 1 }),
      steps: Type.Array(step, { minItems: 1 }),
    },
    { additionalProperties: false },
  )

/** The flow schema over a step registry: the union of its step schemas. */
export function flowSchema(steps: StepRegistry = STEPS): TSchema {
  return envelope(Type.Union(Object.values(steps).map((d) => d.schema)))
}

export const FlowSchema = flowSchema()

/** Only the shape every step shares, so each step can then be checked against its own schema. */
const FlowEnvelopeSchema = envelope(Type.Object({ type: Type.String() }))

/** Stops startup: CFG_ERR_INVALID whose message (and `field`) is the JSON pointer of the bad field. */
export function invalid(path: string, message: string): Error {
  return withField(new CFG_ERR_INVALID(path, message), path)
}

/** Validates one flow file's content; `base` is its path in errors, e.g. /ivr/night.json. */
export function checkFlow(raw: unknown, base: string, steps: StepRegistry = STEPS): Flow {
  const first = Value.Errors(FlowEnvelopeSchema, raw).First()
  if (first) throw invalid(`${base}${first.path}`, first.message)
  const flow = raw as Flow
  flow.steps.forEach((step, i) => {
    const at = `${base}/steps/${i}`
    const def = Object.hasOwn(steps, step.type) ? steps[step.type] : undefined
    if (!def) throw invalid(`${at}/type`, `unknown step type "${step.type}"; one of ${Object.keys(steps).join(', ')}`)
    const err = Value.Errors(def.schema, step).First()
    if (err) throw invalid(`${at}${err.path}`, err.message)
    const bad = def.check?.(step)
    if (bad) throw invalid(`${at}${bad.field}`, bad.message)
  })
  return flow
}
