import t from 'tap'
import { appeal, setup } from './fixtures/linker-setup.ts'

t.test('重复诉求 and 集中诉求', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()

  await t.test('a repeat by the same citizen on another channel is flagged with the earlier number', async (t) => {
    const call = appeal({ content: '瑞丰小区对面那个工地现在十一点多了还在施工，吵得睡不着', phone: '13700088684', name: '王女士', address: '瑞丰小区' })
    const first = await linker.link(call)
    t.equal(first.flags.repeat, false)
    const later = await linker.link(
      appeal({ content: '我已经打了两次12345了（电话13700088684），瑞丰小区对面工地晚上施工的问题一直没解决', channel: 'wechat-official', openid: 'o' + 'a'.repeat(27), at: '2026-11-03T12:00:00.000Z' }),
    )
    t.equal(later.matterId, first.matterId)
    t.equal(later.flags.repeat, true)
    t.same(later.flags.repeatOf, [call.appealNumber])
    t.ok(later.reasons.includes('same-citizen'))
  })

  await t.test('three citizens make 集中诉求, and the alert fires once', async (t) => {
    const mk = (phone: string, content: string) => appeal({ content, phone, address: '北环佳苑' })
    const a = await linker.link(mk('13900000001', '北环佳苑晚上一股臭味，饲料厂排的'))
    const b = await linker.link(mk('13900000002', '北环佳苑这边晚上臭味很大，熏得头疼'))
    const a2 = await linker.link(mk('13900000001', '又是我，北环佳苑晚上那个臭味又来了'))
    t.equal(a2.flags.concentrated, false, 'the same caller twice is still two citizens')
    const c = await linker.link(mk('13900000003', '北环佳苑夜里酸臭气味，窗户关着都能闻到'))
    const d = await linker.link(mk('13900000004', '北环佳苑的臭味什么时候能解决'))
    t.same([a.matterId, b.matterId, a2.matterId, d.matterId], [c.matterId, c.matterId, c.matterId, c.matterId])
    t.equal(c.becameConcentrated, true)
    t.equal(c.flags.concentrated, true)
    t.equal(d.becameConcentrated, false, 'no second alert')
    t.equal(d.flags.concentrated, true)
    t.equal((await linker.matter(c.matterId)).citizens, 4)
  })

  await t.test('two WeChat openids of one person do not count as two citizens', async (t) => {
    const a = await linker.link(appeal({ content: '红柳新村停电了', channel: 'wechat-mini', openid: 'o' + 'm'.repeat(27), address: '红柳新村' }))
    const b = await linker.link(appeal({ content: '红柳新村又停电', channel: 'wechat-official', openid: 'o' + 'n'.repeat(27), address: '红柳新村' }))
    t.equal(b.matterId, a.matterId)
    t.equal(b.citizens, 1)
  })

  await t.test('a generic consultation with no place stays a singleton', async (t) => {
    const a = await linker.link(appeal({ content: '你好，我想问一下社保卡丢了怎么补办', phone: '13600000001' }))
    const b = await linker.link(appeal({ content: '请问社保卡遗失后补办需要哪些材料', phone: '13600000002', channel: 'web' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('the same compound with another problem stays apart', async (t) => {
    const a = await linker.link(appeal({ content: '幸福家园消防通道每天晚上停满了车', phone: '13600000011', address: '幸福家园小区' }))
    const b = await linker.link(appeal({ content: '幸福家园东门早上摆摊卖菜的把路占完了', phone: '13600000012', address: '幸福家园东门' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('the same citizen with another matter stays apart', async (t) => {
    const a = await linker.link(appeal({ content: '锦绣华庭8号楼暖气不热', phone: '13600000021', address: '锦绣华庭8号楼' }))
    const b = await linker.link(appeal({ content: '前几天反映过暖气，今天是另外一个事，8号楼2单元电梯又坏了', phone: '13600000021', address: '锦绣华庭8号楼2单元' }))
    t.not(b.matterId, a.matterId)
  })

  await t.test('"今天不是工地那个事" is another matter of the same caller, though 那个 is a filler the text loses', async (t) => {
    const a = await linker.link(appeal({ content: '康乐花园旁边那个工地晚上还在干活，吵得睡不着', phone: '13600000031', address: '康乐花园' }))
    // The earlier matter is named with its own words (工地晚上吵): without the rule it is the same problem.
    const b = await linker.link(appeal({ content: '我还是康乐花园的，今天不是工地晚上吵的那个事，是物业把消防通道都划成车位收钱了', phone: '13600000031', address: '康乐花园' }))
    t.not(b.matterId, a.matterId)
  })
})
