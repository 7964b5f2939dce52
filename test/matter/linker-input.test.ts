import t from 'tap'
import { appeal, setup } from './fixtures/linker-setup.ts'

t.test('bad and odd input still links, and never throws', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()

  await t.test('an empty or whitespace-only appeal becomes a matter of its own', async (t) => {
    const a = await linker.link(appeal({ content: '' }))
    const b = await linker.link(appeal({ content: '   \n\t ' }))
    t.not(a.matterId, b.matterId)
    t.same(a.related, [])
    t.equal(a.flags.repeat, false)
  })

  await t.test('a 300+ character letter links with the short call about the same heating outage', async (t) => {
    const call = await linker.link(appeal({ content: '我们锦绣华庭8号楼暖气一点都不热，冰凉冰凉的', phone: '13800000001', address: '锦绣华庭8号楼' }))
    const long = '锦绣华庭8号楼供暖一周仍不达标，室温只有13度，供热公司上门放气也没有解决。'.repeat(10)
    t.ok(long.length > 300)
    const letter = await linker.link(appeal({ content: long, channel: 'mailbox', phone: '13800000002', name: '周建国' }))
    t.equal(letter.matterId, call.matterId)
  })

  await t.test('traditional characters are read like simplified ones', async (t) => {
    const a = await linker.link(appeal({ content: '文曲嘉园整个小区暖气都不热', phone: '13800000011', address: '文曲嘉园' }))
    const b = await linker.link(appeal({ content: '文曲嘉園全小區暖氣不熱，供熱公司電話打不通', phone: '13800000012', channel: 'web' }))
    t.equal(b.matterId, a.matterId)
  })

  await t.test('emoji, full-width digits and punctuation do not get in the way', async (t) => {
    const a = await linker.link(appeal({ content: '西津花园4号楼楼道里一股煤气味', phone: '13800000021', address: '西津花园4号楼' }))
    const b = await linker.link(appeal({ content: '😱😱西津花园４号楼，楼道燃气味！！！好大😷', phone: '13800000022', channel: 'wechat-mini' }))
    t.equal(b.matterId, a.matterId)
  })

  await t.test('an address that is only a building number joins its building through the compound named in the text', async (t) => {
    const a = await linker.link(appeal({ content: '红柳新村8号楼电梯坏了三天了', phone: '13800000031', address: '红柳新村8号楼' }))
    const b = await linker.link(appeal({ content: '红柳新村这边电梯还是坏的，困了人', phone: '13800000032', address: '8-2-1102', channel: 'app' }))
    const c = await linker.link(appeal({ content: '红柳新村电梯坏了', phone: '13800000033', address: '9-1-301', channel: 'app' }))
    t.equal(b.matterId, a.matterId, 'building 8 is building 8')
    t.not(c.matterId, a.matterId, 'building 9 is another building')
  })

  await t.test('a location with only a pin links with a nearby pin about the same pothole', async (t) => {
    const a = await linker.link(appeal({ content: '快车道上一个坑，车压上去底盘都刮了', phone: '13800000041', lat: 35.695468, lng: 104.480038, channel: 'app' }))
    const b = await linker.link(appeal({ content: '这个路口有个大坑，好几辆车爆胎了', openid: 'o' + 'x'.repeat(27), lat: 35.695093, lng: 104.478608, channel: 'wechat-mini' }))
    const far = await linker.link(appeal({ content: '路口有个坑', phone: '13800000043', lat: 35.72, lng: 104.5, channel: 'app' }))
    t.equal(b.matterId, a.matterId)
    t.ok(b.reasons.includes('nearby-pin'))
    t.not(far.matterId, a.matterId)
  })

  await t.test('a citizen with no identifier is linked by place and problem, and counted with care', async (t) => {
    const a = await linker.link(appeal({ content: '瑞丰小区3号楼1单元电梯坏了', phone: '13800000051', address: '瑞丰小区3号楼' }))
    const b = await linker.link(appeal({ content: '瑞丰小区3号楼电梯停了一个星期', channel: 'message-board', name: '瑞丰业主' }))
    t.equal(b.matterId, a.matterId)
    t.equal(b.citizens, 2, 'a post signed with a name nobody else used is one more voice')
    t.equal(b.flags.repeat, false)
    const c = await linker.link(appeal({ content: '瑞丰小区3号楼电梯一直坏着没人修', channel: 'message-board', name: '三号楼住户' }))
    const d = await linker.link(appeal({ content: '瑞丰小区3号楼电梯还是停着', channel: 'message-board' }))
    t.equal(c.matterId, a.matterId)
    t.equal(d.matterId, a.matterId)
    t.equal(d.citizens, 2, 'anonymous posts may all be one person: together they count once')
    t.equal(d.flags.concentrated, false)
  })

  await t.test('the same appeal delivered twice is linked once', async (t) => {
    const x = appeal({ content: '红柳新村一周停电四次', phone: '13800000061', address: '红柳新村' })
    const first = await linker.link(x)
    const again = await linker.link(x)
    t.equal(again.matterId, first.matterId)
    const view = await linker.matter(first.matterId)
    t.equal(view.members.filter((m) => m.appealId === x.id).length, 1)
  })
})
