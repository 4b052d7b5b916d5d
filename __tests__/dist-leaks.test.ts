// Nothing leaks: dist/index.js as the runner starts it, against the fake Admin API and the
// fake GitHub on 127.0.0.1, tried as a hostile tester would.
import { chmodSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { markedKey } from '../src/github/markers.js'
import { runAction, type ActionRun } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, startFakeOpenAI, userKey, type FakeOpenAI } from './support/fake-openai.js'
import { ForwardProxy } from './support/forward-proxy.js'
import { leaks } from './support/leaks.js'
import { tempDir } from './support/temp.js'

const KEY = 'sk-admin-LEAKabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI | undefined
afterEach(async () => {
  await openai?.close()
  openai = undefined
})

/** Everything a person can read of a run: its log (but the runner's own ::add-mask::), the summary and every file it wrote. */
function everything(run: ActionRun): string {
  const files = readdirSync(run.dir).map((name) => readFileSync(join(run.dir, name), 'utf8'))
  return [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, ...files].join('\n')
}

const opaque = (message: string) => ({ error: { message, type: 'invalid_request_error', param: null, code: null } })

/** The server's echo of the key with the 300-character cut at these offsets into it, after %20, and upper-cased. */
const ECHOES = [
  ...[9, 10, 16, 30, KEY.length - 1].map((offset) => `${'x'.repeat(300 - offset)}${KEY}`),
  `Authorization: Bearer%20${KEY}`,
  `Incorrect API key provided: ${KEY.toUpperCase()}.`
]

describe('1. the admin key, echoed by the server', () => {
  it('is printed nowhere when the audit log refuses it, wherever the cut falls', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600)] })
    for (const echo of ECHOES) {
      openai.fault({ status: 401, body: opaque(echo) })
      const run = await runAction({
        'openai-admin-key': KEY,
        'openai-base-url': openai.baseURL,
        'create-issues': 'false'
      })
      expect(run.code).toBe(1)
      expect(run.stdout).toContain('::error::The OpenAI Admin API did not accept the key (401: ')
      expect(leaks(everything(run), KEY)).toBe(false)
    }
  })

  it('is printed nowhere when a key lookup is refused with it', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600)], projectKeys: [userKey('key_1')] })
    for (const echo of ECHOES) {
      openai.alwaysOn(/api_keys/, { status: 403, body: opaque(echo) })
      const run = await runAction({
        'openai-admin-key': KEY,
        'openai-base-url': openai.baseURL,
        'create-issues': 'false',
        'fail-on': 'none'
      })
      expect(run.code).toBe(0)
      expect(run.summary).toContain('the API answered 403: ')
      expect(leaks(everything(run), KEY)).toBe(false)
    }
  })
})

describe('2. credentials in openai-base-url', () => {
  it('are refused as an input error, and printed nowhere', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600)] })
    const base = new URL(openai.baseURL)
    const run = await runAction({
      'openai-admin-key': KEY,
      'openai-base-url': `http://svc:hunter2pass@${base.host}/v1`,
      'create-issues': 'false'
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      `::error::Input openai-base-url holds a user name or password (http://***@${base.host}): it would be printed`
    )
    expect(run.stdout).toContain(`Give the URL without them (http://${base.host}/v1)`)
    expect(openai.requests).toEqual([])
    const all = everything(run)
    expect(all).not.toContain('hunter2pass')
    expect(all).not.toContain('svc:')
  })
})

describe('3. an http:// loopback base URL behind HTTP_PROXY', () => {
  it('is reached directly, the admin key never in a request to the proxy, whatever NO_PROXY says', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600)], projectKeys: [userKey('key_1')] })
    const github = await new FakeGitHub().start()
    // A proxy that would take loopback requests too, resolving 127.0.0.1 on its own machine.
    const proxy = await new ForwardProxy({ '127.0.0.1': '127.0.0.1', localhost: '127.0.0.1' }).start()
    try {
      const noProxies: Record<string, string>[] = [{}, { NO_PROXY: 'example.com' }]
      for (const noProxy of noProxies) {
        const run = await runAction(
          {
            'openai-admin-key': KEY,
            'openai-base-url': openai.baseURL,
            'github-token': github.token,
            'fail-on': 'none'
          },
          { GITHUB_API_URL: github.url.replace('127.0.0.1', 'localhost'), HTTP_PROXY: proxy.url, ...noProxy }
        )
        expect(run.code).toBe(0)
        expect(run.outputs).toMatchObject({ complete: 'true', findings: '1' })
        // The two audit-log requests (the second with tenant_only=true), the key lookup, the
        // identity's history and the key's use (completions, costs), all direct.
        expect(openai.requests.map((request) => request.authorization)).toEqual(Array(6).fill(`Bearer ${KEY}`))
        openai.requests.length = 0
      }
      // The key's issue, besides the status issue of the coverage ledger.
      expect(github.issues.filter((issue) => markedKey(issue.body))).toHaveLength(1)
      expect([...proxy.tunnels, ...proxy.forwarded]).toEqual([])
    } finally {
      await proxy.stop()
      await github.stop()
    }
  })
})

