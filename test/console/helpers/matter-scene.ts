/**
 * Three citizens write about one water cut in one compound (texts the linker really groups:
 * same place + same problem). Agent 1002 takes the first two (their written capacity), so the
 * third is offered to agent 1001 — whose card must show 集中诉求 and the other two.
 */
import type { ConsoleTestApp } from './console-app.ts'
import { TestClient, type Frame } from './ws-client.ts'

export const WATER_CUT = [
  { phone: '13911110001', address: '城关区锦绣华庭小区', content: '锦绣华庭小区从昨天早上开始停水，到现在一天多了还没来水，物业也说不清什么时候恢复' },
  { phone: '13911110002', address: '锦绣华庭8号楼', content: '我家住锦绣华庭8号楼，停水快两天了，老人孩子做饭洗漱都成问题，请尽快恢复供水' },
  { phone: '13911110003', address: '城关区锦绣华庭', content: '锦绣华庭整个小区都没水，自来水公司也没有提前通知停水，什么时候能来水？' },
] as const

export async function agentSocket(c: ConsoleTestApp, agentId: string, t: { teardown(fn: () => unknown): void }): Promise<TestClient> {
  const ws = await TestClient.open(c.wsUrl, { protocols: ['gw.v1', `token.${await c.token(agentId)}`] })
  await ws.type('welcome')
  t.teardown(() => ws.close())
  return ws
}

export async function acceptNext(ws: TestClient, appealId: string): Promise<{ offer: Frame; ack: Frame }> {
  const offer = await ws.next((f) => f.type === 'offer' && (f.offer as { appealId: string }).appealId === appealId)
  const ack = await ws.request('offer.accept', { offerId: (offer.offer as { offerId: string }).offerId })
  return { offer, ack }
}

export interface Scene {
  ids: string[]
  /** Agent 1001: offered (not yet accepted) the third appeal. */
  a: TestClient
  /** Agent 1002: holds the first two. */
  b: TestClient
  offer: Frame
}

/** `bOn`: the gateway agent 1002's console is on (another process on the same Redis); default `c`. */
export async function threeCitizensOnePlace(c: ConsoleTestApp, t: { teardown(fn: () => unknown): void }, bOn: ConsoleTestApp = c): Promise<Scene> {
  const b = await agentSocket(bOn, '1002', t)
  await b.request('state.set', { state: 'ready' })
  const ids: string[] = []
  for (const w of WATER_CUT.slice(0, 2)) {
    const id = await c.webAppeal(w.content, w.phone, w.address)
    ids.push(id)
    await acceptNext(b, id)
  }
  const a = await agentSocket(c, '1001', t)
  await a.request('state.set', { state: 'ready' })
  const w = WATER_CUT[2]
  ids.push(await c.webAppeal(w.content, w.phone, w.address))
  const offer = await a.next((f) => f.type === 'offer' && (f.offer as { appealId: string }).appealId === ids[2])
  return { ids, a, b, offer }
}
