import t from 'tap'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { buildTestApp } from '../helpers/app.ts'

/**
 * A browser keeps its HTTP connection open between requests. A restart must not wait for that
 * connection's keep-alive timeout (72 s) when a request was in flight as the drain began: the
 * request is finished, its answer says `Connection: close`, and the connection is closed.
 */
t.test('a request in flight on a keep-alive connection at close is answered, then its connection is closed', async (t) => {
  const { app, queue } = await buildTestApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())

  const body = Buffer.from(JSON.stringify({ citizen: { phone: '13700002345' }, content: '重启时正在提交的诉求，路灯不亮' }))
  let socket: Socket | undefined
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: '/v1/channels/web/appeals',
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': body.length, 'idempotency-key': 'drain-keepalive-1' },
  })
  req.on('socket', (s) => (socket = s as Socket))
  const answer = new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }))
    })
    req.on('error', reject)
  })
  req.write(body.subarray(0, 10))
  await new Promise((r) => setTimeout(r, 100))

  const closing = app.close()
  req.end(body.subarray(10))
  const res = await answer
  t.equal(res.status, 202, 'the in-flight appeal is taken')
  t.equal(res.connection, 'close', 'the answer tells the browser the connection ends here')
  t.ok(await queue.get(JSON.parse(res.text).id), 'and it is in Redis')
  const socketClosed = await new Promise<boolean>((resolve) => {
    if (socket!.destroyed) return resolve(true)
    socket!.once('close', () => resolve(true))
    setTimeout(() => resolve(false), 10_000).unref()
  })
  t.ok(socketClosed, 'the server closed the connection instead of keeping it idle')
  const done = await Promise.race([closing.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000).unref())])
  t.equal(done, 'closed', 'close() finished without waiting for the keep-alive timeout')
})
