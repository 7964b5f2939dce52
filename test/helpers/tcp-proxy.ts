/**
 * A TCP proxy in front of the real Redis, for failure tests without mocks: `stall()` holds the
 * client's bytes (a slow Redis), `down()` cuts every connection and refuses new ones (Redis gone),
 * `up()` / `resume()` restore service.
 */
import net from 'node:net'

export interface TcpProxy {
  url: string
  stall(): void
  resume(): void
  down(): void
  up(): void
  close(): Promise<void>
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let stalled = false
  let isDown = false
  const held: (() => void)[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (isDown) return client.destroy()
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    upstream.on('data', (d) => client.write(d))
    client.on('data', (d) => {
      if (stalled) held.push(() => upstream.write(d))
      else upstream.write(d)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => {
      stalled = true
    },
    resume: () => {
      stalled = false
      for (const send of held.splice(0)) send()
    },
    down: () => {
      isDown = true
      for (const s of sockets) s.destroy()
    },
    up: () => {
      isDown = false
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
