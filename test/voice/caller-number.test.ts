import t from 'tap'
import { normalizeCallerNumber } from '../../channels/voice/caller-number.ts'
import { hotlineProfile } from '../../channels/voice/hotline-profile.ts'
import { loadConfig } from '../../config/load.ts'

t.test('caller numbers as carriers send them land in the citizen history form', async (t) => {
  const cases: [string | undefined, string | undefined][] = [
    ['13800138000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['013800138000', '13800138000'],
    ['sip:13800138000@carrier.example', '13800138000'],
    ['01062345678', '010-62345678'],
    ['+861062345678', '010-62345678'],
    ['057187654321', '0571-87654321'],
    ['62345678', '010-62345678'],
    ['2345678', '010-2345678'],
    ['anonymous', undefined],
    ['', undefined],
    [undefined, undefined],
    ['+12025550123', undefined],
    ['123', undefined],
  ]
  for (const [raw, want] of cases) t.equal(normalizeCallerNumber(raw, '010'), want, `${raw} -> ${want}`)
  t.equal(normalizeCallerNumber('87654321', '0571'), '0571-87654321', 'a local number gets the centre area code')
})

t.test('the number dialed picks the hotline profile; an unknown one is 12345 itself', async (t) => {
  const { hotlines } = loadConfig({ env: {} })
  const main = hotlineProfile('12345', hotlines)
  t.match(main, { known: true, profile: { number: '12345', status: 'main' } })
  t.notOk(main.profile.noticePrompt, '12345 plays no notice')
  const cancelled = hotlineProfile('12319', hotlines)
  t.match(cancelled.profile, { number: '12319', status: 'cancelled', noticePrompt: 'notice-12319', skill: 'urban' })
  const parallel = hotlineProfile('12315', hotlines)
  t.match(parallel.profile, { number: '12315', status: 'parallel', department: '市市场监督管理局' })
  t.notOk(parallel.profile.noticePrompt, 'a parallel number keeps its origin and plays no notice')
  t.match(hotlineProfile('+8612315', hotlines).profile, { number: '12315' }, 'a country code in the Request-URI is ignored')
  const unknown = hotlineProfile('99999', hotlines)
  t.match(unknown, { known: false, profile: { number: '12345' } })
})
