import t from 'tap'
import { createHash, createDecipheriv } from 'node:crypto'
import { WechatCrypto, WechatCryptoError, signatureMatches, wechatSignature } from '../../channels/wechat-official/crypto.ts'

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
const APPID = 'wxb11529c136998cb6'

t.test('the signature is sha1 of the parts sorted and joined, whatever order they come in', async (t) => {
  const expected = createHash('sha1').update('1409304348' + 'pamtest' + 'xxxxxx').digest('hex')
  t.equal(wechatSignature('pamtest', '1409304348', 'xxxxxx'), expected)
  t.equal(wechatSignature('xxxxxx', 'pamtest', '1409304348'), expected)
  t.ok(signatureMatches(expected, expected.toUpperCase()), 'hex case does not matter')
  t.notOk(signatureMatches(expected, expected.slice(1)))
  t.notOk(signatureMatches(expected, undefined))
})

t.test('a message encrypted the WeChat way has the documented layout under the key and IV', async (t) => {
  const c = new WechatCrypto(KEY, APPID)
  const random = Buffer.alloc(16, 7)
  const xml = '<xml><Content><![CDATA[你好]]></Content></xml>'
  const encrypted = Buffer.from(c.encrypt(xml, random), 'base64')
  t.equal(encrypted.length % 32, 0, 'padded to 32-byte blocks')
  const key = Buffer.from(`${KEY}=`, 'base64')
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
  d.setAutoPadding(false)
  const plain = Buffer.concat([d.update(encrypted), d.final()])
  const pad = plain[plain.length - 1]
  t.ok(pad >= 1 && pad <= 32)
  t.same(plain.subarray(0, 16), random, '16 random bytes first')
  const len = plain.readUInt32BE(16)
  t.equal(len, Buffer.byteLength(xml), 'then the length in network order')
  t.equal(plain.subarray(20, 20 + len).toString(), xml)
  t.equal(plain.subarray(20 + len, plain.length - pad).toString(), APPID, 'then the appid')
  t.equal(c.decrypt(encrypted.toString('base64')), xml, 'and it decrypts back')
})

t.test('a plaintext that fills whole blocks gets a full 32-byte block of padding', async (t) => {
  const c = new WechatCrypto(KEY, APPID)
  const xml = 'x'.repeat(64 - 20 - APPID.length)
  t.equal(Buffer.from(c.encrypt(xml), 'base64').length, 96)
  t.equal(c.decrypt(c.encrypt(xml)), xml)
})

t.test('tampered ciphertext, another appid and a bad key are each refused', async (t) => {
  const c = new WechatCrypto(KEY, APPID)
  const other = new WechatCrypto(KEY, 'wx0000000000000000')
  t.throws(() => c.decrypt(other.encrypt('<xml/>')), { message: /: appid$/ })
  const bytes = Buffer.from(c.encrypt('<xml/>'), 'base64')
  bytes[bytes.length - 1] ^= 0xff
  t.throws(() => c.decrypt(bytes.toString('base64')), { message: /decryption failed/ }, 'tampered')
  t.throws(() => c.decrypt('abc'), { message: /: cipher$/ }, 'not a whole block')
  t.throws(() => new WechatCrypto('short', APPID), { message: /: key$/ })
  t.ok(new WechatCryptoError('key') instanceof Error)
})
