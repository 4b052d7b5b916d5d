// A forward proxy on 127.0.0.1, as a corporate network puts in front of a self-hosted runner:
// HTTPS through CONNECT tunnels, plain HTTP as absolute-form requests. It alone knows the
// API hosts' names (`hosts`), so a request that reaches them went through it.
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

export class ForwardProxy {
  /** host:port of each CONNECT tunnel opened, and of each absolute-form request forwarded. */
  readonly tunnels: string[] = []
  readonly forwarded: string[] = []
  url = ''
  private readonly server: Server
  private readonly sockets = new Set<Socket>()

  constructor(private readonly hosts: Record<string, string>) {
    this.server = createServer((request, response) => {
      let target: URL
      try {
        target = new URL(request.url ?? '')
      } catch {
        response.writeHead(400).end('absolute-form requests only')
        return
      }
      const address = this.hosts[target.hostname]
      if (!address) {
        response.writeHead(502).end(`unknown host ${target.hostname}`)
        return
      }
      this.forwarded.push(target.host)
      const upstream = httpRequest(
        {
          host: address,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: request.method,
          headers: request.headers
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        }
      )
      upstream.on('error', () => response.writeHead(502).end())
      request.pipe(upstream)
    })
    this.server.on('connect', (request, client: Socket, head: Buffer) => {
      const [host = '', port = ''] = (request.url ?? '').split(':')
      const address = this.hosts[host]
      if (!address) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
        return
      }
      this.tunnels.push(`${host}:${port}`)
      const upstream = connect(Number(port), address, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      this.track(upstream)
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })
    this.server.on('connection', (socket: Socket) => this.track(socket))
  }

  private track(socket: Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
