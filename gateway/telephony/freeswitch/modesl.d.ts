/** The part of modesl 1.2.1 (CommonJS, untyped) that the adapter uses. */
declare module 'modesl' {
  import type { Socket } from 'node:net'
  import type { EventEmitter } from 'node:events'

  export class Event {
    headers: { name: string; value: string }[]
    type: string
    body: string
    getHeader(name: string): string | null
    getBody(): string
  }

  export class Connection extends EventEmitter {
    constructor(host: string, port: number, password: string, ready?: () => void)
    socket: Socket | null
    authed: boolean
    api(command: string, cb: (evt: Event) => void): void
    bgapi(command: string, args: string, jobId: string, cb: (evt: Event) => void): void
    sendRecv(command: string, args: Record<string, string> | null, cb: (evt: Event) => void): void
    execute(app: string, arg: string, uuid: string, cb: (evt: Event) => void): string
    events(type: 'plain' | 'json' | 'xml', events: string[] | string, cb?: (evt: Event) => void): void
    disconnect(): void
  }

  const esl: { Connection: typeof Connection; Event: typeof Event }
  export default esl
}
