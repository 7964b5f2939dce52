import t from 'tap'
import { loadConfig } from '../../config/load.ts'
import { suggestPartner } from '../../gateway/emergency/suggest.ts'

const partners = loadConfig({ env: {} }).emergency.partners

t.test('realistic appeals suggest the partner whose agreed items they match', async (t) => {
  const cases = [
    { content: '楼下烧烤店门口有两伙人在打架，有人拿着酒瓶砸人，请赶快来人', category: '求助', partner: '110', item: '打架斗殴' },
    { content: '家里厨房燃气泄漏了，闻到很大的煤气味，阀门关不上', category: '求助', partner: '119', item: '燃气泄漏' },
    { content: '我家老人在小区花园突然晕倒了，叫不醒，旁边没有其他人', category: '求助', partner: '120', item: '昏迷' },
    { content: '幸福路和建设路路口两辆车追尾了，车横在路中间', category: '求助', partner: '122', item: '交通事故' },
    { content: '我的电动车昨晚在楼下被偷了，监控拍到了小偷', category: '举报', partner: '110', item: '盗窃' },
    { content: '隔壁楼三层起火了，冒出很多浓烟', partner: '119', item: '火灾' },
  ] as const
  for (const c of cases) {
    const s = suggestPartner({ content: c.content, ...('category' in c ? { category: c.category } : {}) }, partners)
    t.match(s, { partner: c.partner, item: c.item }, `${c.content} -> ${c.partner} ${c.item}`)
  }
  t.match(suggestPartner({ content: '有人在小区里打架，有人头破血流' }, partners), { partner: '110' }, 'a fight with injuries is for the police first (they bring 120)')
})

t.test('nothing is suggested for what 12345 handles itself', async (t) => {
  for (const content of [
    '小区门口的路灯坏了一个多星期，晚上很黑，希望尽快维修',
    '楼上装修噪音扰民，每天早上七点就开始',
    '我们小区停水三天了，物业也不管',
    '老旧小区加装电梯的补贴政策如何申请？',
  ]) {
    t.equal(suggestPartner({ content, category: '投诉' }, partners), undefined, content)
  }
})

t.test('keywords count as whole words, not inside other words, and not when denied', async (t) => {
  t.equal(suggestPartner({ content: '楼上邻居的事我被困扰很久了', category: '投诉' }, partners), undefined, '被困扰 is not 被困')
  t.equal(suggestPartner({ content: '一起火锅店的油烟太大', category: '投诉' }, partners), undefined, '一起火锅 is not 起火')
  t.match(suggestPartner({ content: '路口发生车祸，没有人受伤', category: '求助' }, partners), { partner: '122', keywords: ['车祸'] }, '没有人受伤 is no injury')
  t.match(suggestPartner({ content: '爷爷摔倒后昏迷不醒' }, partners), { partner: '120', item: '昏迷' }, '昏迷 opens 昏迷不醒')
})

t.test("an enquiry needs more than one word; the agent's summary of a call counts", async (t) => {
  t.equal(suggestPartner({ content: '想咨询一下家里燃气泄漏应该找哪个部门', category: '咨询' }, partners), undefined)
  const call = { content: '市民来电（拨打12345），请在通话中记录诉求内容。' }
  t.equal(suggestPartner(call, partners), undefined, "a call's placeholder text says nothing")
  t.match(suggestPartner({ ...call, summary: '来电人称邻居家着火了' }, partners), { partner: '119', item: '火灾' })
})
