/**
 * The client side of the console fan-out bench, run in its own process so its sockets and work do
 * not show up in the server's RSS or event loop. Driven over IPC by console-fanout.bench.ts.
 */
import WebSocket from 'ws'

type Cmd =
  | { cmd: 'connect'; url: string; protocols: string[]; n: number; waitFirstFrame: boolean }
  | { cmd: 'reset' }
  | { cmd: 'report' }
  | { cmd: 'close' }

let sockets: WebSocket[] = []
/** times[k][i]: when socket i received its k-th counted frame (ms, wall clock, high resolution). */
let times: number[][] = []
let counts: number[] = []
let complete: number[] = []
let counting = false

const now = () => performance.timeOrigin + performance.now()
const send = (m: unknown) => process.send!(m)

function onFrame(i: number): void {
  if (!counting) return
  const k = counts[i]++
  ;(times[k] ??= [])[i] = now()
  complete[k] = (complete[k] ?? 0) + 1
  if (complete[k] === sockets.length) send({ got: k })
}

async function connect(c: Extract<Cmd, { cmd: 'connect' }>): Promise<void> {
  const opened: Promise<void>[] = []
  for (let i = 0; i < c.n; i++) {
    const idx = sockets.length
    const ws = new WebSocket(c.url, c.protocols, { perMessageDeflate: false })
    sockets.push(ws)
    counts.push(0)
    opened.push(
      new Promise((resolve, reject) => {
        ws.once('error', reject)
        if (c.waitFirstFrame) ws.once('message', () => resolve())
        else ws.once('open', () => resolve())
      }),
    )
    ws.on('message', () => onFrame(idx))
    // Open in batches so the server's accept backlog is not the thing measured.
    if (i % 50 === 49) await Promise.all(opened.slice(-50))
  }
  await Promise.all(opened)
}

process.on('message', async (m: Cmd) => {
  try {
    if (m.cmd === 'connect') {
      await connect(m)
      send({ connected: sockets.length })
    } else if (m.cmd === 'reset') {
      times = []
      complete = []
      counts = counts.map(() => 0)
      counting = true
      send({ reset: true })
    } else if (m.cmd === 'report') {
      counting = false
      send({ times })
    } else if (m.cmd === 'close') {
      for (const ws of sockets) ws.terminate()
      sockets = []
      counts = []
      send({ closed: true })
    }
  } catch (err) {
    send({ error: (err as Error).message })
  }
})
