/**
 * A call is linked at intake by the caller's number only (its text is our placeholder) and again
 * on the agent's summary at completion (MatterLinker.relink, gateway/matter/relink.ts).
 */
import t from 'tap'
import { Redis } from 'ioredis'
import type { Appeal } from '../../gateway/domain/appeal.ts'
import { readAppeal } from '../../gateway/matter/features.ts'
import { writeTokens } from '../../gateway/matter/tokens.ts'
import { featureDelta } from '../../gateway/matter/relink.ts'
import { appeal, REDIS_URL, setup } from './fixtures/linker-setup.ts'

/** Two neighbours write about one broken streetlight. */
const NEIGHBOURS = [
  { phone: '13911110001', address: '锦绣华庭8号楼', content: '锦绣华庭8号楼门口的路灯坏了一个多星期了，晚上黑漆漆的' },
  { phone: '13911110002', address: '锦绣华庭8号楼', content: '锦绣华庭8号楼前面路灯不亮好几天了，请尽快修' },
] as const
const SUMMARY = '市民反映锦绣华庭8号楼门口路灯坏了一个多星期，晚上很黑，要求尽快维修'

/** A call as the gateway stores it: our placeholder text, the call behind it. */
function call(phone: string, at?: string): Appeal {
  return { ...appeal({ content: '市民来电（12345）', phone, ...(at ? { at } : {}) }), call: { callId: `call-${phone}`, serverId: 'fs1', mode: 'live' } }
}

/** The call as the agent completed it: the record's place beside the summary. */
const completed = (c: Appeal, address = '锦绣华庭8号楼', pin?: { lat: number; lng: number }): Appeal => ({ ...c, location: { address, ...pin } })

async function neighbours(linker: ReturnType<Awaited<ReturnType<typeof setup>>['linker']>) {
  const links = []
  for (const n of NEIGHBOURS) links.push(await linker.link(appeal({ channel: 'web', ...n })))
  return links
}

t.test('a call about the streetlight two neighbours wrote about joins their matter on its summary: three citizens, 集中诉求', async (t) => {
  const ctx = await setup()
  const other = new Redis(REDIS_URL)
  t.teardown(async () => {
    other.disconnect()
    await ctx.cleanup()
  })
  const linker = ctx.linker()
  const [a, b] = await neighbours(linker)
  t.equal(b!.matterId, a!.matterId, 'the two written appeals are one matter')
  t.equal(b!.citizens, 2)

  const c = call('13911110003')
  const atIntake = await linker.link(c)
  t.not(atIntake.matterId, a!.matterId, 'at intake the call is alone: its text is only our placeholder')
  t.same(atIntake.related, [])
  t.equal((await linker.matter(atIntake.matterId)).members.length, 1)
  // Another gateway process reads the call (its placeholder features) before the summary comes.
  const elsewhere = ctx.linker({}, other)
  t.same((await elsewhere.store.appeals([c.id]))[0]?.features.topics, [], 'cached there with no problem')

  const r = await linker.relink(completed(c), SUMMARY)
  t.equal(r?.link.matterId, a!.matterId, 'on its summary it joins the neighbours’ matter')
  t.equal(r?.link.citizens, 3)
  t.equal(r?.link.flags.concentrated, true, '集中诉求')
  t.equal(r?.link.becameConcentrated, true, 'raised by this re-link')
  t.ok(r?.link.reasons.includes('same-place') && r?.link.reasons.includes('same-problem'), `reasons: ${r?.link.reasons}`)
  t.same(r?.changed.sort(), [atIntake.matterId, a!.matterId].sort(), 'the matter it left and the one it joined')
  t.equal(r?.from, atIntake.matterId)
  const view = await linker.matter(a!.matterId)
  t.same(view.members.map((m) => m.appealId).sort(), [a!.appealId, b!.appealId, c.id].sort())
  t.equal(view.citizens, 3)
  t.equal((await linker.matter(atIntake.matterId)).matterId, a!.matterId, 'the matter it left leads to the one it joined')

  await t.test('its features are those of a written appeal of the same text', async (t) => {
    const stored = (await linker.store.appeals([c.id]))[0]!.features
    const written = readAppeal({ ...completed(c), channel: 'web', call: undefined, content: SUMMARY }).features
    t.same(stored.topics, written.topics)
    t.same(stored.places, written.places)
    t.same(stored.words, written.words)
    t.same((await elsewhere.store.appeals([c.id]))[0]?.features.topics, written.topics, 'another process reads them too, not what it had cached')
  })

  await t.test('completing twice (a retried completion) links it once', async (t) => {
    const again = await linker.relink(completed(c), SUMMARY)
    t.equal(again?.link.matterId, a!.matterId)
    t.equal(again?.link.becameConcentrated, false, 'no second alert')
    t.same(again?.changed, [], 'nothing to announce')
    t.equal((await linker.matter(a!.matterId)).members.length, 3)
  })

  await t.test('a later written appeal about the same light finds the call by its content', async (t) => {
    const d = await linker.link(appeal({ channel: 'web', phone: '13911110004', address: '锦绣华庭8号楼', content: '锦绣华庭8号楼门口路灯还是不亮' }))
    t.equal(d.matterId, a!.matterId)
    t.ok(d.related.some((x) => x.appealId === c.id), 'the call is among its related appeals')
    t.equal(d.becameConcentrated, false)
  })
})

