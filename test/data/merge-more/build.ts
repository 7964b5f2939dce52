/**
 * Builds a labelled 并案 set (JSONL + persons.json, the format of ../merge/) from a compact
 * source written by hand, one appeal a line:
 *   matter|person|channel|MM-DD HH:MM|phone|openid|name|category|address|lat,lng|content
 * phone: P (the person's phone), P2 (a second phone of that person), - ; openid: M (mini-program),
 * W (official account), - ; '-' is null. Pins are scattered ~80 m around the written point with a
 * fixed seed, so the output is reproducible. Lines are sorted by time; ids follow that order.
 * Usage: npx tsx test/data/merge-more/build.ts <source.txt> <prefix> <out.jsonl> <persons.json>
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

const [src, prefix, out, personsOut] = process.argv.slice(2)
if (!src || !prefix || !out || !personsOut) throw new Error('usage: build.ts <source> <prefix> <out.jsonl> <persons.json>')
const digits = (s: string, n: number) => BigInt(`0x${createHash('sha256').update(s).digest('hex').slice(0, 15)}`).toString().slice(-n).padStart(n, '0')
const b62 = (s: string) => createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'x').slice(0, 27)
let seed = 12345
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)

const rows = readFileSync(src, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const f = l.split('|')
    if (f.length !== 11) throw new Error(`bad line (${f.length} fields): ${l}`)
    return f.map((x) => x.trim())
  })
  .map(([matter, person, channel, when, phone, openid, name, category, address, pin, content]) => ({
    matter: `${prefix}m-${matter}`,
    person: `${prefix}p-${person}`,
    channel,
    when: `2026-${when!.replace(' ', 'T')}:00+08:00`,
    phone: phone === 'P' ? `1${['39', '58', '86', '37'][Number(digits(person!, 1)) % 4]}000${digits(`${prefix}${person}`, 5)}` : phone === 'P2' ? `1${'77'}000${digits(`${prefix}${person}2`, 5)}` : null,
    openid: openid === 'M' ? `o${b62(`${prefix}${person}mini`)}` : openid === 'W' ? `o${b62(`${prefix}${person}official`)}` : null,
    name: name === '-' ? null : name,
    category: category === '-' ? null : category,
    address: address === '-' ? null : address,
    pin: pin === '-' ? null : pin!.split(',').map(Number),
    content: content!,
  }))
  .sort((a, b) => Date.parse(a.when) - Date.parse(b.when))

const persons: Record<string, string> = {}
const lines = rows.map((r, i) => {
  const id = `${prefix}-${String(i + 1).padStart(4, '0')}`
  persons[id] = r.person
  const pin = r.pin ? [r.pin[0]! + (rand() - 0.5) * 0.0016, r.pin[1]! + (rand() - 0.5) * 0.0016].map((x) => Math.round(x * 1e6) / 1e6) : null
  const location = r.address || pin ? { address: r.address, lat: pin?.[0] ?? null, lng: pin?.[1] ?? null } : null
  return JSON.stringify({ id, channel: r.channel, receivedAt: r.when, citizen: { phone: r.phone, openid: r.openid, name: r.name }, content: r.content, category: r.category, location, matter: r.matter }).replaceAll('","', '", "').replaceAll('":', '": ').replaceAll(',"', ', "')
})
writeFileSync(out, `${lines.join('\n')}\n`)
writeFileSync(personsOut, `${JSON.stringify({ [prefix]: persons }, null, 0).replaceAll(',"', ',\n"').replace('{"', '{\n"')}\n`)
process.stdout.write(`${rows.length} appeals, ${new Set(rows.map((r) => r.matter)).size} matters\n`)
