/**
 * Reads a back-office export into signed messages, one per row, without judging them: every row is
 * then validated by the same function the HTTP channel uses (validateMessage + intake).
 *   .json  an array of messages in the HTTP item shape (or { "messages": [...] })
 *   .csv   a header row naming columns from CSV_COLUMNS; UTF-8, BOM tolerated, quoted multi-line cells
 */
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse } from 'csv-parse/sync'

/** Not an error code of the API: the import stops before any row is read (exit 2). */
export class ExportUnreadable extends Error {}

/** CSV column -> where it lands in the message (JSON pointer). */
export const CSV_COLUMNS: Record<string, string> = {
  externalId: '/externalId',
  receivedAt: '/receivedAt',
  userId: '/userId',
  name: '/citizen/name',
  phone: '/citizen/phone',
  openid: '/citizen/openid',
  content: '/content',
  category: '/category',
  address: '/location/address',
  lat: '/location/lat',
  lng: '/location/lng',
  confidential: '/confidential',
}

export interface ExportRow {
  /** JSON: 1-based position in the array. CSV: the spreadsheet row (the header is row 1). */
  row: number
  message: unknown
}

export interface ExportFile {
  format: 'json' | 'csv'
  rows: ExportRow[]
}

export function readExport(path: string, timeZone: string): ExportFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ExportUnreadable(`cannot read ${path}: ${(err as Error).message}`)
  }
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return { format: 'json', rows: fromJson(text, path) }
  if (ext === '.csv') return { format: 'csv', rows: fromCsv(text, path, timeZone) }
  throw new ExportUnreadable(`${path}: expected a .json or .csv file`)
}

function fromJson(text: string, path: string): ExportRow[] {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new ExportUnreadable(`${path} is not JSON: ${(err as Error).message}`)
  }
  const list = Array.isArray(data) ? data : (data as { messages?: unknown } | null)?.messages
  if (!Array.isArray(list)) throw new ExportUnreadable(`${path}: expected an array of messages or { "messages": [...] }`)
  return list.map((message, i) => ({ row: i + 1, message }))
}

function fromCsv(text: string, path: string, timeZone: string): ExportRow[] {
  let records: string[][]
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][]
  } catch (err) {
    throw new ExportUnreadable(`${path} is not valid CSV: ${(err as Error).message}`)
  }
  const [header, ...data] = records
  if (!header) throw new ExportUnreadable(`${path} is empty`)
  const columns = header.map((h) => h.trim())
  const unknown = columns.filter((c) => !(c in CSV_COLUMNS))
  if (unknown.length) {
    throw new ExportUnreadable(`${path}: unknown column(s) ${unknown.join(', ')}; known: ${Object.keys(CSV_COLUMNS).join(', ')}`)
  }
  if (!columns.includes('externalId')) throw new ExportUnreadable(`${path}: the externalId column is required`)
  return data.map((cells, i) => ({ row: i + 2, message: rowToMessage(columns, cells, timeZone) }))
}

function rowToMessage(columns: string[], cells: string[], timeZone: string): Record<string, unknown> {
  const msg: Record<string, unknown> = { citizen: {} }
  columns.forEach((col, i) => {
    const cell = cells[i]?.trim() ?? ''
    if (cell === '') return
    const value = cellValue(col, cell, timeZone)
    const keys = CSV_COLUMNS[col].split('/').filter(Boolean)
    let cur = msg
    for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>
    cur[keys[keys.length - 1]] = value
  })
  return msg
}

const BOOLEAN: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, 是: true, 否: false }
const LOCAL_TIME = /^(\d{4})[-/](\d{2})[-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/

/** A value that cannot be converted is kept as text, so validation names the field. */
function cellValue(col: string, cell: string, timeZone: string): unknown {
  if (col === 'lat' || col === 'lng') return /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell
  if (col === 'confidential') return BOOLEAN[cell.toLowerCase()] ?? cell
  if (col === 'receivedAt') return withZone(cell, timeZone)
  return cell
}

/** Back offices export "2026-11-26 21:15" in the centre's local time: give it the zone's offset. */
function withZone(cell: string, timeZone: string): string {
  const m = LOCAL_TIME.exec(cell)
  if (!m) return cell
  const [, y, mo, d, h, mi, s = '00'] = m
  const naive = `${y}-${mo}-${d}T${h}:${mi}:${s}`
  const asUtc = new Date(`${naive}Z`)
  return `${naive}${offsetOf(asUtc, timeZone)}`
}

function offsetOf(at: Date, timeZone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value
  const m = /GMT([+-]\d{2}:\d{2})/.exec(name ?? '')
  return m ? m[1] : 'Z'
}

/** The CSV column of a field pointer (/citizen/phone -> phone), for the import's report. */
export function columnOf(field: string): string | undefined {
  return Object.entries(CSV_COLUMNS).find(([, p]) => p === field)?.[0]
}

