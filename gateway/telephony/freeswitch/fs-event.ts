/** A FreeSWITCH event as the adapter reads it: headers once in a Map (modesl keeps a list it scans). */
import type { Event } from 'modesl'

export interface FsEvent {
  /** Event-Name; for CUSTOM events the Event-Subclass (e.g. sofia::register). */
  name: string
  /** Unique-ID of the channel, when the event is about one. */
  uuid?: string
  body: string
  get(header: string): string | undefined
  /** A channel variable (`variable_<name>`). */
  variable(name: string): string | undefined
}

export function toFsEvent(evt: Event): FsEvent {
  const headers = new Map<string, string>()
  for (const h of evt.headers) headers.set(h.name, h.value)
  const eventName = headers.get('Event-Name') ?? ''
  const name = eventName === 'CUSTOM' ? (headers.get('Event-Subclass') ?? eventName) : eventName
  return {
    name,
    uuid: headers.get('Unique-ID'),
    body: evt.body ?? '',
    get: (h) => headers.get(h),
    variable: (v) => headers.get(`variable_${v}`),
  }
}
