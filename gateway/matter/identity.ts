/**
 * Who is asking: identifiers of a citizen (phone, WeChat openid, a phone quoted in the text,
 * name + exact home address) and a conservative count of distinct citizens in a matter.
 * A name alone never identifies anyone; one person may call from a second phone, and WeChat gives
 * one person a different openid in the mini-program and in the official account.
 */
import { createHash } from 'node:crypto'
import type { Appeal } from '../domain/appeal.ts'
import { normalizePhone } from '../domain/phone.ts'

const MOBILE_IN_TEXT = /(?<!\d)(1[3-9]\d{9})(?!\d)/g
const LANDLINE_IN_TEXT = /(?<!\d)(0\d{2,3}-?\d{7,8})(?!\d)/g

/** Phone numbers a citizen wrote or said ("电话139…", full-width digits already half-width). */
export function quotedPhones(normalized: string): string[] {
  const digitsJoined = normalized.replace(/(?<=\d)[ -](?=\d)/g, '')
  const out = new Set<string>()
  for (const m of digitsJoined.matchAll(MOBILE_IN_TEXT)) out.add(m[1]!)
  for (const m of digitsJoined.matchAll(LANDLINE_IN_TEXT)) out.add(normalizePhone(m[1]!))
  return [...out]
}

/**
 * Identity tokens carry a digest, never the phone or name itself: they end up in Redis key names
 * and stored features, where monitoring and dumps would otherwise show them.
 */
function token(kind: 'p' | 'o' | 'h' | 'n', value: string): string {
  return `${kind}:${createHash('sha256').update(`${kind}\n${value}`).digest('base64url').slice(0, 16)}`
}

export interface CitizenIds {
  /** Identity tokens ('p:', 'o:', 'h:' + digest of phone, openid, name@home). Any shared token = same citizen. */
  tokens: string[]
  /** How this citizen reached us without a phone: openid of one WeChat app only, or nothing. */
  weak: 'none' | 'wechat-mini' | 'wechat-official' | 'anonymous'
  /** Digest of the recorded name (王女士): only ever compared for equality. */
  name?: string
}

/**
 * Identity of the citizen behind an appeal. `home` is a normalised flat-level address
 * (compound + building + unit/room) when the appeal gives one, so 王女士 at 8-2-1102 twice is one
 * person while two 王女士 in one compound are not.
 */
export function citizenIds(appeal: Pick<Appeal, 'citizen' | 'channel'>, quoted: string[], home?: string): CitizenIds {
  const tokens = new Set<string>()
  const c = appeal.citizen ?? {}
  const phone = c.phone ? normalizePhone(String(c.phone)) : ''
  if (phone) tokens.add(token('p', phone))
  for (const q of quoted) tokens.add(token('p', q))
  const openid = c.openid ? String(c.openid).trim() : ''
  if (openid) tokens.add(token('o', openid))
  const name = c.name ? String(c.name).trim() : ''
  if (name && home) tokens.add(token('h', `${name}@${home}`))
  let weak: CitizenIds['weak'] = 'none'
  if (!phone && quoted.length === 0) {
    if (openid && appeal.channel === 'wechat-mini') weak = 'wechat-mini'
    else if (openid && appeal.channel === 'wechat-official') weak = 'wechat-official'
    else if (!openid) weak = 'anonymous'
  }
  return { tokens: [...tokens], weak, ...(name ? { name: token('n', name) } : {}) }
}

export function sameCitizen(a: CitizenIds, b: CitizenIds): boolean {
  if (a.tokens.length === 0 || b.tokens.length === 0) return false
  const set = new Set(a.tokens)
  return b.tokens.some((t) => set.has(t))
}

/**
 * Distinct citizens among a matter's appeals, estimated low on purpose (集中诉求 must not fire on
 * one person writing three times):
 *  - appeals sharing any identity token are one citizen (transitively);
 *  - a phone-less citizen with the same recorded name as another is assumed to be that one;
 *  - citizens known only by a mini-program openid and those known only by an official-account
 *    openid may be the same people (WeChat gives each person one openid per app): count the
 *    larger group, not the sum;
 *  - appeals with no identifier at all (a board post, an anonymous letter) add one citizen in all:
 *    when nobody else is known, or when one of them signed with a name no other member used.
 */
export function countCitizens(members: CitizenIds[]): number {
  const parent = members.map((_, i) => i)
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)))
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[ra] = rb
  }
  const byToken = new Map<string, number>()
  members.forEach((m, i) => {
    for (const t of m.tokens) {
      const j = byToken.get(t)
      if (j === undefined) byToken.set(t, i)
      else union(i, j)
    }
  })
  // A weakly identified appeal whose recorded name matches another member's joins that citizen.
  const byName = new Map<string, number>()
  members.forEach((m, i) => {
    if (m.weak === 'none' && m.name) byName.set(m.name, i)
  })
  members.forEach((m, i) => {
    if (m.weak !== 'none' && m.name) {
      const j = byName.get(m.name)
      if (j !== undefined) union(i, j)
    }
  })
  const groups = new Map<number, CitizenIds['weak'][]>()
  members.forEach((m, i) => {
    const r = find(i)
    const list = groups.get(r) ?? []
    list.push(m.weak)
    groups.set(r, list)
  })
  let strong = 0
  let mini = 0
  let official = 0
  let anonymous = 0
  let signed = 0
  for (const [root, kinds] of groups) {
    if (kinds.includes('none')) strong++
    else if (kinds.includes('wechat-mini')) mini++
    else if (kinds.includes('wechat-official')) official++
    else {
      anonymous++
      if (members[root]?.name) signed++
    }
  }
  const wechat = Math.max(mini, official)
  const known = strong + wechat
  // Anonymous posts (a board nickname) may be any of the known callers writing again, but a post
  // signed with a name nobody else used is at least one more voice: all of them count as one.
  return known > 0 ? known + Math.min(signed, 1) : Math.min(anonymous, 1)
}
