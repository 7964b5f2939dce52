/**
 * WeChat official account message signatures and "safe mode" encryption (消息加解密).
 *
 * Built on node:crypto rather than an npm WeChat crypto package: the scheme is a sha1 over sorted
 * strings plus AES-256-CBC, both in Node's OpenSSL binding (the best-kept implementation there is);
 * the npm WeChat packages (wechat-crypto and kin) are thin, years-unmaintained wrappers of the same
 * calls. WeChat's PKCS#7 pads to 32-byte blocks, not AES's 16, so automatic padding is turned off
 * and done here.
 *
 * Plaintext layout: 16 random bytes | 4-byte big-endian length | message XML | appid.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const BLOCK = 32

/** sha1 over the parts sorted as strings and joined: WeChat's signature and msg_signature. */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex')
}

/** Constant-time comparison of two hex signatures (a wrong length is simply unequal). */
export function signatureMatches(expected: string, given: string | undefined): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(given.toLowerCase(), 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

export class WechatCryptoError extends Error {
  constructor(readonly reason: 'key' | 'cipher' | 'padding' | 'length' | 'appid') {
    super(`WeChat message decryption failed: ${reason}`)
  }
}

export class WechatCrypto {
  readonly #key: Buffer
  readonly #iv: Buffer
  readonly #appId: string

  /** encodingAesKey: the 43-character EncodingAESKey; appId: the account's appid (checked on decrypt). */
  constructor(encodingAesKey: string, appId: string) {
    if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new WechatCryptoError('key')
    this.#key = Buffer.from(`${encodingAesKey}=`, 'base64')
    if (this.#key.length !== 32) throw new WechatCryptoError('key')
    this.#iv = this.#key.subarray(0, 16)
    this.#appId = appId
  }

  /** Base64 ciphertext (the Encrypt element) -> message XML; throws unless the appid is ours. */
  decrypt(encrypted: string): string {
    let plain: Buffer
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv)
      decipher.setAutoPadding(false)
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
    } catch {
      throw new WechatCryptoError('cipher')
    }
    const pad = plain.length > 0 ? plain[plain.length - 1] : 0
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WechatCryptoError('padding')
    for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new WechatCryptoError('padding')
    const body = plain.subarray(0, plain.length - pad)
    if (body.length < 20) throw new WechatCryptoError('length')
    const len = body.readUInt32BE(16)
    if (20 + len > body.length) throw new WechatCryptoError('length')
    const xml = body.subarray(20, 20 + len).toString('utf8')
    const appId = body.subarray(20 + len).toString('utf8')
    if (appId !== this.#appId) throw new WechatCryptoError('appid')
    return xml
  }

  /** Message XML -> base64 ciphertext, exactly as WeChat builds it (random prefix is injectable for tests). */
  encrypt(xml: string, random: Buffer = randomBytes(16)): string {
    const msg = Buffer.from(xml, 'utf8')
    const len = Buffer.alloc(4)
    len.writeUInt32BE(msg.length)
    const body = Buffer.concat([random, len, msg, Buffer.from(this.#appId, 'utf8')])
    const pad = BLOCK - (body.length % BLOCK)
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv)
    cipher.setAutoPadding(false)
    return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
  }
}
