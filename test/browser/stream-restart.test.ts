import t from 'tap'
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { sign } from '../../channels/signed/signature.ts'
import { consoleApp, DEMO_PASSWORD, type ConsoleTestApp } from '../console/helpers/console-app.ts'
import { boardPost, SECRETS, URLS } from '../channels/helpers/signed.ts'
import { appealNumberIn, push, replyContent, textMessage, wechatConfig } from '../channels/helpers/wechat.ts'
import { launch, login, newPage } from './helpers/browser.ts'
import { goReady, STATE } from './helpers/console-page.ts'


/** A local WeChat answering jscode2session; each code is its own citizen. */
async function fakeWechat(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const server = http.createServer((req, res) => {
    const code = new URL(req.url!, 'http://127.0.0.1').searchParams.get('js_code')
    res.setHeader('content-type', 'text/plain')
    res.end(JSON.stringify({ session_key: 'tiihtNczf5v6AKRyjwEUhQ==', openid: `oMini_${code}` }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Every appeal number that appeared in this page's offer or appeal card, across reloads. */
async function watchNumbers(page: Page, seen: Set<string>): Promise<void> {
  await page.exposeFunction('__sawNumber', (n: string) => seen.add(n))
  // A string, not a function: tsx would wrap named functions in a __name() the page does not have.
  await page.addInitScript(`
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('#offer .offer-meta .number, .appeal-card .number')) {
        const n = el.textContent && el.textContent.trim()
        if (n) window.__sawNumber(n)
      }
    }).observe(document, { childList: true, subtree: true, characterData: true })
  `)
}

/**
 * The agent at the keyboard: accept what is offered (F2), fill the form of a held appeal and
 * complete it (F9), end the wrap-up (F8); after the restart the page shows what is still to do.
 */
async function work(page: Page, stop: { done: boolean }, errors: string[]): Promise<void> {
  while (!stop.done) {
    try {
      await page.waitForFunction(
        () =>
          !document.querySelector('#offer')?.hasAttribute('hidden') ||
          !document.querySelector('#intake')?.hasAttribute('hidden') ||
          (document.querySelector('[data-testid=state]') as HTMLElement | null)?.dataset.state === 'wrap-up',
        undefined,
        { timeout: 500 },
      )
    } catch {
      continue
    }
    try {
      if (await page.isVisible('#offer')) {
        await page.keyboard.press('F2')
        await page.waitForSelector('#offer', { state: 'hidden', timeout: 5000 })
      } else if (await page.isVisible('#f-disposition')) {
        const number = await page.textContent('.appeal-card .number')
        await page.selectOption('#f-category', '投诉')
        await page.fill('#f-summary', '已受理，转交承办单位')
        await page.selectOption('#f-disposition', 'work-order')
        await page.keyboard.press('F9')
        await page.waitForFunction(
          (n) => document.querySelector('.appeal-card .number')?.textContent !== n || !document.querySelector('#offer')?.hasAttribute('hidden'),
          number,
          { timeout: 5000 },
        )
      } else if ((await page.getAttribute(STATE, 'data-state')) === 'wrap-up') {
        await page.keyboard.press('F8')
        await page.waitForSelector(`${STATE}:not([data-state=wrap-up])`, { timeout: 5000 })
      }
    } catch (err) {
      errors.push((err as Error).message.split('\n')[0])
    }
  }
}

interface Posted {
  id: string
  number: string
  channel: string
}

/** One appeal from each written channel, through the real HTTP routes of gateway `c`. */
async function postFromEveryChannel(c: ConsoleTestApp, round: number): Promise<Posted[]> {
  const out: Posted[] = []
  const tag = `第${round}批`
  const web = await c.app.inject({
    method: 'POST',
    url: '/v1/channels/web/appeals',
    headers: { 'idempotency-key': randomUUID() },
    payload: { citizen: { phone: `1381000${String(round).padStart(4, '0')}`, name: '张三' }, content: `${tag}：网站反映小区门口路灯坏了`, location: { address: '幸福路12号' } },
  })
  if (web.statusCode !== 202) throw new Error(`web: ${web.body}`)
  out.push({ id: web.json().id, number: web.json().appealNumber, channel: 'web' })

  const wx = await push(c.app, textMessage(`oWx_citizen_${round}`, `${tag}：公众号反映井盖丢失，晚上很危险`))
  const wxNumber = appealNumberIn(replyContent(wx.body))
  if (!wxNumber) throw new Error(`wechat-official: ${wx.body}`)
  out.push({ id: (await c.queue.getByNumber(wxNumber))!.id, number: wxNumber, channel: 'wechat-official' })

  const session = await c.app.inject({ method: 'POST', url: '/v1/channels/wechat/mini/session', payload: { code: `code-${round}-${randomUUID()}` } })
  const mini = await c.app.inject({
    method: 'POST',
    url: '/v1/channels/wechat/mini/appeals',
    headers: { authorization: `Bearer ${session.json().sessionToken}`, 'idempotency-key': randomUUID() },
    payload: { citizen: { phone: `1390000${String(round).padStart(4, '0')}` }, content: `${tag}：小程序反映人行道上的树倒了` },
  })
  if (mini.statusCode !== 202) throw new Error(`wechat-mini: ${mini.body}`)
  out.push({ id: mini.json().id, number: mini.json().appealNumber, channel: 'wechat-mini' })

  for (const [channel, url, secret, i] of [
    ['mailbox', URLS.mailbox, SECRETS.mailbox, round * 3],
    ['message-board', URLS.board, SECRETS.board, round * 3 + 1],
    ['app', URLS.app('gov-app'), SECRETS.govApp, round * 3 + 2],
  ] as const) {
    const payload = JSON.stringify(boardPost(i, { externalId: `${channel}-${randomUUID()}`, content: `${tag}：${channel}来信${boardPost(i).content}` }))
    const timestamp = String(Math.floor(Date.now() / 1000))
    const res = await c.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': sign(secret, timestamp, payload) },
    })
    if (res.statusCode !== 202) throw new Error(`${channel}: ${res.body}`)
    const [a] = res.json().accepted
    out.push({ id: a.id, number: a.appealNumber, channel })
  }
  return out
}

t.test('a stream from every written channel survives a gateway restart: each appeal reaches one agent and the work-order queue once', async (t) => {
  const miniApi = await fakeWechat(t)
  const config = {
    ...wechatConfig(),
    channels: {
      ...wechatConfig().channels,
      wechatMini: { appId: 'wx_mini_app_01', secret: 'mini-secret-xyz', apiBase: miniApi },
      mailbox: { secret: SECRETS.mailbox },
      messageBoard: { secret: SECRETS.board },
      signedApps: [{ name: 'gov-app', displayName: '城市服务App', secretEnv: 'GOV_APP_SECRET' }],
    },
    acd: { wrapUpSeconds: 30 },
  }
  const env = { GOV_APP_SECRET: SECRETS.govApp }
  let c = await consoleApp(t, config, undefined, { env })
  const port = Number(new URL(c.url).port)
  const browser = await launch(t)

  const seen: Record<string, Set<string>> = { '1001': new Set(), '1002': new Set() }
  const pages: Record<string, Page> = {}
  for (const id of ['1001', '1002']) {
    const page = await newPage(browser)
    await watchNumbers(page, seen[id])
    await login(page, c.url, '/console/', id, DEMO_PASSWORD)
    await page.waitForSelector(`${STATE}[data-state=offline]`)
    await goReady(page)
    pages[id] = page
  }

  const stop = { done: false }
  const errors: string[] = []
  const agents = Object.values(pages).map((p) => work(p, stop, errors))
  t.teardown(async () => {
    stop.done = true
    await Promise.all(agents)
  })

  const posted: Posted[] = []
  for (const round of [1, 2]) posted.push(...(await postFromEveryChannel(c, round)))
  // Let the first appeals reach the agents, so the restart lands in the middle of their work.
  await Promise.race(Object.values(pages).map((p) => p.waitForSelector('.appeal-card', { timeout: 10_000 })))

  const before = (await c.stack.handoff.queue.getJobs(['completed', 'waiting', 'active', 'delayed'])).length
  await c.close()
  for (const page of Object.values(pages)) await page.waitForSelector('#conn:not([data-state=online])', { timeout: 5000 })
  c = await consoleApp(t, config, { redis: c.redis, prefix: c.prefix }, { env, port })
  // The pages reconnect by themselves (socket.js backs off from 500 ms); no reload.
  for (const page of Object.values(pages)) await page.waitForSelector('#conn[data-state=online]', { timeout: 15_000 })
  t.pass('both consoles reconnected to the restarted gateway by themselves')

  for (const round of [3, 4]) posted.push(...(await postFromEveryChannel(c, round)))

  const ids = posted.map((p) => p.id)
  t.equal(new Set(ids).size, 24, '24 appeals posted, four from each of six channels')
  t.same(new Set(posted.map((p) => p.channel)), new Set(['web', 'wechat-official', 'wechat-mini', 'mailbox', 'message-board', 'app']))

  const deadline = Date.now() + 60_000
  let jobs = await c.stack.handoff.queue.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed'])
  while (ids.some((id) => !jobs.some((j) => j.id === id)) && Date.now() < deadline) {
    await Promise.race(Object.values(pages).map((p) => p.waitForSelector(`${STATE}[data-state=wrap-up]`, { timeout: 2000 }).catch(() => undefined)))
    jobs = await c.stack.handoff.queue.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed'])
  }
  stop.done = true
  await Promise.all(agents)

  const jobIds = jobs.map((j) => j.id!)
  for (const p of posted.filter((p) => !jobIds.includes(p.id))) {
    const a = await c.queue.get(p.id)
    t.comment(`lost ${p.channel} ${p.number}: status ${a?.status} agent ${JSON.stringify((a as unknown as Record<string, unknown>)?.agentId ?? null)} seen by ${Object.keys(seen).filter((k) => seen[k].has(p.number))}`)
  }
  for (const [id, page] of Object.entries(pages)) t.comment(`${id}: ${await page.getAttribute(STATE, 'data-state')} offer ${await page.isVisible('#offer')} card ${await page.textContent('.appeal-card .number').catch(() => null)}`)
  t.same(ids.filter((id) => !jobIds.includes(id)), [], 'no appeal lost: each one is in the workorders queue')
  t.equal(jobIds.length, new Set(jobIds).size, 'no job twice')
  t.same(jobIds.filter((id) => !ids.includes(id)).sort(), [], 'nothing in the queue that was not posted')
  for (const j of jobs) t.match(j.data, { appeal: { id: j.id, status: 'completed' } }, `${j.id} completed`)

  const both = posted.filter((p) => seen['1001'].has(p.number) && seen['1002'].has(p.number))
  const neither = posted.filter((p) => !seen['1001'].has(p.number) && !seen['1002'].has(p.number))
  t.same(both, [], 'no appeal was shown on both agents’ pages')
  t.same(neither, [], 'every appeal was shown on one agent’s page')
  t.ok(seen['1001'].size > 0 && seen['1002'].size > 0, `both agents worked (${seen['1001'].size} + ${seen['1002'].size})`)
  const day = new Date().toLocaleDateString('sv-SE', { timeZone: c.config.timezone })
  for (const id of ['1001', '1002']) {
    const missed = (await c.stack.acd.stateLog(id, day)).filter((e) => e.reason === '未应答')
    t.same(missed, [], `${id} missed no offer across the restart (no 未应答)`)
  }
  t.comment(`restart after ${before} of 12 first appeals reached the workorders queue`)
  if (errors.length) t.comment(`agent loop retries: ${errors.join(' | ')}`)
})
