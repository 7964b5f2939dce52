import t from 'tap'
import { appeal, setup } from './fixtures/linker-setup.ts'

// What the linker learns from the window instead of from lists: places seen together, and words
// weighed by how rare they are among the appeals. Fresh key prefix per subtest.
t.test('what the window teaches the linker', async (t) => {
  await t.test('an estate named by the supermarket beside it joins the estate once a caller named both', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '青禾苑小区这两天水龙头出来的水发黄，有一股铁锈味', phone: '13300000001', address: '青禾苑', at: '2026-11-10T01:00:00.000Z' }))
    const b = await linker.link(appeal({ content: '福源超市后面青禾苑的自来水也是黄的，烧开了壶底一层红', phone: '13300000002', address: '福源路福源超市后面青禾苑', at: '2026-11-10T03:00:00.000Z' }))
    const c = await linker.link(appeal({ content: '我们这自来水浑得很，发黄，烧开了有红色的沉淀', phone: '13300000003', address: '福源超市后面那个小区', at: '2026-11-10T05:00:00.000Z' }))
    t.equal(b.matterId, a.matterId)
    t.equal(c.matterId, a.matterId, 'the supermarket was seen with the estate')
    t.equal(c.citizens, 3)
    t.ok(c.flags.concentrated, '集中诉求 at the third citizen')
  })

  await t.test('a problem no list knows joins at one place, and another problem there stays apart', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '金穗家园门口的化粪池冒了，污水漫到人行道上', phone: '13300000011', address: '金穗家园', at: '2026-11-12T01:00:00.000Z' }))
    const b = await linker.link(appeal({ content: '金穗家园大门口化粪池满了往外冒污水，臭得很', phone: '13300000012', address: '金穗家园', at: '2026-11-12T04:00:00.000Z' }))
    const c = await linker.link(appeal({ content: '金穗家园物业把停车费从八十涨到一百五', phone: '13300000013', address: '金穗家园', at: '2026-11-12T06:00:00.000Z' }))
    t.equal(b.matterId, a.matterId, 'the same new word at the same place')
    t.not(c.matterId, a.matterId, 'the parking fee is another matter')
  })

  await t.test('a complaint that names no place joins the one matter of its kind, and no matter when there are several', async (t) => {
    const ctx = await setup()
    t.teardown(ctx.cleanup)
    const linker = ctx.linker()
    const a = await linker.link(appeal({ content: '金穗家园门口的化粪池冒了，污水漫到人行道上', phone: '13300000021', address: '金穗家园' }))
    const b = await linker.link(appeal({ content: '化粪池冒了，污水漫到人行道上，臭得很', phone: '13300000022' }))
    t.equal(b.matterId, a.matterId, 'the only overflowing sewer in the window')
    await linker.link(appeal({ content: '翠苑小区化粪池堵了，污水从井盖里往外冒', phone: '13300000023', address: '翠苑小区' }))
    const c = await linker.link(appeal({ content: '化粪池又冒了，污水流得到处都是', phone: '13300000024' }))
    t.not(c.matterId, a.matterId, 'two such matters: which one is for an agent to say')
    t.equal((await linker.matter(c.matterId)).members.length, 1)
  })
})
