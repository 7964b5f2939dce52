import t from 'tap'
import { Redis } from 'ioredis'
import { appeal, REDIS_URL, setup } from './fixtures/linker-setup.ts'

t.test('agent decisions', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()
  const a = await linker.link(appeal({ content: '金港路红柳路口路中间有个大坑', phone: '13500000001', address: '金港路与红柳路交叉口' }))
  const b = await linker.link(appeal({ content: '金港路红柳路十字有个坑，车胎扎爆了', phone: '13500000002', address: '金港路红柳路口' }))
  t.equal(b.matterId, a.matterId)

  await t.test('confirm keeps the matter and records who decided', async (t) => {
    await linker.confirm(b.appealId, 'agent-7')
    const view = await linker.matter(a.matterId)
    t.equal(view.members.find((m) => m.appealId === b.appealId)?.decision?.kind, 'confirmed')
    t.equal(view.members.find((m) => m.appealId === b.appealId)?.decision?.by, 'agent-7')
  })

  await t.test('detach is remembered: the pair is never suggested again', async (t) => {
    const c = await linker.link(appeal({ content: '金港路红柳路口那个坑还没补', phone: '13500000003', address: '金港路红柳路口' }))
    t.equal(c.matterId, a.matterId)
    const moved = await linker.detach(c.appealId, 'agent-7')
    t.not(moved.matterId, a.matterId)
    t.same((await linker.matter(a.matterId)).members.map((m) => m.appealId).sort(), [a.appealId, b.appealId].sort())
    const suggestions = await linker.suggest(c.appealId)
    t.notOk(suggestions.some((s) => s.appealId === a.appealId || s.appealId === b.appealId))
    const again = await linker.link(appeal({ content: 'x', id: c.appealId }))
    t.equal(again.matterId, moved.matterId, 'linking it again does not undo the agent')
  })

  await t.test('attach moves the appeal into the chosen matter', async (t) => {
    const other = await linker.link(appeal({ content: '红柳路中段井盖碎了', phone: '13500000009', address: '红柳路中段' }))
    const res = await linker.attach(other.appealId, a.matterId, 'agent-8')
    t.equal(res.matterId, a.matterId)
    t.equal((await linker.get(other.appealId))?.matterId, a.matterId)
    t.ok((await linker.matter(a.matterId)).members.some((m) => m.appealId === other.appealId))
    t.notOk((await linker.matter(other.matterId)).members.some((m) => m.appealId === other.appealId))
  })
})

t.test('two linkers on two connections produce one consistent matter', async (t) => {
  const ctx = await setup()
  const second = new Redis(REDIS_URL)
  t.teardown(async () => {
    second.disconnect()
    await ctx.cleanup()
  })
  const l1 = ctx.linker()
  const l2 = ctx.linker({}, second)
  const appeals = Array.from({ length: 12 }, (_, i) =>
    appeal({ content: `锦绣华庭8号楼暖气不热，室温只有${12 + (i % 3)}度`, phone: `1370000${String(i).padStart(4, '0')}`, address: '锦绣华庭8号楼' }),
  )
  const links = await Promise.all(appeals.map((a, i) => (i % 2 ? l1 : l2).link(a)))
  const matters = new Set(links.map((l) => l.matterId))
  t.equal(matters.size, 1, 'all in one matter')
  const view = await l1.matter(links[0]!.matterId)
  t.equal(view.members.length, 12)
  t.equal(view.citizens, 12)
  t.equal(links.filter((l) => l.becameConcentrated).length, 1, 'the alert fired once')
})

t.test('a crash between computing and writing leaves no half-link', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const good = ctx.linker()
  const first = await good.link(appeal({ content: '西津花园4号楼楼道煤气味', phone: '13400000001', address: '西津花园4号楼' }))
  const crashing = ctx.linker({ beforeCommit: () => { throw new Error('crash') } })
  const x = appeal({ content: '西津花园4号楼燃气味很大', phone: '13400000002', address: '西津花园4号楼' })
  await t.rejects(crashing.link(x), /crash/)
  t.equal(await good.get(x.id), undefined, 'the appeal is not linked')
  t.equal((await good.matter(first.matterId)).members.length, 1, 'the matter did not gain a member')
  const keys = await ctx.redis.keys(`${ctx.prefix}:matter:a:${x.id}`)
  t.same(keys, [])
  const retried = await good.link(x)
  t.equal(retried.matterId, first.matterId, 'the retry links it')
})
