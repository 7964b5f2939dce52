import t from 'tap'
import { consoleApp } from './helpers/console-app.ts'

t.test('the console and the wallboard are served with a strict content security policy', async (t) => {
  const c = await consoleApp(t)
  for (const url of ['/console/', '/console/wallboard', '/console/console.js', '/console/i18n-zh.js']) {
    const res = await c.app.inject({ url })
    t.equal(res.statusCode, 200, url)
    t.match(res.headers['content-security-policy'], /script-src 'self'/, `${url} allows only our own scripts`)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
  }
  t.match((await c.app.inject({ url: '/console/wallboard' })).body, 'wallboard.js', 'the wallboard page loads the wallboard app')
  const bare = await c.app.inject({ url: '/console' })
  t.equal(bare.statusCode, 302)
  t.equal(bare.headers.location, '/console/')
  t.equal((await c.app.inject({ url: '/console/../config/agents.json' })).statusCode, 404, 'nothing outside agent-console/web')
})

t.test('a plain HTTP GET on the websocket route is not served', async (t) => {
  const c = await consoleApp(t)
  t.equal((await c.app.inject({ url: '/v1/agent/ws' })).statusCode, 404)
})
