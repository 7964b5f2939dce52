import t from 'tap'
import { once, EventEmitter } from 'node:events'
import { buildTestApp } from '../helpers/app.ts'
import { testRedis } from '../helpers/redis.ts'
import { tcpProxy } from '../helpers/tcp-proxy.ts'
import { connectRedis, waitReady } from '../../gateway/queue/redis.ts'
import type { SubmitResult } from '../../gateway/domain/ports.ts'
import { appealNumberIn, newMsgId, push, replyContent, textMessage, wechatConfig } from './helpers/wechat.ts'

const OPENID = 'oWx_redis_case1'

/** The app on a Redis reached through a proxy the test can stall or cut; keys cleaned via a direct connection. */
async function proxiedApp(t: { teardown(fn: () => unknown): void }, deadlineMs: number) {
  const direct = await testRedis(t)
  const proxy = await tcpProxy({ host: '127.0.0.1', port: Number(new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379').port || 6379) })
  const redis = connectRedis(proxy.url)
  redis.on('error', () => {}) // the test cuts the connection on purpose
  await waitReady(redis)
  const accepted = new EventEmitter()
  const built = await buildTestApp(t, {
    redis,
    prefix: direct.prefix,
    config: wechatConfig({ replyDeadlineMs: deadlineMs }),
    deps: { onAccepted: (r: SubmitResult) => void accepted.emit('accepted', r) },
  })
  built.queue.queue.on('error', () => {}) // bullmq reports the cut connection too
  t.teardown(async () => {
    proxy.resume()
    proxy.up()
    redis.disconnect()
    await proxy.close()
  })
  return { ...built, proxy, accepted }
}

t.test('Redis too slow for the deadline: WeChat gets "success" and the appeal is completed anyway', async (t) => {
  const { app, proxy, accepted, queue } = await proxiedApp(t, 300)
  const xml = textMessage(OPENID, '路面塌陷', newMsgId())
  proxy.stall()
  const started = Date.now()
  const res = await push(app, xml)
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'success', 'WeChat’s documented empty answer, before its 5 s limit')
  t.ok(Date.now() - started < 4800, 'answered inside WeChat\u2019s 5 s limit, not after Redis')
  const done = once(accepted, 'accepted')
  proxy.resume()
  const [result] = (await done) as [SubmitResult]
  t.equal(result.appeal.content, '路面塌陷')
  const retry = await push(app, xml)
  t.equal(appealNumberIn(replyContent(retry.body)), result.appeal.appealNumber, 'a later delivery gets the number')
  t.equal((await queue.stats()).waiting, 1)
})

t.test('Redis down: no 5xx, and the message is stored once Redis is back', async (t) => {
  const { app, proxy, accepted, queue } = await proxiedApp(t, 300)
  proxy.down()
  const xml = textMessage(OPENID, '停电了', newMsgId())
  const res = await push(app, xml)
  t.equal(res.statusCode, 200)
  t.equal(res.body, 'success')
  const done = once(accepted, 'accepted')
  proxy.up()
  const [result] = (await done) as [SubmitResult]
  t.equal(result.appeal.content, '停电了')
  t.equal((await queue.getByNumber(result.appeal.appealNumber))?.status, 'queued')
})

t.test('a WeChat retry while the first intake is still running joins it: one appeal, one number', async (t) => {
  const { app, proxy, queue } = await proxiedApp(t, 300)
  const xml = textMessage(OPENID, '占道经营', newMsgId())
  proxy.stall()
  const first = await push(app, xml)
  t.equal(first.body, 'success')
  const second = push(app, xml)
  proxy.resume()
  const number = appealNumberIn(replyContent((await second).body))
  t.ok(number, 'the retry answers with the number')
  t.equal((await queue.stats()).waiting, 1)
})

t.test('a gateway whose Redis never connected tells the citizen to resend, without a 5xx', async (t) => {
  const direct = await testRedis(t)
  const redis = connectRedis('redis://127.0.0.1:1', { retryStrategy: () => null })
  redis.on('error', () => {})
  const { app, queue } = await buildTestApp(t, {
    redis,
    prefix: direct.prefix,
    config: wechatConfig({ replyDeadlineMs: 200, backgroundRetrySeconds: 0 }),
  })
  queue.queue.on('error', () => {})
  const res = await push(app, textMessage(OPENID, '有人吗'))
  t.equal(res.statusCode, 200)
  t.match(res.body, /系统繁忙，您的消息暂未登记/, 'the citizen learns the message was not registered')
  const location = await push(
    app,
    `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>30.1</Location_X><Location_Y>120.2</Location_Y><Label><![CDATA[x]]></Label><MsgId>99</MsgId></xml>`,
  )
  t.equal(location.statusCode, 200)
})
