import t from 'tap'
import { acdApp } from '../acd/helpers/acd-app.ts'
import { agent, GENERAL } from '../acd/helpers/acd.ts'
import { build } from '../../gateway/app.ts'
import { createLogger } from '../../gateway/log.ts'
import { MatterLinker } from '../../gateway/matter/linker.ts'
import { MatterAlerts, type MatterAlert } from '../../gateway/matter/alerts.ts'
import { Writable } from 'node:stream'

const silent = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }))

async function gatewayWithLinker(t: Tap) {
  const h = await acdApp(t, { agents: [agent('1001', GENERAL)] })
  await h.app.close()
  const linker = new MatterLinker({ redis: h.redis, keyPrefix: h.prefix })
  const alerts = new MatterAlerts(h.redis, h.prefix)
  const app = await build(h.config, { redis: h.redis, queue: h.queue, logger: silent(), acd: h.acd, auth: h.auth, linker, alerts, clock: () => new Date(h.now()) })
  t.teardown(() => app.close())
  const post = (body: unknown) =>
    app.inject({ method: 'POST', url: '/v1/channels/web/appeals', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  return { ...h, app, linker, alerts, post }
}
type Tap = { teardown(fn: () => unknown): void }

const site = { address: '城关区幸福路与建设路交叉口东北角工地' }

t.test('an appeal from the web is linked to its matter before it waits for an agent', async (t) => {
  const g = await gatewayWithLinker(t)
  const first = (await g.post({ citizen: { phone: '13800000001' }, content: '幸福路建设路口的工地每天晚上十一点以后还在施工，噪音太大睡不着', location: site })).json()
  const again = (await g.post({ citizen: { phone: '13800000001' }, content: '又来反映，幸福路和建设路交叉口工地夜里施工噪音，还是没人管', location: site })).json()
  const link = await g.linker.get(again.id)
  t.ok(link, 'the second appeal was linked at intake')
  t.equal(link!.matterId, (await g.linker.get(first.id))!.matterId, 'one matter')
  t.equal(link!.flags.repeat, true, '重复诉求: the same citizen again')
  t.same(link!.flags.repeatOf, [first.appealNumber])
  t.ok(await g.acd.position(again.id), 'and it waits in the ACD')
})

t.test('the third citizen on one matter raises one 集中诉求 alert for the wallboards', async (t) => {
  const g = await gatewayWithLinker(t)
  const heard: MatterAlert[] = []
  const stop = await g.alerts.subscribe((a) => heard.push(a))
  t.teardown(stop)
  const texts = [
    '幸福路建设路口的工地每天晚上十一点以后还在施工，噪音太大睡不着',
    '建设路和幸福路交叉口那个工地半夜还在打桩，吵得孩子没法睡觉',
    '幸福路与建设路路口工地夜间施工扰民，凌晨还有渣土车进出',
    '我也是幸福路附近的，那个工地晚上施工太吵了',
  ]
  const ids = []
  for (const [i, content] of texts.entries()) {
    ids.push((await g.post({ citizen: { phone: `1390000000${i}` }, content, location: site })).json())
  }
  const until = Date.now() + 2000
  while (heard.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  t.equal(heard.length, 1, 'one alert, when the third citizen arrived (not again for the fourth)')
  t.equal(heard[0]?.appealNumber, ids[2].appealNumber)
  t.equal(heard[0]?.citizens, 3)
  t.equal((await g.alerts.recent()).length, 1, 'kept for a wallboard that opens later')
  t.equal((await g.linker.get(ids[3].id))?.flags.concentrated, true)
})

t.test('a generic question is linked to nothing', async (t) => {
  const g = await gatewayWithLinker(t)
  await g.post({ citizen: { phone: '13700000001' }, content: '请问社保卡丢了怎么补办？' })
  const second = (await g.post({ citizen: { phone: '13700000002' }, content: '社保卡丢了怎么补办，要带什么材料' })).json()
  const link = await g.linker.get(second.id)
  t.equal(link?.related.length, 0)
  t.equal(link?.flags.repeat, false)
})
