/**
 * The emergency partners of 12345 (国办发〔2022〕12号): 110 police, 119 fire, 120 ambulance, 122
 * traffic police, as configured (config/emergency-partners.json). Pure lookups.
 */
import { PARTNER_IDS, type EmergencyPartner, type PartnerId, type PartnerItem } from '../../config/emergency-schema.ts'
import { EMERGENCY_ERR_UNKNOWN_PARTNER } from './errors.ts'

export { PARTNER_IDS }
export type { EmergencyPartner, PartnerId, PartnerItem }

/** Who handles an appeal a three-party call left undecided: 12345 or a partner (首接负责). */
export type Platform = '12345' | PartnerId

export function isPartnerId(value: unknown): value is PartnerId {
  return typeof value === 'string' && (PARTNER_IDS as readonly string[]).includes(value)
}

/** The configured partner; EMERGENCY_ERR_UNKNOWN_PARTNER (404) otherwise. */
export function partnerOf(partners: readonly EmergencyPartner[], id: string): EmergencyPartner {
  const partner = partners.find((p) => p.id === id)
  if (!partner) throw new EMERGENCY_ERR_UNKNOWN_PARTNER(JSON.stringify(id).slice(0, 40))
  return partner
}