t.test('a call whose summary is a generic question with no place stays a singleton', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()
  await neighbours(linker)
  const links = []
  for (const phone of ['13911110005', '13911110006']) {
    const c = call(phone)
    const first = await linker.link(c)
    const r = await linker.relink(c, '咨询社保卡丢失后如何补办，已告知办理流程和所需材料')
    t.equal(r?.link.matterId, first.matterId, 'it stays in its own matter')
    t.same(r?.link.related, [])
    t.same(r?.changed, [])
    links.push(r!.link)
  }
  t.not(links[0]!.matterId, links[1]!.matterId, 'two citizens asking the same question are not one matter')
  t.equal((await linker.matter(links[1]!.matterId)).members.length, 1)
  t.equal(await linker.relink(appeal({ channel: 'web', content: '社保卡怎么补办', phone: '13911110007' }), SUMMARY), undefined, 'a written appeal is read at intake, never again')
})

t.test('an agent’s decision on a call stays final', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()
  const [a] = await neighbours(linker)
  // The caller wrote before about something else: the call is linked to it by number.
  const earlier = await linker.link(appeal({ channel: 'web', phone: '13911110008', content: '我家楼上装修天天早上七点就开始砸墙', address: '幸福家园3号楼' }))

  await t.test('a call an agent split off is not moved by the re-link', async (t) => {
    const c = call('13911110008')
    t.equal((await linker.link(c)).matterId, earlier.matterId, 'linked by the caller’s number')
    const split = await linker.detach(c.id, 'agent-7')
    const r = await linker.relink(completed(c), SUMMARY)
    t.equal(r?.link.matterId, split.matterId, 'it stays where the agent put it')
    t.same(r?.changed, [])
    t.equal((await linker.get(c.id))?.matterId, split.matterId)
    t.equal((await linker.matter(a!.matterId)).citizens, 2, 'the neighbours’ matter did not gain a citizen')
    t.equal((await linker.matter(a!.matterId)).concentrated, false)
    t.same((await linker.matter(split.matterId)).members.map((m) => m.decision?.kind), ['detached'], 'the decision is kept')
    t.ok((await linker.store.appeals([c.id]))[0]?.features.topics.includes('streetlight'), 'its features are the summary’s')
  })

  await t.test('a call an agent attached elsewhere is not moved by the re-link', async (t) => {
    const c = call('13911110009')
    await linker.link(c)
    await linker.attach(c.id, earlier.matterId, 'agent-8')
    const r = await linker.relink(completed(c), SUMMARY)
    t.equal(r?.link.matterId, earlier.matterId)
    t.equal((await linker.matter(a!.matterId)).citizens, 2)
  })
})

