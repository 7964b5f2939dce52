/**
 * Password hashes: `scrypt$N$r$p$salt$hash` (node:crypto scrypt; salt 16 bytes and hash 32 bytes,
 * both base64url). Verification takes the same time for an unknown user: it hashes against a dummy.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const DEFAULT = { N: 16384, r: 8, p: 1 }
const KEYLEN = 32

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, { ...opts, maxmem: 256 * opts.N! * opts.r! }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

export async function hashPassword(password: string, params = DEFAULT): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEYLEN, params)
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

interface Parsed {
  N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

function parse(stored: string): Parsed | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored)
  if (!m) return undefined
  return { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]), salt: Buffer.from(m[4], 'base64url'), hash: Buffer.from(m[5], 'base64url') }
}

let dummy: Promise<string> | undefined
/** A hash with the default parameters, verified against when the username is unknown. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(12).toString('base64url'))
  return dummy
}

/** True when `password` matches `stored`; with `stored` undefined, spends the same time and says false. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const p = parse(stored ?? (await dummyHash())) ?? parse(await dummyHash())!
  const key = await scrypt(password, p.salt, p.hash.length, { N: p.N, r: p.r, p: p.p })
  return timingSafeEqual(key, p.hash) && stored !== undefined
}
