import { Redis } from 'ioredis'
import { deletePrefix } from '../bench/lib/redis-keys.ts'
const r = new Redis('redis://127.0.0.1:6379')
let total = 0
for (const p of process.argv.slice(2)) total += await deletePrefix(r, p)
console.log('deleted', total)
await r.quit()
