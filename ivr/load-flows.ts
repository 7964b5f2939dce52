/**
 * Loads the IVR at startup: every flow file in config/ivr/ (holidays.json apart), the holiday
 * calendar and the prompt index; validates each flow and cross-checks them (goto targets exist,
 * prompt ids exist, every flow reaches an ending step, no step sits where no call can reach it).
 * Anything wrong stops startup with CFG_ERR_INVALID naming the file and field, e.g.
 * /ivr/night.json/steps/2/prompt.
 */
import { readdirSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { CFG_ERR_FILE } from '../config/errors.ts'
import { readJsonFile } from '../config/read-json.ts'
import { checkFlow, invalid, type Flow } from './flow-schema.ts'
import { STEPS, type StepRegistry } from './steps/index.ts'

export interface LoadFlowsOptions {
  /** Folder of the flow files; default config/ivr. */
  dir?: string
  /** Prompt index (id -> Chinese text); default config/prompts/prompts-zh.json. */
  promptIndex?: string
  /** Base of relative paths; default the working directory. */
  root?: string
  /** Flows the rest of the configuration names, by the path that names them, e.g. { '/voice/defaultFlow': 'default' }. */
  require?: Readonly<Record<string, string>>
  /** Prompts the rest of the configuration implies, e.g. { '/hotlines/3/notice': 'notice-12319' } for the notice step. */
  requirePrompts?: Readonly<Record<string, string>>
  steps?: StepRegistry
}

export interface IvrConfig {
  /** Flow id -> flow, frozen. */
  flows: ReadonlyMap<string, Flow>
  /** YYYY-MM-DD in the centre's time zone. */
  holidays: ReadonlySet<string>
  /** Prompt id -> text. */
  prompts: Readonly<Record<string, string>>
}

export const HOLIDAYS_FILE = 'holidays.json'

export function loadFlows(opts: LoadFlowsOptions = {}): IvrConfig {
  const root = opts.root ?? process.cwd()
  const steps = opts.steps ?? STEPS
  const dir = resolve(root, opts.dir ?? 'config/ivr')
  const indexFile = resolve(root, opts.promptIndex ?? 'config/prompts/prompts-zh.json')
  const prompts = loadPrompts(indexFile, `/prompts/${basename(indexFile)}`)

  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort()
  } catch (err) {
    throw new CFG_ERR_FILE(dir, (err as Error).message)
  }
  const flows = new Map<string, Flow>()
  const bases = new Map<string, string>()
  for (const name of names.filter((n) => n !== HOLIDAYS_FILE)) {
    const base = `/ivr/${name}`
    const flow = checkFlow(readJsonFile(resolve(dir, name)), base, steps)
    const id = name.slice(0, -'.json'.length)
    if (flow.id !== id) throw invalid(`${base}/id`, `must be "${id}", the file name`)
    flows.set(id, flow)
    bases.set(id, base)
  }
  if (flows.size === 0) throw invalid('/ivr', `no flow files in ${dir}`)

  for (const [id, flow] of flows) crossCheck(flow, bases.get(id)!, flows, prompts, indexFile, steps)
  checkReachesEnd(flows, bases, steps)
  for (const [path, id] of Object.entries(opts.require ?? {})) {
    if (!flows.has(id)) throw invalid(path, `no flow "${id}" in ${dir}`)
  }
  for (const [path, id] of Object.entries(opts.requirePrompts ?? {})) {
    if (!Object.hasOwn(prompts, id)) throw invalid(path, `prompt "${id}" is not in ${indexFile}`)
  }

  const holidays = names.includes(HOLIDAYS_FILE) ? loadHolidays(resolve(dir, HOLIDAYS_FILE), `/ivr/${HOLIDAYS_FILE}`) : new Set<string>()
  return Object.freeze({ flows: deepFreeze(flows), holidays, prompts })
}

function crossCheck(flow: Flow, base: string, flows: Map<string, Flow>, prompts: Record<string, string>, indexFile: string, steps: StepRegistry): void {
  let left: number | undefined
  flow.steps.forEach((step, i) => {
    const at = `${base}/steps/${i}`
    if (left !== undefined) throw invalid(at, `no call reaches this step: step ${left} always ends or jumps`)
    const def = steps[step.type]
    for (const p of def.prompts?.(step) ?? []) {
      if (!Object.hasOwn(prompts, p.id)) throw invalid(`${at}${p.field}`, `prompt "${p.id}" is not in ${indexFile}`)
    }
    for (const t of def.targets?.(step) ?? []) {
      if (!flows.has(t.id)) throw invalid(`${at}${t.field}`, `no flow "${t.id}" (config/ivr/${t.id}.json)`)
    }
    if (def.leaves?.(step)) left = i
  })
  if (left === undefined) {
    throw invalid(`${base}/steps/${flow.steps.length - 1}`, 'the flow runs out of steps here: end it with enqueue, transfer, record-message or hangup, or a jump')
  }
}

/** A flow reaches an end if it holds an ending step, or jumps to a flow that reaches one. */
function checkReachesEnd(flows: Map<string, Flow>, bases: Map<string, string>, steps: StepRegistry): void {
  const ends = new Set<string>()
  const jumps = new Map<string, string[]>()
  for (const [id, flow] of flows) {
    const targets = flow.steps.flatMap((s) => steps[s.type].targets?.(s).map((t) => t.id) ?? [])
    if (flow.steps.some((s) => steps[s.type].leaves?.(s) && !steps[s.type].targets?.(s).length)) ends.add(id)
    jumps.set(id, targets)
  }
  for (let grew = true; grew; ) {
    grew = false
    for (const [id, targets] of jumps) {
      if (!ends.has(id) && targets.some((t) => ends.has(t))) {
        ends.add(id)
        grew = true
      }
    }
  }
  for (const id of flows.keys()) {
    if (!ends.has(id)) throw invalid(`${bases.get(id)}/steps`, 'never reaches an ending step: its jumps only lead round in a loop')
  }
}

const PromptIndexSchema = Type.Record(Type.String({ pattern: '^[a-z0-9_/-]+$' }), Type.String({ minLength: 1 }))

function loadPrompts(file: string, base: string): Record<string, string> {
  const raw = readJsonFile(file)
  const first = Value.Errors(PromptIndexSchema, raw).First()
  if (first) throw invalid(`${base}${first.path}`, first.message)
  return Object.freeze(raw as Record<string, string>)
}

function loadHolidays(file: string, base: string): ReadonlySet<string> {
  const raw = readJsonFile(file)
  const schema = Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }))
  const first = Value.Errors(schema, raw).First()
  if (first) throw invalid(`${base}${first.path}`, first.message)
  const days = raw as string[]
  days.forEach((d, i) => {
    // 2026-02-30 matches the pattern; a real calendar day survives the round trip.
    const t = Date.parse(`${d}T00:00:00Z`)
    if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) throw invalid(`${base}/${i}`, `${d} is not a calendar day`)
  })
  return new Set(days)
}

function deepFreeze<T>(value: T): T {
  if (value instanceof Map) for (const v of value.values()) deepFreeze(v)
  else if (value && typeof value === 'object') for (const v of Object.values(value)) deepFreeze(v)
  if (value && typeof value === 'object') Object.freeze(value)
  return value
}
