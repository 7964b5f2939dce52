/**
 * Test data of the emergency partners shared by the CI and real-server scenes: their trunks on their
 * own loopback addresses (110 at 127.0.0.4, 119/120/122 at 127.0.0.5-7), and a record a partner
 * pushed before it transfers the call (what the call's appeal is prefilled from).
 */
import type { TrunkConfig } from '../../config/sip-schema.ts'
import type { EmergencyDesk } from '../../gateway/emergency/emergency-desk.ts'
import type { Category } from '../../gateway/domain/appeal.ts'

const PARTNERS = [
  ['110', '127.0.0.4'],
  ['119', '127.0.0.5'],
  ['120', '127.0.0.6'],
  ['122', '127.0.0.7'],
] as const

/** One trunk per partner; `target110` where the 110 dispatcher's switch listens (the others: nobody). */
export function partnerTrunks(target110 = 'sip:110@127.0.0.4:5060', limits = { maxCalls: 10, callsPerSecond: 5 }): TrunkConfig[] {
  return PARTNERS.map(([p, ip]) => ({
    id: `partner-${p}`,
    kind: 'partner' as const,
    partner: p,
    sources: [`${ip}/32`],
    target: p === '110' ? target110 : `sip:${p}@${ip}:5060`,
    ...limits,
    areaCode: '010',
    numbers: [p],
    defaultOut: false,
  }))
}

/** A record 110 pushed about its case `reference` (as POST /v1/emergency/110/records stores it). */
export async function pushedBy110(desk: EmergencyDesk, r: { reference: string; callerNumber: string; summary: string; category: Category; address: string }): Promise<void> {
  await desk.partnerRecords.save({
    partner: '110',
    reference: r.reference,
    callerNumber: r.callerNumber,
    summary: r.summary,
    category: r.category,
    location: { address: r.address },
    time: new Date().toISOString(),
    appealId: `ap_pushed_${r.reference.replace(/[^A-Za-z0-9]/g, '').padEnd(17, '0').slice(0, 17)}`,
    appealNumber: '20261203-000001',
    receivedAt: new Date().toISOString(),
  })
}
