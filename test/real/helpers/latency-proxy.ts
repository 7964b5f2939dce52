/**
 * A TCP proxy that delays what the server sends back by a fixed time: the gateway's event socket as
 * it is when the media server is in another room or data centre (a reply, and so the gateway's next
 * command, comes that much later). test/helpers/tcp-proxy.ts cuts and stalls; this one only delays.
 */
import net from 'node:net'

export interface LatencyProxy {
  port: number
  close(): Promise<void>
}

export async function latencyProxy(target: { host: string; port: number }, replyDelayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
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
    client.on('data', (d) => upstream.write(d))
    // Bytes keep their order: every chunk waits the same time.
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), replyDelayMs))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
