import t from 'tap'
import { appeal, setup } from './fixtures/linker-setup.ts'

// Big matters told from many angles (dataset README rule 1) and the look-alikes that must stay
// apart; each subtest has a fresh key prefix so one incident cannot leak into another.
t.test('one matter heard from many angles', async (t) => {
  await t.test('a follow-up that names only the firm joins the wages at its site, not the firm at another site', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const site = await linker.link(appeal({ content: '我在北环路恒泰建设的工地上干了三个月，一分钱工资都没给', phone: '13200000001', address: '北环路', at: '2026-11-10T03:00:00.000Z' }))
    await linker.link(appeal({ content: '恒泰公司拖欠我们二十多个农民工的工资', phone: '13200000002', address: '北环路恒泰建设工地', at: '2026-11-11T03:00:00.000Z' }))
    const other = await linker.link(appeal({ content: '恒泰建设在南山路的那个工地也欠我们工资', phone: '13200000003', address: '南山路', at: '2026-11-12T03:00:00.000Z' }))
    const bare = await linker.link(appeal({ content: '再反映一下恒泰那个工地欠薪的事，上周打过电话了', phone: '13200000004', at: '2026-11-13T03:00:00.000Z' }))
    t.not(other.matterId, site.matterId, 'the same firm at another site is another matter')
    t.equal(bare.matterId, site.matterId, 'the bare name was learned from the site reports')
    t.not((await linker.get(other.appealId))?.matterId, site.matterId, 'the bare name did not fold the two sites together')
  })

  await t.test('an ordinary word that is also a compound name does not place an appeal', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    // Another compound's heating is out too: a complaint naming no place could be either's.
    await linker.link(appeal({ content: '金城花园暖气不热，整栋楼都冰凉', phone: '13200000065', address: '金城花园' }))
    const a = await linker.link(appeal({ content: '阳光城全小区暖气都不热，室温十三度', phone: '13200000061', address: '阳光城' }))
    await linker.link(appeal({ content: '阳光城暖气不热，整个小区都这样', phone: '13200000062', address: '阳光城' }))
    const b = await linker.link(appeal({ content: '家里暖气不热，阳光也照不进来，冷得很', phone: '13200000063' }))
    const c = await linker.link(appeal({ content: '我住阳光城，暖气还是凉的', phone: '13200000064' }))
    t.not(b.matterId, a.matterId)
    t.equal(c.matterId, a.matterId)
  })

  await t.test('a compound without water joins the burst main that morning when its caller names the burst', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const burst = await linker.link(appeal({ content: '西园路农贸市场门口地下水管爆了，水都漫到店里来了', phone: '13200000011', address: '西园路农贸市场', at: '2026-11-08T00:00:00.000Z' }))
    const quiet = await linker.link(appeal({ content: '我们小区停水了，什么时候来水', phone: '13200000012', address: '玉泉花园', at: '2026-11-08T00:30:00.000Z' }))
    const cause = await linker.link(appeal({ content: '从早上起来就停水了，物业说是外面的主管道破了', phone: '13200000013', address: '丽景花园', at: '2026-11-08T01:00:00.000Z' }))
    const neighbour = await linker.link(appeal({ content: '家里水龙头一滴水都没有，做饭都没法做', phone: '13200000014', address: '丽景花园6号楼', at: '2026-11-08T01:30:00.000Z' }))
    t.not(quiet.matterId, burst.matterId, 'an outage that names no cause stays apart')
    t.equal(cause.matterId, burst.matterId)
    t.equal(neighbour.matterId, burst.matterId, '"一滴水都没有" is the water cut, not a dripping ceiling')
    t.equal(neighbour.flags.concentrated, true)
  })

  await t.test('a compound that only guesses at a burst, or blames rain water on the road, stays apart from the burst', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const burst = await linker.link(appeal({ content: '东方红路上水管爆了，水冒得老高', phone: '13200000071', address: '东方红路', at: '2026-11-09T00:20:00.000Z' }))
    const guess = await linker.link(appeal({ content: '碧桂园今天怎么停水了，是不是哪里爆管了', phone: '13200000072', address: '碧桂园', at: '2026-11-09T01:10:00.000Z' }))
    const flooded = await linker.link(appeal({ content: '建宁路下雨以后路面积水，车都过不去', phone: '13200000074', address: '建宁路', at: '2026-11-09T01:00:00.000Z' }))
    const rain = await linker.link(appeal({ content: '紫荆苑停水了，下雨以后路上积水很深', phone: '13200000073', address: '紫荆苑', at: '2026-11-09T01:30:00.000Z' }))
    t.not(guess.matterId, burst.matterId)
    t.not(rain.matterId, flooded.matterId, 'rain water on a road cuts no compound off')
    t.not(rain.matterId, burst.matterId)
  })

  await t.test('with two bursts that morning an outage naming only "the burst" stays for an agent to place', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '东风路上水管爆了，路面冒水', phone: '13200000021', address: '东风路', at: '2026-11-08T00:00:00.000Z' }))
    const b = await linker.link(appeal({ content: '建宁路水管爆了，水漫了一大片', phone: '13200000022', address: '建宁路', at: '2026-11-08T00:10:00.000Z' }))
    const c = await linker.link(appeal({ content: '小区停水了，说是外面爆管了', phone: '13200000023', address: '锦华苑', at: '2026-11-08T01:00:00.000Z' }))
    t.not(c.matterId, a.matterId)
    t.not(c.matterId, b.matterId)
  })

  await t.test('a pinned report is no rival of a pin-only report far across town', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const named = await linker.link(appeal({ content: '建宁路上水管爆了，路面往外冒水，冒得老高', phone: '13200000031', address: '建宁路', at: '2026-11-08T00:00:00.000Z' }))
    // Three bursts pinned across town: were they rivals, an agent would have to place the pin.
    const far = [
      await linker.link(appeal({ content: '东风路水管爆了，水漫了一大片', phone: '13200000032', address: '东风路', lat: 35.85, lng: 104.7, at: '2026-11-08T00:10:00.000Z' })),
      await linker.link(appeal({ content: '南山路上水管爆了，到处是水', phone: '13200000034', address: '南山路', lat: 35.72, lng: 104.6, at: '2026-11-08T00:12:00.000Z' })),
      await linker.link(appeal({ content: '西津路爆管了，路面冒水', phone: '13200000035', address: '西津路', lat: 35.8, lng: 104.48, at: '2026-11-08T00:14:00.000Z' })),
    ]
    const pinned = appeal({ content: '路中间水管爆了往外冒水，冒得老高，车道都淹了', channel: 'app', phone: '13200000033', lat: 35.8, lng: 104.6, at: '2026-11-08T00:30:00.000Z' })
    const c = await linker.link(pinned)
    for (const f of far) t.not(f.matterId, named.matterId)
    t.equal(c.matterId, named.matterId, 'bursts 9 km and more away cannot be where this pin is')
  })

  await t.test('a bus route that "no longer goes" somewhere is the reroute, another route is not', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '35路怎么突然不走滨河路了，去医院要多走好远', phone: '13200000031' }))
    const b = await linker.link(appeal({ content: '建议恢复三十五路公交原来的线路，改线以后出行很不方便', phone: '13200000032', channel: 'web' }))
    const c = await linker.link(appeal({ content: '36路末班车八点就没了，能不能延长', phone: '13200000033' }))
    t.equal(b.matterId, a.matterId)
    t.not(c.matterId, a.matterId)
  })

  await t.test('a refund asked for the cards of a closed gym joins the cards matter; a closed barber on that road does not', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '南湖路力美健身房突然关门了，我上个月刚办的年卡', phone: '13200000041', address: '南湖路力美健身' }))
    const b = await linker.link(appeal({ content: '力美健身跑路了，会员卡里还有两千块钱', channel: 'wechat-official', openid: 'o' + 'g'.repeat(27) }))
    const c = await linker.link(appeal({ content: '本人在力美健身预付会员费四千元，现该店已停业，请督促商家退款', phone: '13200000043', channel: 'mailbox' }))
    const d = await linker.link(appeal({ content: '南湖路上那个理发店办的卡也用不了了，店关了', phone: '13200000044', address: '南湖路' }))
    t.equal(b.matterId, a.matterId, '跑路 is no road')
    t.equal(c.matterId, a.matterId)
    t.not(d.matterId, a.matterId)
  })

  await t.test('a board post signed with its own nickname is the third citizen of a matter', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    await linker.link(appeal({ content: '锦江苑对面工地半夜还在打桩，吵得睡不着', phone: '13200000051', address: '锦江苑3号楼' }))
    const again = await linker.link(appeal({ content: '锦江苑旁边工地今晚又在夜间施工', phone: '13200000051', address: '锦江苑' }))
    t.equal(again.flags.concentrated, false, 'one caller twice is one citizen')
    await linker.link(appeal({ content: '锦江苑南边工地夜里施工吵得很', phone: '13200000052', address: '锦江苑' }))
    const post = await linker.link(appeal({ content: '锦江苑旁边的工地连续一周夜间施工扰民，请城管查处', channel: 'message-board', name: '夜不能寐' }))
    t.equal(post.citizens, 3)
    t.equal(post.becameConcentrated, true)
  })
})
