/**
 * Child process for the parse bench: a minimal inbound event socket (auth, `event`, `api show channels
 * as json`, every other command `+OK`) that, once the client has asked for the live channels, writes
 * the recorded frames of bench/voice/frames.ts as fast as the client reads them (it waits for `drain`
 * whenever the socket buffer is full). Driven over IPC by bench/voice-esl.bench.ts:
 *   { job: { frames, write: 'frame' | <bytes> } } -> { ready: port }   (the next connection gets this job)
 *   { stop: true } -> exits
 */
import { createServer, type Socket } from 'node:net'
import { callFrames, chunks } from './frames.ts'

interface Job {
  frames: number
  write: 'frame' | number
}

const FRAMES = callFrames()
let job: Job = { frames: 1000, write: 'frame' }

function send(m: Record<string, unknown>): void {
  process.send?.(m)
}

async function blast(sock: Socket, j: Job): Promise<void> {
  // Pre-cut one block of 1,000 frames and repeat it: the same bytes whatever the size of the job.
  const block = Math.min(1000, j.frames)
  const parts = chunks(FRAMES, block, j.write)
  let sent = 0
  while (sent < j.frames && !sock.destroyed) {
    for (const p of parts) {
      if (!sock.write(p)) {
        await new Promise<void>((r) => {
          const done = () => {
            sock.off('drain', done)
            sock.off('close', done)
            r()
          }
          sock.on('drain', done)
          sock.on('close', done)
        })
      }
      if (sock.destroyed) return
    }
    sent += block
  }
}

function accept(sock: Socket): void {
  sock.setNoDelay(true)
  sock.on('error', () => {})
  const mine = job
  let buf = ''
  sock.write('Content-Type: auth/request\n\n')
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1')
    for (;;) {
      const end = buf.indexOf('\n\n')
      if (end < 0) return
      const line = buf.slice(0, end).split('\n')[0]
      buf = buf.slice(end + 2)
      if (line.startsWith('api show channels')) {
        const body = '{"row_count": 0}\n'
        sock.write(`Content-Type: api/response\nContent-Length: ${body.length}\n\n${body}`)
        void blast(sock, mine)
      } else if (line.startsWith('api ')) {
        sock.write('Content-Type: api/response\nContent-Length: 4\n\n+OK\n')
      } else if (line.startsWith('event ')) {
        sock.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n')
      } else if (line.startsWith('auth ')) {
        sock.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n')
      } else if (line === 'exit') {
        sock.end()
      } else {
        sock.write('Content-Type: command/reply\nReply-Text: +OK\n\n')
      }
    }
  })
}

const server = createServer(accept)
const port = new Promise<number>((resolve) =>
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address()
    resolve(typeof addr === 'object' && addr ? addr.port : 0)
  }),
)
process.on('message', (m: { job?: Job; stop?: boolean }) => {
  if (m.stop) process.exit(0)
  if (m.job) {
    job = m.job
    void port.then((p) => send({ ready: p }))
  }
})
process.on('disconnect', () => process.exit(0))
