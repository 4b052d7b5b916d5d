// Knowing the key: dist/index.js as the runner starts it, reading the fake Admin API (audit
// log and key endpoints) and filing issues in the fake GitHub, both on 127.0.0.1.
import { readFileSync } from 'node:fs'
import { markedClosed, markedKey } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import {
  keyEvent,
  serviceAccountKey,
  startFakeOpenAI,
  userKey,
  type FakeOpenAI,
  type ProjectKey
} from './support/fake-openai.js'

const KEY = 'sk-admin-KNOWabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI | undefined
let github: FakeGitHub | undefined
afterEach(async () => {
  await openai?.close()
  await github?.stop()
  openai = undefined
  github = undefined
})

/** Markdown as a reader sees it: escapes and the zero-width spaces that break mentions removed. */
function readable(markdown: string): string {
  return markdown.replace(/\u200b/g, '').replace(/\\(.)/g, '$1')
}

const keyRequests = (fake: FakeOpenAI): string[] =>
  fake.requests.map((request) => request.path).filter((path) => path.includes('api_keys'))

describe('dist/index.js knows the key', () => {
  it("names a user key's owner and last use, a never-used service-account key, a key not found; a rerun writes nothing", async () => {
    const alice: ProjectKey & { project_id: string } = userKey('key_1', {
      email: 'alice@example.com',
      lastUsedAt: now - 3 * 3600 - 60
    })
    openai = await startFakeOpenAI({
      key: KEY,
      events: [
        keyEvent(1, now - 7200, ['all']),
        keyEvent(2, now - 7100, ['all'], 'api_key.created', 'proj_ci'),
        keyEvent(3, now - 7000, ['models:write'])
      ],
      projectKeys: [alice, serviceAccountKey('key_2', { project: 'proj_ci' })]
    })
    github = await new FakeGitHub().start()
    const fake = openai
    const run = () =>
      runAction(
        {
          'openai-admin-key': KEY,
          'openai-base-url': fake.baseURL,
          'github-token': github!.token,
          // The issues alone: the ledger's runs are in dist-ledger.test.ts.
          ledger: 'false',
          lookback: '3h',
          'fail-on': 'none'
        },
        { GITHUB_API_URL: github!.url }
      )

    const first = await run()
    expect(first.code).toBe(0)
    // One lookup per key with findings, in its project.
    expect(keyRequests(openai).sort()).toEqual([
      '/v1/organization/projects/proj_ci/api_keys/key_2',
      '/v1/organization/projects/proj_main/api_keys/key_1',
      '/v1/organization/projects/proj_main/api_keys/key_3'
    ])
    const body = (keyId: string): string =>
      readable(github!.issues.find((issue) => markedKey(issue.body) === keyId)!.body)
    expect(body('key_1')).toContain('- Owner: user `alice@example.com` (owner)')
    expect(body('key_1')).toContain('- Redacted value: `sk-proj-****abcd`')
    expect(body('key_1')).toMatch(/- Last used: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(3 hours before the lookup\)/)
    expect(body('key_2')).toContain('- Owner: service account deploybot (`svc_acct_deploybot`, member)')
    expect(body('key_2')).toContain('- Last used: never used')
    expect(body('key_3')).toContain(
      '**Not found**: the Admin API answered 404 (not found) for it in project `proj_main`'
    )
    const summary = readable(first.summary)
    expect(summary).toContain('- Keys looked up: 3 of 3')
    expect(summary).toContain('### The keys in the Admin API')
    expect(summary).toMatch(
      /\| `key_1` \| user `alice@example\.com` \(owner\) \| Key key_1 \| .* \(3 hours ago\) \| yes \|/
    )
    expect(summary).toContain('| never used | yes |')
    expect(summary).toContain('| **not found** (404) |')
    const report = JSON.parse(readFileSync(first.outputs.report!, 'utf8'))
    expect(report.keyLookups).toEqual({ requests: 3, lookedUp: 3, notLookedUp: 0, notes: [] })
    expect(report.keys.find((key: { keyId: string }) => key.keyId === 'key_2').info).toMatchObject({
      status: 'found',
      lastUsedAt: null
    })

    // The key was used since, and time has passed: neither is a change worth a write.
    alice.last_used_at = now - 60
    github.reset()
    const second = await run()
    expect(second.code).toBe(0)
    expect(github.writes).toEqual([])
    expect(readable(second.summary)).toMatch(/\| `key_1` \| .* \(\d+ seconds ago\) \| yes \|/)
  })

  it('a refused lookup (403) adds one note naming the permission, and the verdict stays the findings’', async () => {
    openai = await startFakeOpenAI({
      key: KEY,
      events: Array.from({ length: 8 }, (_, n) => keyEvent(n, now - 7200 + n, ['all'])),
      projectKeys: [userKey('key_0')]
    })
    openai.alwaysOn(/api_keys/, {
      status: 403,
      body: {
        error: {
          message: 'You have insufficient permissions for this operation. Missing scopes: api.management.read.',
          type: 'invalid_request_error',
          param: null,
          code: null
        }
      }
    })
    const inputs = (failOn: string) => ({
      'openai-admin-key': KEY,
      'openai-base-url': openai!.baseURL,
      'create-issues': 'false',
      lookback: '3h',
      'fail-on': failOn
    })

    const passing = await runAction(inputs('none'))
    expect(passing.code).toBe(0)
    expect(keyRequests(openai).length).toBeLessThanOrEqual(2)
    const summary = readable(passing.summary)
    expect(summary.match(/not looked up: the admin key lacks permission to read API keys \(API keys: Read\)/g)).toEqual(
      ['not looked up: the admin key lacks permission to read API keys (API keys: Read)']
    )
    expect(summary).toContain('- Keys looked up: 0 of 8 (8 not looked up: see below)')
    expect(passing.stdout).not.toContain('::error::')
    const report = JSON.parse(readFileSync(passing.outputs.report!, 'utf8'))
    expect(report.gate).toEqual({ failed: false, reason: 'Passed: fail-on is none.' })

    openai.requests.length = 0
    const failing = await runAction(inputs('high'))
    expect(failing.code).toBe(1)
    expect(keyRequests(openai).length).toBeLessThanOrEqual(2)
    const gate = JSON.parse(readFileSync(failing.outputs.report!, 'utf8')).gate
    expect(gate).toEqual({ failed: true, reason: '8 findings at or above fail-on (high).' })
  })

  it('close-when-revoked closes exactly the issues of keys whose deletion is in the window, once; a 404 closes none', async () => {
    const events = [
      keyEvent(1, now - 7200, ['all']),
      keyEvent(2, now - 7100, ['all']),
      keyEvent(3, now - 7000, ['all']),
      keyEvent(4, now - 6900, ['all'], 'api_key.created', 'proj_locked'),
      // Created and deleted in the same window: opened and closed at once.
      keyEvent(5, now - 6800, ['all']),
      { ...keyEvent(5, now - 6000, [], 'api_key.deleted'), id: 'audit_log-del5' }
    ]
    const keys = [userKey('key_1'), userKey('key_2'), userKey('key_3'), userKey('key_4', { project: 'proj_locked' })]
    openai = await startFakeOpenAI({ key: KEY, events, projectKeys: keys })
    // Lookups in one project are refused: no evidence, so its key's issue stays open.
    openai.alwaysOn(/proj_locked/, { status: 403 })
    github = await new FakeGitHub().start()
    const fake = openai
    const run = () =>
      runAction(
        {
          'openai-admin-key': KEY,
          'openai-base-url': fake.baseURL,
          'github-token': github!.token,
          // The issues alone: the ledger's runs are in dist-ledger.test.ts.
          ledger: 'false',
          lookback: '3h',
          'fail-on': 'none',
          'close-when-revoked': 'true'
        },
        { GITHUB_API_URL: github!.url }
      )
    const issueOf = (keyId: string) => github!.issues.find((issue) => markedKey(issue.body) === keyId)!
    const state = () =>
      Object.fromEntries(
        ['key_1', 'key_2', 'key_3', 'key_4', 'key_5'].map((key) => [
          key,
          `${issueOf(key).state}/${issueOf(key).stateReason ?? '-'}`
        ])
      )

    const first = await run()
    expect(first.code).toBe(0)
    expect(state()).toEqual({
      key_1: 'open/-',
      key_2: 'open/-',
      key_3: 'open/-',
      key_4: 'open/-',
      key_5: 'closed/completed'
    })
    const closing = github.commentsOf(issueOf('key_5').number)
    expect(closing).toHaveLength(1)
    expect(markedClosed(closing[0]!.body)).toBe(true)
    expect(readable(closing[0]!.body)).toContain('The audit log records its deletion: `api_key.deleted`')

    // key_2 is deleted (the audit log says so), key_3 is no longer in the API (404): only key_2 is closed.
    events.push({ ...keyEvent(2, now - 600, [], 'api_key.deleted'), id: 'audit_log-del2' })
    keys.splice(1, 2, keys[0]!)
    github.reset()
    const second = await run()
    expect(second.code).toBe(0)
    expect(state()).toEqual({
      key_1: 'open/-',
      key_2: 'closed/completed',
      key_3: 'open/-',
      key_4: 'open/-',
      key_5: 'closed/completed'
    })
    expect(github.commentsOf(issueOf('key_2').number).filter((c) => markedClosed(c.body))).toHaveLength(1)
    expect(github.commentsOf(issueOf('key_3').number)).toEqual([])
    const report = JSON.parse(readFileSync(second.outputs.report!, 'utf8'))
    expect(report.keys.find((key: { keyId: string }) => key.keyId === 'key_3').info).toMatchObject({
      status: 'not-found',
      projectId: 'proj_main'
    })
    expect(
      Object.fromEntries(report.issues.map((issue: { keyId: string; action: string }) => [issue.keyId, issue.action]))
    ).toEqual({ key_1: 'unchanged', key_2: 'closed', key_3: 'unchanged', key_4: 'unchanged', key_5: 'unchanged' })

    // The same window again: nothing to write. A person reopens key_2's issue: it stays open.
    github.reset()
    await run()
    expect(github.writes).toEqual([])
    issueOf('key_2').state = 'open'
    issueOf('key_2').stateReason = 'reopened'
    github.reset()
    await run()
    expect(github.writes).toEqual([])
    expect(issueOf('key_2').state).toBe('open')
    // Production timings: GitHub asks for writes a second apart, and three seconds between notifications.
  }, 120_000)

  it('looks nothing up with enrich-keys: false', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, now - 600, ['all'])] })
    const run = await runAction({
      'openai-admin-key': KEY,
      'openai-base-url': openai.baseURL,
      'create-issues': 'false',
      'fail-on': 'none',
      'enrich-keys': 'false'
    })
    expect(run.code).toBe(0)
    expect(keyRequests(openai)).toEqual([])
    expect(run.summary).toContain('- Keys looked up: no (enrich\\-keys is false)')
    expect(run.summary).not.toContain('### The keys in the Admin API')
  })
})
