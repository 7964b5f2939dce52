/** Prints a passwordHash for config/agents.json: `npx tsx gateway/auth/hash-password.ts` (reads stdin). */
import { hashPassword } from './password.ts'

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', async () => {
  const password = input.replace(/\r?\n$/, '')
  if (password.length < 8) {
    process.stderr.write('password must have at least 8 characters\n')
    process.exit(1)
  }
  process.stdout.write(`${await hashPassword(password)}\n`)
})
