// dist/index.js on a self-hosted runner behind a proxy: HTTP_PROXY, HTTPS_PROXY and NO_PROXY
// as the runner documents them. The API hosts' names resolve only at the proxy, so a run
// that reads the audit log and files its issue went through it; a host in NO_PROXY is
// reached directly.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { markedKey } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, startFakeOpenAI, userKey, type FakeOpenAI } from './support/fake-openai.js'
import { ForwardProxy } from './support/forward-proxy.js'
import { tempDir } from './support/temp.js'

const KEY = 'sk-admin-PROXYabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)
const HOSTS = { 'openai.test': '127.0.0.1', 'github.test': '127.0.0.1' }

/** A certificate for the fake APIs' names (and 127.0.0.1), trusted by the run through NODE_EXTRA_CA_CERTS. */
function certificate(): { key: string; cert: string; certFile: string } {
  const dir = tempDir('keywatch-tls-')
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=openai.test',
      '-addext',
      'subjectAltName=DNS:openai.test,DNS:github.test,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile
    ],
    { stdio: 'ignore' }
  )
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile }
}

const tls = certificate()
let openai: FakeOpenAI | undefined
let github: FakeGitHub | undefined
let proxy: ForwardProxy

beforeEach(async () => {
  proxy = await new ForwardProxy(HOSTS).start()
})
afterEach(async () => {
  await openai?.close()
  await github?.stop()
  await proxy.stop()
  openai = github = undefined
})

const port = (url: string): string => new URL(url).port

describe('dist/index.js behind a proxy', () => {
  it('reads the audit log, looks the key up and files the issue through HTTPS_PROXY (CONNECT), with hosts only the proxy resolves', async () => {
    openai = await startFakeOpenAI({
      key: KEY,
      events: [keyEvent(1, now - 600, ['all'])],
      projectKeys: [userKey('key_1', { email: 'owner@example.com' })],
      tls
    })
    github = await new FakeGitHub({ tls }).start()
    const run = await runAction(
      {
        'openai-admin-key': KEY,
        'openai-base-url': `https://openai.test:${port(openai.baseURL)}/v1`,
        'github-token': github.token,
        'fail-on': 'none'
      },
      {
        GITHUB_API_URL: `https://github.test:${port(github.url)}`,
        HTTPS_PROXY: proxy.url,
        NODE_EXTRA_CA_CERTS: tls.certFile
      }
    )
    expect(run.stdout).not.toContain('::error::')
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1' })
    // The key's issue, besides the status issue of the coverage ledger.
    expect(github.issues.filter((issue) => markedKey(issue.body))).toHaveLength(1)
    // The project key events, the tenant-scoped ones, the key's lookup, the identity's
    // history and the key's use: every one through the proxy.
    expect(openai.requests.map((request) => request.path)).toEqual([
      '/v1/organization/audit_logs',
      '/v1/organization/audit_logs',
      '/v1/organization/projects/proj_main/api_keys/key_1',
      '/v1/organization/audit_logs',
      '/v1/organization/usage/completions',
      '/v1/organization/costs'
    ])
    expect(github.issues[0]!.body).toContain('- Owner: user `owner@example.com` (owner)')
    expect(proxy.tunnels).toEqual(
      expect.arrayContaining([`openai.test:${port(openai.baseURL)}`, `github.test:${port(github.url)}`])
    )
  })

  it('sends plain HTTP through HTTP_PROXY (lower-case names too)', async () => {
    github = await new FakeGitHub().start()
    const run = await runAction(
      {
        'audit-log-file': 'examples/audit-log.sample.jsonl',
        'github-token': github.token,
        'fail-on': 'none',
        'max-issues': '1'
      },
      { GITHUB_API_URL: `http://github.test:${port(github.url)}`, http_proxy: proxy.url }
    )
    expect(run.code).toBe(0)
    // The key's issue, besides the status issue of the coverage ledger.
    expect(github.issues.filter((issue) => markedKey(issue.body))).toHaveLength(1)
    // undici tunnels plain HTTP through CONNECT too; the proxy takes either form.
    const through = [...proxy.tunnels, ...proxy.forwarded]
    expect(through.length).toBeGreaterThan(0)
    expect(new Set(through)).toEqual(new Set([`github.test:${port(github.url)}`]))
  })

  it('reaches a host in NO_PROXY directly', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600, ['all'])], tls })
    const run = await runAction(
      { 'openai-admin-key': KEY, 'openai-base-url': openai.baseURL, 'create-issues': 'false', 'fail-on': 'none' },
      { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1', NODE_EXTRA_CA_CERTS: tls.certFile }
    )
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1' })
    // The audit log (project key events, tenant-scoped ones), the key's lookup and the identity's history.
    expect(openai.requests).toHaveLength(4)
    expect(proxy.tunnels).toEqual([])
  })
})
