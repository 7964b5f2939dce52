/**
 * The agents' side of the console offer bench, in its own process (its sockets and JSON parsing do
 * not share the gateway's event loop). Connects consoles (one token each), and reports every `offer`
 * frame with its receive time (wall clock, sub-ms) over IPC; `bare` sockets report every frame.
 */
import WebSocket from 'ws'

type Cmd = { cmd: 'connect'; url: string; tokens: string[] } | { cmd: 'bare'; url: string } | { cmd: 'close' }

const sockets: WebSocket[] = []
const now = () => performance.timeOrigin + performance.now()
const send = (m: unknown) => process.send!(m)

function open(url: string, protocols: string[], onFrame: (data: string) => void, firstFrame: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false })
    sockets.push(ws)
    ws.once('error', reject)
    if (firstFrame) ws.once('message', () => resolve())
    else ws.once('open', () => resolve())
    ws.on('message', (d) => onFrame(d.toString()))
  })
}

process.on('message', async (m: Cmd) => {
  try {
    if (m.cmd === 'connect') {
      for (let i = 0; i < m.tokens.length; i += 50) {
        await Promise.all(
          m.tokens.slice(i, i + 50).map((token) =>
            open(m.url, ['gw.v1', `token.${token}`], (data) => {
              if (!data.includes('"type":"offer"')) return
              const f = JSON.parse(data) as { type: string; offer: { appealId: string; agentId: string; offerId: string } }
              if (f.type === 'offer') send({ offer: f.offer, at: now() })
            }, true),
          ),
        )
      }
      send({ connected: sockets.length })
    } else if (m.cmd === 'bare') {
      await open(m.url, [], () => send({ bare: now() }), false)
      send({ connected: sockets.length })
    } else if (m.cmd === 'close') {
      for (const ws of sockets.splice(0)) ws.terminate()
      send({ closed: true })
    }
  } catch (err) {
    send({ error: (err as Error).message })
  }
})
