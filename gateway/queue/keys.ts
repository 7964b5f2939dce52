/** Every Redis key the appeal store writes, in one place. */
export function appealKeys(prefix: string) {
  return {
    appeal: (id: string) => `${prefix}:appeal:${id}`,
    numberIndex: (appealNumber: string) => `${prefix}:appeal-number:${appealNumber}`,
    numberIndexPrefix: `${prefix}:appeal-number:`,
    daySeq: (yyyymmdd: string) => `${prefix}:seq:${yyyymmdd}`,
    pending: `${prefix}:appeal-pending`,
    citizen: (kind: 'phone' | 'openid', value: string) => `${prefix}:citizen:${kind}:${value}`,
    bullPrefix: `${prefix}:bull`,
  }
}
export type AppealKeys = ReturnType<typeof appealKeys>
