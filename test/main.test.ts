import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { REDIS_URL, randomPrefix, testRedis } from './helpers/redis.ts'

t.test('the process starts on real Redis, takes appeals, and drains cleanly on SIGTERM', async (t) => {
  const prefix = randomPrefix()
  const { redis } = await testRedis(t, prefix)
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    env: { ...cleanEnv(), PORT: '0', HOST: '127.0.0.1', REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => child.kill('SIGKILL'))
  const lines: Record<string, unknown>[] = []
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line; stderr: ${stderr}`)), 20_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line)
      lines.push(entry)
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(String(entry.msg))
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
  })
  const base = `http://127.0.0.1:${port}`
  t.equal((await fetch(`${base}/readyz`)).status, 200)

  // A request in flight when SIGTERM arrives: headers and half the body sent before, the rest after.
  const body = JSON.stringify({ citizen: { phone: '13700001234' }, content: '关机时正在提交的诉求' })
  const inflight = request(`${base}/v1/channels/web/appeals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  })
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    inflight.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    inflight.on('error', reject)
  })
  const bytes = Buffer.from(body)
  inflight.write(bytes.subarray(0, 20))
  await waitFor(lines, (l) => l.msg === 'incoming request' && (l.req as { method?: string })?.method === 'POST')
  child.kill('SIGTERM')
  await waitFor(lines, (l) => String(l.msg).startsWith('draining'))
  const refused = await fetch(`${base}/v1/channels/web/appeals`, { method: 'POST', body: '{}' }).then((r) => r.status, () => 'refused')
  inflight.end(bytes.subarray(20))
  const done = await answer
  const [code] = await once(child, 'exit')
  t.equal(done.status, 202, 'the in-flight request was finished')
  t.ok(refused === 503 || refused === 'refused', `a new request after SIGTERM is not taken (${refused})`)
  t.equal(code, 0, 'exit 0 after SIGTERM')
  t.ok(lines.some((l) => l.msg === 'stopped'), 'says it stopped')
  const stored = await redis.keys(`${prefix}:appeal:*`)
  t.same(stored, [`${prefix}:appeal:${JSON.parse(done.body).id}`], 'the answered appeal is in Redis, and nothing else')
})

async function waitFor(lines: Record<string, unknown>[], pred: (l: Record<string, unknown>) => boolean, ms = 10_000) {
  const until = Date.now() + ms
  while (!lines.some(pred)) {
    if (Date.now() > until) throw new Error('timed out waiting for a log line')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The child is a plain gateway process: none of tap's loaders or coverage hooks. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('TAP') || k.startsWith('_TAP') || k.startsWith('NYC')) continue
    env[k] = v
  }
  return env
}
