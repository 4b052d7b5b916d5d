// Nothing closes or merges by mistake: dist/index.js as the runner starts it, with the fake
// Admin API and the fake GitHub on 127.0.0.1. One issue per key and only its own; closed only
// on positive evidence; comments believed only from people who may write to the repository.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { markedClosed, markedEvents, markedKey, markerId } from '../src/github/markers.js'
import { runAction } from './support/action.js'

import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, startFakeOpenAI, userKey, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'
import { tempDir } from './support/temp.js'

/** The key issues, without the coverage ledger's status issue. */
const keyIssues = (fake: FakeGitHub) => fake.issues.filter((issue) => markedKey(issue.body))

const KEY = 'sk-admin-IDENTabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI | undefined
let github: FakeGitHub
beforeEach(async () => {
  github = await new FakeGitHub().start()
})
afterEach(async () => {
  await openai?.close()
  await github.stop()
  openai = undefined
})

/** An export file of these events, one a line. */
function exportOf(events: AuditLogEvent[]): string {
  const file = join(tempDir('keywatch-identity-'), 'audit.jsonl')
  writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n')
  return file
}

/** A key event for `keyId` with event id `eventId`, in the API's shape. */
function event(eventId: string, keyId: string, type = 'api_key.created', at = now - 600): AuditLogEvent {
  return {
    ...keyEvent(1, at, ['all'], type as 'api_key.created'),
    id: eventId,
    [type]: type === 'api_key.deleted' ? { id: keyId } : { id: keyId, data: { scopes: ['all'] } }
  }
}

/** A run against the fake Admin API, with close-when-revoked, filing in the fake GitHub. */
function runClosing(fake: FakeOpenAI) {
  return runAction(
    {
      'openai-admin-key': KEY,
      'openai-base-url': fake.baseURL,
      'github-token': github.token,
      'fail-on': 'none',
      'close-when-revoked': 'true'
    },
    { GITHUB_API_URL: github.url }
  )
}

const issueOf = (keyId: string) => github.issues.filter((issue) => markedKey(issue.body) === markerId(keyId))

describe('5. keys and events keep markers of their own', () => {
  it("a key whose id is another key's hashed marker gets its own issue, and its deletion closes only that one", async () => {
    const first = 'key with a space'
    const second = markerId(first)
    const run = await runAction(
      {
        'audit-log-file': exportOf([
          event('audit_log-1', first),
          event('audit_log-2', second),
          event('audit_log-3', second, 'api_key.deleted', now - 300)
        ]),
        'github-token': github.token,
        'fail-on': 'none',
        'close-when-revoked': 'true'
      },
      { GITHUB_API_URL: github.url }
    )
    expect(run.code).toBe(0)
    expect(github.issues).toHaveLength(2)
    expect(new Set(github.issues.map((issue) => markedKey(issue.body))).size).toBe(2)
    expect(issueOf(first).map((issue) => issue.state)).toEqual(['open'])
    expect(issueOf(second).map((issue) => issue.state)).toEqual(['closed'])
    expect(github.commentsOf(issueOf(first)[0]!.number)).toEqual([])
  })

  it("a new event whose id is another event's hashed marker is recorded, not taken as written", async () => {
    const old = 'audit_log one'
    const inputs = (file: string) => ({ 'audit-log-file': file, 'github-token': github.token, 'fail-on': 'none' })
    const env = { GITHUB_API_URL: github.url }
    expect((await runAction(inputs(exportOf([event(old, 'key_1')])), env)).code).toBe(0)
    expect(github.issues).toHaveLength(1)
    expect(markedEvents(github.issues[0]!.body)).toEqual([markerId(old)])

    github.reset()
    const run = await runAction(inputs(exportOf([event(old, 'key_1'), event(markerId(old), 'key_1')])), env)
    expect(run.code).toBe(0)
    const comments = github.commentsOf(github.issues[0]!.number)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('### 1 new event on this key')
    expect(markedEvents(comments[0]!.body)).toEqual([markerId(markerId(old))])
  })

  it('key events without a key id are listed as unjudged: never one shared issue, never looked up, never closed', async () => {
    const keyless = (id: string, type: string, at: number): AuditLogEvent => ({
      ...keyEvent(1, at),
      id,
      type,
      [type]: type === 'api_key.deleted' ? {} : { data: { scopes: ['all'] } }
    })
    openai = await startFakeOpenAI({
      key: KEY,
      events: [
        keyless('audit_log-a', 'api_key.created', now - 900),
        keyless('audit_log-b', 'api_key.created', now - 800),
        keyless('audit_log-c', 'api_key.deleted', now - 700),
        keyEvent(7, now - 600)
      ],
      projectKeys: [userKey('key_7')]
    })
    const run = await runClosing(openai)
    expect(run.code).toBe(1)
    // One issue, for the key that has an id; the keyless events have none, and none is closed.
    expect(keyIssues(github).map((issue) => [markedKey(issue.body), issue.state])).toEqual([['key_7', 'open']])
    expect(github.comments.filter((comment) => markedClosed(comment.body))).toEqual([])
    expect(openai.requests.map((request) => request.path).filter((path) => path.includes('api_keys'))).toEqual([
      '/v1/organization/projects/proj_main/api_keys/key_7'
    ])
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.malformed).toMatchObject({ count: 3, keyEvents: 2 })
    expect(report.gate.reason).toContain('2 API key events could not be judged')
    expect(run.summary).toContain('(**2 of them API key events**)')
    expect(run.summary).toContain('api\\_key\\.created event has no key id')
  })
})

