// The proxied fetch: through HTTP_PROXY / HTTPS_PROXY unless NO_PROXY says otherwise, and
// loopback always directly, whatever NO_PROXY says.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { proxiedFetch } from '../../src/http/fetch.js'
import { isLoopback } from '../../src/http/loopback.js'
import { ForwardProxy } from '../support/forward-proxy.js'

let server: Server
let port: number
let proxy: ForwardProxy

beforeAll(async () => {
  server = createServer((request, response) => response.end(`direct ${request.url}`))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(async () => {
  // A proxy that would take the loopback names too, resolving them on its own machine.
  proxy = await new ForwardProxy({
    '127.0.0.1': '127.0.0.1',
    localhost: '127.0.0.1',
    'proxied.test': '127.0.0.1',
    '127.0.0.1.evil.example': '127.0.0.1'
  }).start()
})
afterEach(async () => {
  await proxy.stop()
})

const through = (): string[] => [...proxy.tunnels, ...proxy.forwarded]

describe('isLoopback', () => {
  it('is 127.0.0.0/8, ::1 and localhost, each as the whole host name', () => {
    for (const host of ['127.0.0.1', '127.9.8.7', 'localhost', 'LOCALHOST', '[::1]', '::1'])
      expect([host, isLoopback(host)]).toEqual([host, true])
    for (const host of [
      '127.0.0.1.evil.example',
      '127.0.0.1x',
      'localhost.evil.example',
      'evil.localhost.example',
      '128.0.0.1',
      '10.127.0.0',
      '[::2]',
      ''
    ])
      expect([host, isLoopback(host)]).toEqual([host, false])
  })
})

describe('proxiedFetch', () => {
  it('sends other hosts through HTTP_PROXY', async () => {
    const fetch = proxiedFetch({ httpProxy: proxy.url, httpsProxy: '', noProxy: '' })!
    expect(await (await fetch(`http://proxied.test:${port}/a`)).text()).toBe('direct /a')
    expect(through()).toEqual([`proxied.test:${port}`])
  })

  it('reaches loopback directly, whatever NO_PROXY says', async () => {
    for (const noProxy of ['', 'example.com', '.corp.example,10.0.0.0']) {
      const fetch = proxiedFetch({ httpProxy: proxy.url, httpsProxy: proxy.url, noProxy })!
      for (const host of ['127.0.0.1', 'localhost']) {
        expect(await (await fetch(`http://${host}:${port}/v1`)).text()).toBe('direct /v1')
        expect(await (await fetch(new URL(`http://${host}:${port}/url`))).text()).toBe('direct /url')
      }
    }
    expect(through()).toEqual([])
  })

  it('sends 127.0.0.1.evil.example through the proxy: it is a name, not a loopback address', async () => {
    const fetch = proxiedFetch({ httpProxy: proxy.url, httpsProxy: '', noProxy: '' })!
    expect((await fetch(`http://127.0.0.1.evil.example:${port}/`)).status).toBe(200)
    expect(through()).toEqual([`127.0.0.1.evil.example:${port}`])
  })
})
