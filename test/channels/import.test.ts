import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RedisAppealQueue } from '../../gateway/queue/redis-appeal-queue.ts'
import { localDate } from '../../gateway/queue/local-date.ts'
import { REDIS_URL, testRedis } from '../helpers/redis.ts'

const JSON_FILE = 'test/data/import/board-export.json'
const CSV_FILE = 'test/data/import/board-export.csv'
const BAD_CSV = 'test/data/import/board-export-bad.csv'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the import command as a user would, against the test's key prefix. */
function runCli(prefix: string, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: prefix }
  delete env.GATEWAY_CONFIG
  delete env.LOG_LEVEL
  const child = spawn(process.execPath, ['--import', 'tsx', 'channels/import/cli.ts', ...args], { env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { redis, prefix } = await testRedis(t)
  const queue = new RedisAppealQueue({ redis, keyPrefix: prefix, queueName: 'appeals', timezone: 'Asia/Shanghai', retentionDays: 180 })
  t.teardown(() => queue.close())
  return { redis, prefix, queue }
}

t.test('a JSON and a CSV export are imported into the queue, with the citizens findable', async (t) => {
  const { prefix, queue } = await setup(t)
  const json = await runCli(prefix, ['--channel', 'message-board', JSON_FILE])
  t.equal(json.code, 0, 'the JSON import exits 0')
  t.match(json.stdout, 'imported 6, already present 0, rejected 0 (of 6 rows)')
  const csv = await runCli(prefix, ['--', '--channel', 'message-board', CSV_FILE])
  t.equal(csv.code, 0, 'the CSV import exits 0')
  t.match(csv.stdout, 'imported 5, already present 0, rejected 0 (of 5 rows)')
  t.equal((await queue.stats()).waiting, 11)

  const [noPhone] = await queue.citizenAppeals({ kind: 'openid', value: 'board_u30001002' })
  t.match(noPhone, { channel: 'message-board', external: { id: 'LY-20261124-0036' }, citizen: { openid: 'board_u30001002' } })
  t.match(noPhone.content, /高龄津贴[\s\S]*需要本人/, 'a multi-line quoted cell stays one message')
  t.equal(noPhone.receivedAt, '2026-11-24T01:02:00.000Z', 'a local export time is read in the centre\'s zone')
  t.equal(noPhone.appealNumber.slice(0, 8), localDate(new Date(), 'Asia/Shanghai').replaceAll('-', ''),
    'numbered on the day of import, so old posts never reuse a past day\'s numbers')

  const [landline] = await queue.citizenAppeals({ kind: 'phone', value: '010-62781234' })
  t.match(landline, { category: '建议', confidential: false })
  const [plus86] = await queue.citizenAppeals({ kind: 'phone', value: '13900005678' })
  t.match(plus86, { confidential: true, citizen: { openid: 'board_u55667788' } })
})

t.test('importing the same export again finds every row already present', async (t) => {
  const { prefix, queue } = await setup(t)
  t.equal((await runCli(prefix, ['--channel', 'message-board', CSV_FILE])).code, 0)
  const again = await runCli(prefix, ['--channel', 'message-board', CSV_FILE])
  t.equal(again.code, 0)
  t.match(again.stdout, 'imported 0, already present 5, rejected 0')
  t.equal((await queue.stats()).waiting, 5)
})

t.test('bad rows are reported by row number, column and code, exit 1, and the good rows still go in', async (t) => {
  const { prefix, queue } = await setup(t)
  const run = await runCli(prefix, ['--channel', 'message-board', BAD_CSV])
  t.equal(run.code, 1)
  t.match(run.stdout, 'imported 1, already present 0, rejected 4 (of 5 rows)')
  t.match(run.stdout, 'row 3: phone (/citizen/phone) CH_ERR_INVALID_PHONE')
  t.match(run.stdout, 'row 4: content (/content) CH_ERR_VALIDATION')
  t.match(run.stdout, 'row 5: category (/category) CH_ERR_VALIDATION')
  t.match(run.stdout, 'row 6: lat (/location/lat) CH_ERR_VALIDATION')
  t.equal((await queue.stats()).waiting, 1)
})

t.test('without a terminal, progress is a few plain lines on stderr', async (t) => {
  const { prefix } = await setup(t)
  const run = await runCli(prefix, ['--channel', 'message-board', JSON_FILE])
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('import: '))
  t.ok(lines.length >= 1 && lines.length <= 10)
  t.match(lines.at(-1), 'import: 6/6 rows (imported 6, present 0, rejected 0)')
  t.notMatch(run.stderr, '\u001b[', 'no terminal escape codes')
})

t.test('the mailbox channel imports the same way', async (t) => {
  const { prefix, queue } = await setup(t)
  const run = await runCli(prefix, ['--channel', 'mailbox', JSON_FILE])
  t.equal(run.code, 0)
  const [a] = await queue.citizenAppeals({ kind: 'openid', value: 'mailbox_u77001234' })
  t.equal(a.channel, 'mailbox')
})

t.test('an import that cannot start exits 2 and stores nothing', async (t) => {
  const { prefix, redis } = await testRedis(t)
  const dir = t.testdir()
  const odd = join(dir, 'odd.csv')
  writeFileSync(odd, 'externalId,留言内容\nLY-1,路灯不亮\n')
  const cases: [string[], RegExp][] = [
    [['--channel', 'message-board', odd], /unknown column\(s\) 留言内容/],
    [['--channel', 'message-board', join(dir, 'missing.json')], /cannot read/],
    [['--channel', 'fax', JSON_FILE], /usage/],
    [['--channel', 'app', '--app', 'nope', JSON_FILE], /no signed app named "nope"/],
    [[JSON_FILE], /usage/],
  ]
  const runs = await Promise.all(cases.map(([args]) => runCli(prefix, args)))
  cases.forEach(([args, message], i) => {
    t.equal(runs[i].code, 2, args.join(' '))
    t.match(runs[i].stderr, message)
  })
  t.same(await redis.keys(`${prefix}:*`), [], 'no key was written')
})