t.test('the same caller’s earlier appeal stays linked by identity', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()

  await t.test('a call about another problem stays with the caller’s earlier appeal', async (t) => {
    const [a] = await neighbours(linker)
    const earlier = await linker.link(appeal({ channel: 'web', phone: '13911110010', content: '锦绣华庭小区的垃圾站好几天没人清运，味道很大', address: '锦绣华庭' }))
    t.not(earlier.matterId, a!.matterId, 'the garbage is another matter than the light')
    const c = call('13911110010')
    const first = await linker.link(c)
    t.equal(first.matterId, earlier.matterId, 'linked by the caller’s number')
    const r = await linker.relink(completed(c), SUMMARY)
    t.equal(r?.link.matterId, earlier.matterId, 'it stays with the caller’s earlier appeal')
    t.equal(r?.link.flags.repeat, true, '重复诉求 still')
    t.same(r?.link.flags.repeatOf, [(await linker.matter(earlier.matterId)).members[0]!.appealNumber])
    t.same(r?.changed, [])
    t.equal((await linker.matter(a!.matterId)).citizens, 2, 'the light’s matter is not reached by a call that stayed with the caller')
  })

  await t.test('the content joins the caller’s matter and the neighbours’ only as the linker folds them', async (t) => {
    const ctx2 = await setup()
    t.teardown(ctx2.cleanup)
    const l2 = ctx2.linker()
    // The caller first reported the light with only a pin. Three other lights are out elsewhere,
    // so nothing says which one the pin is: it stays alone, and the neighbours' appeals naming the
    // building do not join it (scorer.ts AMBIGUOUS_RIVALS: an agent places it).
    await l2.link(appeal({ channel: 'web', phone: '13911110019', address: '红旗小区3号楼', content: '红旗小区3号楼门口的路灯不亮了', at: '2026-11-01T09:00:00.000Z' }))
    await l2.link(appeal({ channel: 'web', phone: '13911110018', address: '滨河路', content: '滨河路东段路灯全灭了', at: '2026-11-01T09:10:00.000Z' }))
    await l2.link(appeal({ channel: 'web', phone: '13911110017', address: '东岗西路', content: '东岗西路人行道上的路灯坏了三盏', at: '2026-11-01T09:20:00.000Z' }))
    const pinOnly = await l2.link(appeal({ channel: 'wechat-mini', phone: '13911110011', content: '这里的路灯坏了好多天了，晚上特别黑', lat: 36.0611, lng: 103.8343, at: '2026-11-01T10:00:00.000Z' }))
    const [a] = await neighbours(l2)
    t.not(a!.matterId, pinOnly.matterId)
    const c = call('13911110011')
    t.equal((await l2.link(c)).matterId, pinOnly.matterId, 'linked by the caller’s number')
    // The summary names the building and the record carries the pin: the same problem as both.
    const r = await l2.relink(completed(c, '锦绣华庭8号楼', { lat: 36.0612, lng: 103.8344 }), SUMMARY)
    t.equal(r?.link.matterId, pinOnly.matterId, 'it stays with the caller’s report')
    const view = await l2.matter(pinOnly.matterId)
    t.equal(view.members.length, 4, 'the neighbours’ matter was folded into it')
    t.equal(view.citizens, 3)
    t.equal(r?.link.becameConcentrated, true, '集中诉求 raised by the re-link')
    t.same(r?.changed.sort(), [pinOnly.matterId, a!.matterId].sort())
    t.equal((await l2.matter(a!.matterId)).matterId, pinOnly.matterId, 'the folded matter leads there')
  })
})

