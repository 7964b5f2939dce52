/** Reads the labelled 并案 dataset (JSONL) into Appeals in intake order. */
import { readFileSync } from 'node:fs'
import type { Appeal, Category, Channel } from '../../domain/appeal.ts'

export interface LabeledAppeal {
  appeal: Appeal
  matter: string
}

interface Row {
  id: string
  channel: Channel
  receivedAt: string
  citizen: { phone: string | null; openid: string | null; name: string | null }
  content: string
  category: Category | null
  location: { address: string | null; lat: number | null; lng: number | null } | null
  matter: string
}

/** The dataset's id doubles as the external id; the appeal number is made from date + line. */
export function rowToAppeal(r: Row, seq: number): Appeal {
  const location = r.location
    ? {
        ...(r.location.address ? { address: r.location.address } : {}),
        ...(r.location.lat != null ? { lat: r.location.lat } : {}),
        ...(r.location.lng != null ? { lng: r.location.lng } : {}),
      }
    : undefined
  const day = r.receivedAt.slice(0, 10).replaceAll('-', '')
  return {
    id: `ap_${r.id}`,
    appealNumber: `${day}-${String(seq).padStart(6, '0')}`,
    channel: r.channel,
    external: { channel: r.channel, id: r.id },
    citizen: {
      ...(r.citizen.phone ? { phone: r.citizen.phone } : {}),
      ...(r.citizen.openid ? { openid: r.citizen.openid } : {}),
      ...(r.citizen.name ? { name: r.citizen.name } : {}),
    },
    content: r.content,
    ...(r.category ? { category: r.category } : {}),
    ...(location ? { location } : {}),
    confidential: false,
    receivedAt: new Date(r.receivedAt).toISOString(),
    priority: r.channel === 'voice' ? 1 : 10,
    status: 'queued',
    history: [],
  }
}

export function readDataset(file: string): LabeledAppeal[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim())
  return lines.map((line, i) => {
    const r = JSON.parse(line) as Row
    return { appeal: rowToAppeal(r, i + 1), matter: r.matter }
  })
}

/** persons.json: {"dev": {"d-0001": "p-0001", ...}} -> appeal id -> person. */
export function readPersons(file: string): Map<string, string> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>
  const out = new Map<string, string>()
  for (const split of Object.values(json)) for (const [id, p] of Object.entries(split)) out.set(`ap_${id}`, p)
  return out
}