describe('9. the JSON report at its predictable path', () => {
  const inputs = { 'audit-log-file': 'examples/audit-log.sample.jsonl', 'create-issues': 'false', 'fail-on': 'none' }

  it('replaces a link planted there, never writing through it', async () => {
    const temp = tempDir('keywatch-runner-temp-')
    // The path the run writes to: RUNNER_TEMP, the run id and its attempt.
    const path = join(temp, 'openai-keywatch-report-4242-1.json')
    const target = join(temp, 'victim')
    writeFileSync(target, "someone else's file\n")
    symlinkSync(target, path)
    const run = await runAction(inputs, { RUNNER_TEMP: temp })
    expect(run.code).toBe(0)
    expect(run.outputs.report).toBe(path)
    expect(readFileSync(target, 'utf8')).toBe("someone else's file\n")
    expect(lstatSync(path).isSymbolicLink()).toBe(false)
    expect(lstatSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).counts.total).toBeGreaterThan(0)
    expect(readdirSync(temp).sort()).toEqual(['openai-keywatch-report-4242-1.json', 'victim'])
  })

  it('replaces a report that is there with mode 0666 by an owner-only one', async () => {
    const temp = tempDir('keywatch-runner-temp-')
    const path = join(temp, 'openai-keywatch-report-4242-1.json')
    writeFileSync(path, '{}')
    chmodSync(path, 0o666)
    const run = await runAction(inputs, { RUNNER_TEMP: temp })
    expect(run.outputs.report).toBe(path)
    expect(lstatSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(temp)).toEqual(['openai-keywatch-report-4242-1.json'])
  })
})

describe('6. a key id that holds workflow commands', () => {
  it('never starts a line of the log: every line with audit-log or GitHub text is sanitised', async () => {
    const github = await new FakeGitHub().start()
    try {
      const keyId = 'key_x\n::notice::forged notice%0A::add-mask::HIGH\r\n::stop-commands::halt'
      const file = join(tempDir('keywatch-forged-'), 'audit.jsonl')
      writeFileSync(
        file,
        `${JSON.stringify({
          id: 'audit_log-forged\n::warning::forged too',
          type: 'api_key.created',
          effective_at: now - 600,
          actor: { type: 'session', session: { user: { email: 'dev@company.com\n::add-mask::dev' } } },
          api_key_created: { id: keyId, data: { scopes: ['all'] } }
        })}\n`
      )
      const run = await runAction(
        // GitHub refuses mallory as an assignee: the issue is filed unassigned, and the log says so with the key id.
        { 'audit-log-file': file, 'github-token': github.token, assignees: 'mallory', 'fail-on': 'none' },
        { GITHUB_API_URL: github.url }
      )
      expect(run.code).toBe(0)
      expect(github.issues).toHaveLength(1)
      const lines = run.stdout.split('\n')
      // Only the action's own commands start a line: the token's mask and the key's annotation.
      expect(lines.filter((line) => line.startsWith('::'))).toEqual([
        `::add-mask::${github.token}`,
        expect.stringMatching(/^::error title=HIGH%3A OpenAI API key key_x /)
      ])
      // The log says it, on one line; the annotation carries the key id escaped, as the runner reads it.
      expect(
        lines.filter((line) =>
          line.startsWith(
            'Issue for key key_x ::notice::forged notice%0A::add-mask::HIGH ::stop-commands::halt filed, not assigned: ' +
              'GitHub refused the assignees (GitHub answered 422'
          )
        )
      ).toHaveLength(1)
      expect(run.stdout).toContain(
        '::error title=HIGH%3A OpenAI API key key_x %3A%3Anotice%3A%3Aforged notice%250A%3A%3Aadd-mask%3A%3AHIGH'
      )
    } finally {
      await github.stop()
    }
  })
})