describe('4. a 404 from the key lookup', () => {
  it("never closes an issue: not a gateway's page, an empty body, another service's JSON, the default project, nor OpenAI's own", async () => {
    const viaAdminKey = (n: number): AuditLogEvent => ({
      ...keyEvent(n, now - 600 + n, ['all'], 'api_key.created', 'proj_default'),
      actor: { type: 'api_key', api_key: { id: 'key_automation', user: { id: 'user-1', email: 'ops@example.com' } } }
    })
    openai = await startFakeOpenAI({
      key: KEY,
      events: [1, 2, 3, 5].map((n) => keyEvent(n, now - 600 + n)).concat(viaAdminKey(4)),
      // key_4 lives in its own project; its event names the default one.
      projectKeys: [userKey('key_4', { project: 'proj_x' })]
    })
    openai.alwaysOn(/\/key_1$/, { status: 404, html: '<html><title>404 Not Found</title><body>nginx</body></html>' })
    openai.alwaysOn(/\/key_2$/, { status: 404, html: '' })
    openai.alwaysOn(/\/key_3$/, {
      status: 404,
      body: { message: 'Not Found', documentation_url: 'https://example.com' }
    })
    const run = await runClosing(openai)
    expect(run.code).toBe(0)
    expect(
      keyIssues(github)
        .map((issue) => [markedKey(issue.body), issue.state])
        .sort()
    ).toEqual([
      ['key_1', 'open'],
      ['key_2', 'open'],
      ['key_3', 'open'],
      ['key_4', 'open'],
      ['key_5', 'open']
    ])
    expect(github.comments).toEqual([])
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    const info = (keyId: string) => report.keys.find((key: { keyId: string }) => key.keyId === keyId).info
    for (const keyId of ['key_1', 'key_2', 'key_3']) {
      expect(info(keyId)).toEqual({
        status: 'not-looked-up',
        reason: expect.stringMatching(/^the Admin API's 404 for it is not OpenAI's answer for a key it does not hold/)
      })
    }
    expect(info('key_4')).toEqual({
      status: 'not-looked-up',
      reason: expect.stringContaining("OpenAI records such actions under the organization's default project")
    })
    // OpenAI's own answer in the key's own project: not found, which is still no revocation.
    expect(info('key_5')).toMatchObject({ status: 'not-found', projectId: 'proj_main' })
    const body = github.issues.find((issue) => markedKey(issue.body) === 'key_5')!.body
    expect(body).toContain('closes nothing: only its deletion in the audit log does')
  }, 60_000)
})

describe('8. whose comments count', () => {
  it('a member who may only read cannot forge the marker of a new HIGH event: its comment is written', async () => {
    const inputs = (file: string) => ({ 'audit-log-file': file, 'github-token': github.token, 'fail-on': 'none' })
    const env = { GITHUB_API_URL: github.url }
    expect((await runAction(inputs(exportOf([event('audit_log-1', 'key_1')])), env)).code).toBe(0)
    expect(github.issues).toHaveLength(1)
    // An organization member without write access on a public repository comments first.
    github.permissions.set('mallory', 'read')
    github.addComment(
      github.issues[0]!.number,
      `Nothing to see.\n<!-- openai-keywatch:event=audit_log-2 -->`,
      { login: 'mallory', type: 'User' },
      'MEMBER'
    )
    github.reset()
    const run = await runAction(inputs(exportOf([event('audit_log-1', 'key_1'), event('audit_log-2', 'key_1')])), env)
    expect(run.code).toBe(0)
    const ours = github
      .commentsOf(github.issues[0]!.number)
      .filter((comment) => comment.user.login === 'github-actions[bot]')
    expect(ours).toHaveLength(1)
    expect(markedEvents(ours[0]!.body)).toEqual(['audit_log-2'])
    expect(github.requests.filter((request) => request.path.includes('/collaborators/')).map((r) => r.path)).toEqual([
      '/repos/acme/security/collaborators/mallory/permission'
    ])
  })
})
