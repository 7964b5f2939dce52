/** The centre's calendar date (YYYY-MM-DD) of an instant, in its configured time zone. */

// Building an Intl.DateTimeFormat costs far more than formatting with one (it was ~9 % of the
// gateway's CPU per web appeal in bench/intake.bench.ts); the time zone is fixed by config.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    formatters.set(timeZone, f)
  }
  return f
}

export function localDate(at: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(at)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}