t.test('a crash before the re-link is written leaves the intake link; the retry re-links', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const good = ctx.linker()
  const [a] = await neighbours(good)
  const c = call('13911110012')
  const first = await good.link(c)
  const crashing = ctx.linker({ beforeCommit: () => { throw new Error('crash') } })
  await t.rejects(crashing.relink(completed(c), SUMMARY), /crash/)
  t.equal((await good.get(c.id))?.matterId, first.matterId, 'still where intake put it')
  t.equal((await good.matter(a!.matterId)).citizens, 2)
  t.same((await good.store.appeals([c.id]))[0]?.features.topics, [], 'its features are still the placeholder’s')
  const r = await good.relink(completed(c), SUMMARY)
  t.equal(r?.link.matterId, a!.matterId)
  t.equal(r?.link.becameConcentrated, true)
})

t.test('the window counts a re-linked call once and files it under the summary’s places only', async (t) => {
  const ctx = await setup()
  t.teardown(ctx.cleanup)
  const linker = ctx.linker()
  const keys = linker.store.keys
  // A call that came in with a place (a caller's saved address): filed under it at intake.
  const c = { ...call('13911110013'), location: { address: '幸福家园3号楼' } }
  const first = await linker.link(c)
  const before = (await linker.store.appeals([c.id]))[0]!.features
  const oldPlaces = writeTokens(before).filter((x) => x.startsWith('s:'))
  t.ok(oldPlaces.length > 0, `filed under ${oldPlaces}`)
  for (const x of oldPlaces) t.ok(await ctx.redis.zscore(keys.index(x), c.id), `under ${x} at intake`)
  const epoch = Math.floor(before.at / (30 * 86_400_000))
  const n = Number(await ctx.redis.hget(keys.termDf(epoch), '#n'))

  const r = await linker.relink(completed(c), SUMMARY)
  t.equal(r?.link.matterId, first.matterId, 'nothing else to join: it stays in its matter')
  const after = (await linker.store.appeals([c.id]))[0]!.features
  const newPlaces = new Set(writeTokens(after))
  for (const x of oldPlaces.filter((x) => !newPlaces.has(x))) t.equal(await ctx.redis.zscore(keys.index(x), c.id), null, `no longer under ${x}`)
  for (const x of [...newPlaces].filter((x) => x.startsWith('s:'))) t.ok(await ctx.redis.zscore(keys.index(x), c.id), `under ${x} now`)
  t.equal(Number(await ctx.redis.hget(keys.termDf(epoch), '#n')), n, 'still one appeal in the term counts')
  const df = await ctx.redis.hgetall(keys.termDf(epoch))
  for (const w of after.words ?? []) t.ok(Number(df[w]) >= 1, `${w} counted`)
})

t.test('from old features to new, terms are counted in and out as the link script counts them', async (t) => {
  const old = readAppeal(appeal({ channel: 'web', content: '锦绣华庭垃圾站没人清运', phone: '13911110014' })).features
  const next = readAppeal(appeal({ channel: 'web', content: '锦绣华庭路灯不亮', phone: '13911110014' })).features
  const d = featureDelta(old, next, writeTokens(next))
  const all = (f: typeof old) => [...(f.words ?? []), ...(f.grams ?? []), ...(f.chars ?? [])]
  const count = (l: string[]) => l.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())
  // old + added - taken back = new, term by term.
  const net = count(all(old))
  for (const x of d.terms) net.set(x, (net.get(x) ?? 0) + 1)
  for (const x of d.unterms) net.set(x, net.get(x)! - 1)
  t.same(new Map([...net].filter(([, n]) => n > 0)), count(all(next)))
  t.ok(d.unterms.length > 0 && d.terms.length > 0, 'some out, some in')
  t.notOk(d.terms.some((x) => all(old).includes(x) && count(all(old)).get(x)! >= count(all(next)).get(x)!), 'nothing counted twice')
  t.same(featureDelta(undefined, next, writeTokens(next)).terms, all(next), 'never linked: every term, like a first link')
})
