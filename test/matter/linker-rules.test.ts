import t from 'tap'
import { appeal, setup } from './fixtures/linker-setup.ts'

// The labelling rules of the dataset README, on appeals written for this test (not from the dev set).
t.test('what counts as one matter', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()

  await t.test('a whole-compound water cut reported from different buildings is one matter', async (t) => {
    const a = await linker.link(appeal({ content: '金色家园整个小区都停水了，什么时候来水', phone: '13100000001', address: '金色家园5号楼' }))
    const b = await linker.link(appeal({ content: '金色家园12号楼没水了，也没通知', phone: '13100000002', address: '金色家园12号楼' }))
    t.equal(b.matterId, a.matterId)
  })

  await t.test('heating out in two buildings of one compound is two matters', async (t) => {
    const a = await linker.link(appeal({ content: '阳光花园3号楼暖气不热，室温只有十二度', phone: '13100000011', address: '阳光花园3号楼' }))
    const b = await linker.link(appeal({ content: '阳光花园7号楼暖气冰凉', phone: '13100000012', address: '阳光花园7号楼' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('elevators of two units of one building are two matters', async (t) => {
    const a = await linker.link(appeal({ content: '星河湾6号楼1单元电梯坏了', phone: '13100000021', address: '星河湾小区6号楼1单元' }))
    const b = await linker.link(appeal({ content: '星河湾6号楼2单元电梯停了三天', phone: '13100000022', address: '星河湾小区6号楼2单元' }))
    const c = await linker.link(appeal({ content: '6号楼1单元电梯还没修好，老人下不了楼', phone: '13100000023', address: '星河湾小区6号楼1单元' }))
    t.not(b.matterId, a.matterId)
    t.equal(c.matterId, a.matterId)
  })

  await t.test('two potholes on one road at two intersections are two matters', async (t) => {
    const a = await linker.link(appeal({ content: '青年路和光明路路口有个大坑', phone: '13100000031', address: '青年路与光明路交叉口' }))
    const b = await linker.link(appeal({ content: '青年路胜利路口路面塌陷了一个坑', phone: '13100000032', address: '青年路与胜利路交叉口' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('stair lights asked for while the elevator is out are their own matter', async (t) => {
    const a = await linker.link(appeal({ content: '和谐家园2号楼电梯坏了，老人下不了楼', phone: '13100000091', address: '和谐家园2号楼' }))
    const b = await linker.link(appeal({ content: '和谐家园2号楼这几天电梯坏了，楼道灯也不亮，能不能让物业把楼道灯修一下', phone: '13100000092', address: '和谐家园2号楼' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('another village asking whether its garbage is the same contractor is its own matter, even beside a report that names no village', async (t) => {
    const a = await linker.link(appeal({ content: '青松村的垃圾好几天没人拉了，臭得很', phone: '13100000101', address: '西固区青松村' }))
    const b = await linker.link(appeal({ content: '我们村口的垃圾都堆成山了，一个礼拜没人清运', phone: '13100000102', address: '青松村村口' }))
    const c = await linker.link(appeal({ content: '村口垃圾没人管，味道太大了', phone: '13100000103' }))
    const d = await linker.link(appeal({ content: '青竹村的垃圾也没人拉，是不是跟青松村一个承包的', phone: '13100000104', address: '西固区青竹村' }))
    t.equal(b.matterId, a.matterId)
    t.not(d.matterId, a.matterId, 'each puts the garbage in its own village')
    t.not(d.matterId, c.matterId)
  })

  await t.test('a praise mentioning an outage is a praise of its own', async (t) => {
    const a = await linker.link(appeal({ content: '清水湾小区停电两天了，一直没人来修', phone: '13100000041', address: '清水湾小区' }))
    const b = await linker.link(appeal({ content: '停电期间清水湾社区网格员挨家挨户送蜡烛，特此表扬', phone: '13100000042', address: '清水湾小区' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('a burst main and the next day suggestion about it are one matter, a new leak two weeks later is not', async (t) => {
    const a = await linker.link(appeal({ content: '光明路胜利路口自来水管爆了，路上全是水', phone: '13100000051', address: '光明路与胜利路交叉口', at: '2026-11-01T01:00:00.000Z' }))
    const b = await linker.link(appeal({ content: '昨天光明路胜利路口爆管，建议加强老旧管网排查', channel: 'message-board', at: '2026-11-02T02:00:00.000Z' }))
    const c = await linker.link(appeal({ content: '光明路胜利路口又冒水了', phone: '13100000053', address: '光明路与胜利路交叉口', at: '2026-11-15T02:00:00.000Z' }))
    t.equal(b.matterId, a.matterId)
    t.not(c.matterId, a.matterId)
  })

  await t.test('a report with only a pin joins the matter once a later report names the place and pins it too', async (t) => {
    const named = await linker.link(appeal({ content: '长江路黄河路十字路口中间有个大坑', phone: '13100000081', address: '长江路与黄河路交叉口' }))
    const pinOnly = await linker.link(appeal({ content: '这个路口有个坑，很深，晚上看不见', channel: 'wechat-mini', openid: 'o' + 'p'.repeat(27), lat: 35.8, lng: 104.6 }))
    t.not(pinOnly.matterId, named.matterId, 'nothing ties them yet')
    const both = await linker.link(appeal({ content: '长江路黄河路十字往东五十米，快车道上一个坑', phone: '13100000083', address: '长江路黄河路十字往东50米', lat: 35.8004, lng: 104.6010, channel: 'app' }))
    t.equal(both.matterId, named.matterId)
    t.equal((await linker.get(pinOnly.appealId))?.matterId, named.matterId, 'the pin-only report was folded in')
    t.equal((await linker.matter(pinOnly.matterId)).matterId, named.matterId, 'its old matter id leads to the new one')
    t.equal((await linker.matter(named.matterId)).members.length, 3)
  })

  await t.test('the same caller about the same problem at another home is another matter', async (t) => {
    const a = await linker.link(appeal({ content: '紫荆苑2号楼暖气不热', phone: '13100000061', address: '紫荆苑2号楼' }))
    const b = await linker.link(appeal({ content: '我母亲家丁香苑暖气也不热', phone: '13100000061', address: '丁香苑4号楼' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('a personal case joins its own follow-up but not a stranger asking the same', async (t) => {
    const a = await linker.link(appeal({ content: '我的公积金提取申请十个工作日了还没到账', phone: '13100000071' }))
    const b = await linker.link(appeal({ content: '上次反映的公积金提取还是没到账', phone: '13100000071', channel: 'app' }))
    const c = await linker.link(appeal({ content: '我的公积金提取也一直没到账', phone: '13100000072' }))
    t.equal(b.matterId, a.matterId)
    t.equal(b.flags.repeat, true)
    t.not(c.matterId, a.matterId)
  })
})
