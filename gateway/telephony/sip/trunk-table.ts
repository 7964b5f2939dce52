/**
 * Who is talking to the edge: a trunk (by its source addresses), a media server of the pool (by its
 * SIP address: calls out), or nobody (403). And which trunk a call out leaves on: the partner trunk
 * whose numbers include the number dialed, else the carrier trunk marked defaultOut.
 */
import ipaddr from 'ipaddr.js'
import type { TrunkConfig } from '../../../config/sip-schema.ts'

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

export type Source = { kind: 'trunk'; trunk: TrunkConfig } | { kind: 'media'; serverId: string } | { kind: 'unknown' }

export class TrunkTable {
  readonly #trunks: { trunk: TrunkConfig; ranges: Range[] }[]
  readonly #media: Map<string, string>

  constructor(trunks: readonly TrunkConfig[], mediaServers: readonly { id: string; uri: string }[]) {
    this.#trunks = trunks.map((trunk) => ({ trunk, ranges: trunk.sources.map(toRange) }))
    this.#media = new Map(mediaServers.map((m) => [hostOf(m.uri), m.id]))
  }

  identify(address: string): Source {
    let ip: ipaddr.IPv4 | ipaddr.IPv6
    try {
      ip = ipaddr.process(address)
    } catch {
      return { kind: 'unknown' }
    }
    const media = this.#media.get(ip.toString())
    if (media) return { kind: 'media', serverId: media }
    for (const t of this.#trunks) {
      if (t.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return { kind: 'trunk', trunk: t.trunk }
    }
    return { kind: 'unknown' }
  }

  /** The trunk a call to `number` leaves on. */
  outbound(number: string): TrunkConfig | undefined {
    return this.#trunks.find((t) => t.trunk.numbers.includes(number))?.trunk ?? this.#trunks.find((t) => t.trunk.defaultOut)?.trunk
  }

  get(id: string): TrunkConfig | undefined {
    return this.#trunks.find((t) => t.trunk.id === id)?.trunk
  }
}

function toRange(cidr: string): Range {
  if (cidr.includes('/')) return ipaddr.parseCIDR(cidr)
  const ip = ipaddr.process(cidr)
  return [ip, ip.kind() === 'ipv4' ? 32 : 128]
}

/** The host of a SIP URI (sip:user@host:port;params -> host). */
export function hostOf(uri: string): string {
  const rest = uri.replace(/^sips?:/, '').replace(/^[^@]*@/, '').replace(/[;?].*$/, '')
  const v6 = /^\[([^\]]+)\]/.exec(rest)
  const host = v6 ? v6[1] : rest.replace(/:\d+$/, '')
  try {
    return ipaddr.process(host).toString()
  } catch {
    return host
  }
}
