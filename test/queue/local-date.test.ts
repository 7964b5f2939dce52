import t from 'tap'
import { localDate } from '../../gateway/queue/local-date.ts'

t.test('the same instant is a different calendar day in different centres’ time zones', async (t) => {
  const at = new Date('2026-11-27T17:30:00Z')
  t.equal(localDate(at, 'Asia/Shanghai'), '2026-11-28')
  t.equal(localDate(at, 'UTC'), '2026-11-27')
  t.equal(localDate(at, 'Asia/Shanghai'), '2026-11-28', 'a cached formatter keeps its own zone')
})

t.test('an unknown time zone is refused, not silently read as UTC', async (t) => {
  t.throws(() => localDate(new Date(), 'Mars/Olympus'), RangeError)
})
