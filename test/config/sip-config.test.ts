import t from 'tap'
import { loadConfig } from '../../config/load.ts'

const EDGE = { DRACHTIO_HOST: '127.0.0.1', DRACHTIO_SECRET: 'edge-secret', SIP_MEDIA_SERVERS: 'fs1=sip:10.0.0.5:5080,fs2=sip:10.0.0.6:5080' }

t.test('the SIP edge from the environment, with the trunks of config/trunks.json', async (t) => {
  const c = loadConfig({ env: { ...EDGE, DRACHTIO_PORT: '9122', DRACHTIO_TLS: '1' } })
  t.match(c.sip.drachtio, { host: '127.0.0.1', port: 9122, secret: 'edge-secret', tls: true })
  t.same(c.sip.mediaServers, [
    { id: 'fs1', uri: 'sip:10.0.0.5:5080' },
    { id: 'fs2', uri: 'sip:10.0.0.6:5080' },
  ])
  t.same(c.sip.trunks.map((tr) => tr.id), ['carrier-main', 'partner-110', 'partner-119', 'partner-120', 'partner-122'])
  t.equal(c.sip.trunks.filter((tr) => tr.defaultOut).length, 1, 'one carrier trunk takes the calls out')
  t.equal(loadConfig({ env: {} }).sip.drachtio.host, '', 'off without DRACHTIO_HOST')
})

t.test('bad SIP edge settings stop startup with CFG_ERR_INVALID and the field', async (t) => {
  const bad = (env: Record<string, string>, overrides: object, path: string) =>
    t.throws(() => loadConfig({ env: { ...EDGE, ...env }, overrides }), { code: 'CFG_ERR_INVALID', message: new RegExp(`at ${path.replace(/\//g, '\\/')}`) }, path)
  bad({ DRACHTIO_SECRET: '' }, {}, '/sip/drachtio/secret')
  bad({ SIP_MEDIA_SERVERS: 'fs1=10.0.0.5:5080' }, {}, '/sip/mediaServers/0')
  bad({}, { sip: { optionsIntervalMs: 3000 } }, '/sip/optionsIntervalMs')
  const trunk = { id: 'carrier-x', kind: 'carrier', sources: ['10.1.2.0/24'], target: 'sip:10.1.2.3:5060' }
  bad({}, { sip: { trunks: [{ ...trunk, sources: ['not-an-address'] }] } }, '/sip/trunks/0/sources/0')
  bad({}, { sip: { trunks: [trunk, trunk] } }, '/sip/trunks/1/id')
  bad({}, { sip: { trunks: [{ ...trunk, kind: 'partner' }] } }, '/sip/trunks/0/partner')
  bad({}, { sip: { trunks: [trunk] } }, '/emergency/partners/0/trunk')
})
