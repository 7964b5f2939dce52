/**
 * `branch-time`: jumps to `ifOpen` within opening hours (ISO weekdays, local HH:MM, `to` excluded)
 * in the centre's time zone, else to `ifClosed`. Holidays (config/ivr/holidays.json) are closed
 * unless closedOnHolidays is false.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { IvrContext, Step, StepResult } from '../types.ts'
import { FLOW_ID, type StepDefinition } from './step-kit.ts'

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$'

export const OpenHoursSchema = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, uniqueItems: true }),
    from: Type.String({ pattern: HHMM }),
    /** End, excluded; 24:00 is the end of the day. */
    to: Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
  },
  { additionalProperties: false },
)

export const BranchTimeSchema = Type.Object(
  {
    type: Type.Literal('branch-time'),
    open: Type.Array(OpenHoursSchema, { minItems: 1 }),
    /** Default true. */
    closedOnHolidays: Type.Optional(Type.Boolean()),
    ifOpen: Type.String(FLOW_ID),
    ifClosed: Type.String(FLOW_ID),
  },
  { additionalProperties: false },
)
export type BranchTimeConfig = Static<typeof BranchTimeSchema>

/** The local date (YYYY-MM-DD), ISO weekday (1 = Monday) and minute of the day of `at` in `timezone`. */
export function localTime(at: Date, timezone: string): { date: string; weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)!.value
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1
  return { date: `${get('year')}-${get('month')}-${get('day')}`, weekday, minute: Number(get('hour')) * 60 + Number(get('minute')) }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return h * 60 + m
}

export function isOpen(config: BranchTimeConfig, at: Date, timezone: string, holidays: ReadonlySet<string>): boolean {
  const local = localTime(at, timezone)
  if (config.closedOnHolidays !== false && holidays.has(local.date)) return false
  return config.open.some((o) => o.days.includes(local.weekday) && local.minute >= minutes(o.from) && local.minute < minutes(o.to))
}

export class BranchTimeStep implements Step {
  readonly needsAnswer = false
  readonly #config: BranchTimeConfig

  constructor(config: BranchTimeConfig) {
    this.#config = config
  }

  async exec(ctx: IvrContext): Promise<StepResult> {
    const open = isOpen(this.#config, ctx.clock(), ctx.timezone, ctx.holidays)
    return { next: 'goto', flow: open ? this.#config.ifOpen : this.#config.ifClosed }
  }

  stop(): void {}
}

export const branchTime: StepDefinition<BranchTimeConfig> = {
  type: 'branch-time',
  schema: BranchTimeSchema,
  create: (c) => new BranchTimeStep(c),
  targets: (c) => [
    { field: '/ifOpen', id: c.ifOpen },
    { field: '/ifClosed', id: c.ifClosed },
  ],
  leaves: () => true,
  check: (c) => {
    const i = c.open.findIndex((o) => minutes(o.from) >= minutes(o.to))
    return i < 0 ? undefined : { field: `/open/${i}/to`, message: 'must be later than from (split hours across midnight in two)' }
  },
}
