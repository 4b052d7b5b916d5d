// Revoking from the issue: dist/index.js as the runner starts it for an `issues` event
// (GITHUB_EVENT_NAME=issues, GITHUB_EVENT_PATH naming the payload), with the fake Admin API
// and the fake GitHub on 127.0.0.1. A writer's label revokes and closes; nothing else does,
// and every refusal says why in one comment that changes nothing. Production timings: each
// revocation's comment and label writes are spaced as GitHub asks, so a test takes seconds.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { keyMarker } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { BOT, FakeGitHub, type FakeIssue } from './support/fake-github.js'
import {
  adminKeyEvent,
  keyEvent,
  serviceAccountKey,
  startFakeOpenAI,
  userKey,
  type AuditLogEvent,
  type FakeOpenAI,
  type FakeOptions
} from './support/fake-openai.js'
import { tempDir } from './support/temp.js'

const KEY = 'sk-admin-REVOKEabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)
const REVOKE = 'keywatch:revoke'

let openai: FakeOpenAI | undefined
let github: FakeGitHub
beforeEach(async () => {
  github = await new FakeGitHub().start()
  github.permissions.set('alice', 'write')
  github.permissions.set('maya', 'maintain')
  github.permissions.set('rita', 'read')
  github.permissions.set('tom', 'triage')
  github.permissions.set('olga', 'unknown')
})
afterEach(async () => {
  await openai?.close()
  await github.stop()
  openai = undefined
})

/** The action's issue for `keyId`, as the scan opens it, with the revoke label a person added. */
function keyIssue(keyId: string, extra: Partial<FakeIssue> = {}): FakeIssue {
  return github.addIssue({
    title: `[HIGH] OpenAI API key ${keyId} has elevated scopes`,
    body: `${keyMarker(keyId)}\n## HIGH: OpenAI API key \`${keyId}\` has elevated scopes\n\n- Project: \`proj_elsewhere\`\n`,
    labels: ['openai-keywatch', 'severity:high', REVOKE],
    user: BOT,
    ...extra
  })
}

/** The payload GitHub writes for an issue labelled by `sender` (webhook-issues-labeled). */
function labeledEvent(issue: FakeIssue, sender: string, label = REVOKE): string {
  const file = join(tempDir('keywatch-event-'), 'event.json')
  writeFileSync(
    file,
    JSON.stringify({
      action: 'labeled',
      label: { id: 7, name: label, color: 'b60205', default: false, description: null },
      issue: {
        number: issue.number,
        title: issue.title,
        body: issue.body,
        state: issue.state,
        user: issue.user,
        labels: issue.labels.map((name, id) => ({ id, name }))
      },
      repository: { full_name: `${github.owner}/${github.repo}` },
      sender: { login: sender, type: 'User' }
    })
  )
  return file
}

async function fakeOpenAI(events: AuditLogEvent[], more: Partial<FakeOptions> = {}): Promise<FakeOpenAI> {
  openai = await startFakeOpenAI({ key: KEY, events, projectKeys: [userKey('key_1')], ...more })
  return openai
}

/** The revoke workflow's step: the action on a label event, with its own admin key. */
function runRevoke(eventFile: string, inputs: Record<string, string> = {}) {
  return runAction(
    { 'openai-admin-key': KEY, 'openai-base-url': openai!.baseURL, 'github-token': github.token, ...inputs },
    { GITHUB_API_URL: github.url, GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: eventFile }
  )
}

/** A comment as GitHub renders it: the sanitiser's backslashes and zero-width spaces gone. */
const shown = (body: string): string => body.replace(/\u200b/g, '').replace(/\\(.)/g, '$1')
const commentOf = (issue: FakeIssue, n = 0): string => shown(github.commentsOf(issue.number)[n]!.body)

const deletes = () => openai!.requests.filter((request) => request.method === 'DELETE')
const githubWrites = () => github.writes.map((request) => `${request.method} ${request.path}`)

describe('a writer adds the revoke label', () => {
  it('revokes the key in the project OpenAI names, comments once, swaps the label and closes', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(0)
    // The project from OpenAI (the key's own event), not from the issue's text (proj_elsewhere).
    expect(deletes().map((request) => request.path)).toEqual(['/v1/organization/projects/proj_main/api_keys/key_1'])
    const lookup = openai!.requests.find((request) => request.path === '/v1/organization/audit_logs')!
    expect(lookup.query.getAll('resource_ids[]')).toEqual(['key_1'])
    const comments = github.commentsOf(issue.number)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('### The key was revoked')
    expect(comments[0]!.body).toContain('alice (write permission) asked for it at')
    expect(comments[0]!.body).toContain('"deleted":true')
    expect(comments[0]!.body).toContain('<!-- openai-keywatch:revoked=key_1 -->')
    expect(issue.labels).toEqual(['openai-keywatch', 'severity:high', 'keywatch:revoked'])
    expect([issue.state, issue.stateReason]).toEqual(['closed', 'completed'])
    expect(run.summary).toContain('**revoked**: Key key_1 in project proj_main revoked, asked by alice on #1')
    expect(run.stdout).toContain('::notice::Key key_1 in project proj_main revoked')
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(KEY)
  })

  it('a maintainer may too (GitHub shows maintain as write); an admin key is deleted without a project', async () => {
    await fakeOpenAI([adminKeyEvent(1, now - 600)], {
      adminKeys: [
        {
          object: 'organization.admin_api_key',
          id: 'key_admin1',
          name: 'Admin 1',
          redacted_value: 'sk-admin-****',
          created_at: now - 900,
          last_used_at: null,
          expires_at: null,
          owner: { type: 'user', id: 'user-admin1', name: 'Admin One', role: 'owner' }
        }
      ]
    })
    const issue = keyIssue('key_admin1')
    const run = await runRevoke(labeledEvent(issue, 'maya'))
    expect(run.code).toBe(0)
    expect(deletes().map((request) => request.path)).toEqual(['/v1/organization/admin_api_keys/key_admin1'])
    expect(commentOf(issue)).toContain('maya (maintain permission)')
    expect(issue.state).toBe('closed')
  })

  it("a service account's key: revoked, and the comment says what else to do", async () => {
    await fakeOpenAI([keyEvent(1, now - 600)], { projectKeys: [serviceAccountKey('key_1')] })
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(0)
    expect(deletes()).toHaveLength(1)
    const body = commentOf(issue)
    expect(body).toContain('Rotation is not revocation')
    expect(body).toContain('does not delete the service account or its other keys')
  })
})

describe('nothing is revoked otherwise, and each refusal says why once', () => {
  it.each([
    ['a reader', 'rita', 'rita has read permission on the repository'],
    ['a triager (GitHub shows triage as read)', 'tom', 'tom has read (role triage) permission'],
    ['an outsider (404)', 'olga', 'GitHub did not confirm that olga may write to the repository']
  ])('%s: one comment, no delete, label and issue as they were', async (_who, sender, words) => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, sender))
    expect(run.code).toBe(0)
    expect(openai!.requests).toEqual([])
    expect(githubWrites()).toEqual([`POST /repos/acme/security/issues/${issue.number}/comments`])
    expect(commentOf(issue)).toContain('### Not revoked')
    expect(commentOf(issue)).toContain(words)
    expect([issue.state, issue.labels.includes(REVOKE)]).toEqual(['open', true])
    expect(run.stdout).toContain('::warning::Not revoked:')
  })

  it('another label does nothing at all: no request to OpenAI or GitHub', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1', { labels: ['openai-keywatch', 'severity:high', 'triaged'] })
    const run = await runRevoke(labeledEvent(issue, 'alice', 'triaged'))
    expect(run.code).toBe(0)
    expect(openai!.requests).toEqual([])
    expect(github.requests).toEqual([])
    expect(run.stdout).toContain('Nothing to do: the label added is "triaged", not the revoke label "keywatch:revoke".')
  })

  it.each([
    ['opened by a person, with a copied marker', { user: { login: 'mallory', type: 'User' as const } }],
    ['without a key marker', { body: 'Please revoke key_1' }]
  ])('an issue that is not the action’s (%s): no delete, nothing changed', async (_what, extra) => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1', extra)
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(0)
    expect(openai!.requests).toEqual([])
    expect(githubWrites()).toEqual([`POST /repos/acme/security/issues/${issue.number}/comments`])
    expect(commentOf(issue)).toMatch(/not by the action's bot|holds no key marker/)
    expect([issue.state, issue.labels.includes(REVOKE)]).toEqual(['open', true])
  })

  it('a key already gone is said to be so and closed, without a delete', async () => {
    await fakeOpenAI([keyEvent(1, now - 900), keyEvent(1, now - 600, [], 'api_key.deleted')], { projectKeys: [] })
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(0)
    expect(deletes()).toEqual([])
    const body = commentOf(issue)
    expect(body).toContain('### The key is already gone: nothing to revoke')
    expect(body).toContain('the audit log records its deletion: api_key.deleted')
    expect([issue.state, issue.labels.includes('keywatch:revoked')]).toEqual(['closed', true])
  })

  it('a 403 on delete names the permission, leaves the label and the issue open, and fails the run', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)], { deleteMode: 'forbidden' })
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(1)
    expect(deletes()).toHaveLength(1)
    const body = commentOf(issue)
    expect(body).toContain('### Not revoked: the delete failed')
    expect(body).toContain('Requires permission to write project API keys')
    expect(githubWrites()).toEqual([`POST /repos/acme/security/issues/${issue.number}/comments`])
    expect([issue.state, issue.labels.includes(REVOKE)]).toEqual(['open', true])
    expect(run.stdout).toContain('::error::Key key_1 in project proj_main not revoked: 403:')
  })

  it("a service account's key OpenAI refuses to delete (the API reference's answer): says what to do, stays open", async () => {
    await fakeOpenAI([keyEvent(1, now - 600)], {
      projectKeys: [serviceAccountKey('key_1')],
      deleteMode: 'service-account-400'
    })
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(1)
    const body = commentOf(issue)
    expect(body).toContain('an error if the key belonged to a service account')
    expect(body).toContain('delete the service account from the project')
    expect([issue.state, issue.labels.includes(REVOKE)]).toEqual(['open', true])
  })

  it('a repeated event revokes once: the second finds the label swapped and writes nothing', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    const event = labeledEvent(issue, 'alice')
    expect((await runRevoke(event)).code).toBe(0)
    github.reset()
    const again = await runRevoke(event)
    expect(again.code).toBe(0)
    expect(deletes()).toHaveLength(1)
    expect(github.writes).toEqual([])
    expect(github.commentsOf(issue.number)).toHaveLength(1)
    expect(again.stdout).toContain('no longer carries the label "keywatch:revoke"')
  })

  it('a retried delete whose first attempt did it (404 on the retry) is checked again and counts as revoked', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)], { deleteMode: 'retried' })
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(0)
    expect(deletes()).toHaveLength(2)
    expect(commentOf(issue)).toContain('no longer holds the key')
    expect(issue.state).toBe('closed')
  })

  it('an issue GitHub will not show again fails the run, and nothing is revoked', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    github.fail({ method: 'GET', path: /\/issues\/1$/, status: 403, message: 'Resource not accessible by integration' })
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(1)
    expect(openai!.requests).toEqual([])
    expect(github.writes).toEqual([])
    expect(run.stdout).toContain('::error::Nothing revoked: issue #1 could not be read again: GitHub answered 403')
  })

  it('a revocation GitHub refuses to record fails the run, and says the key is gone', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    github.fail({ method: 'POST', path: /\/comments$/, status: 403, message: 'Resource not accessible by integration' })
    const run = await runRevoke(labeledEvent(issue, 'alice'))
    expect(run.code).toBe(1)
    expect(deletes()).toHaveLength(1)
    expect(run.stdout).toContain('revoked, asked by alice on #1')
    expect(run.stdout).toContain('But GitHub refused the record of it: GitHub answered 403')
    expect([issue.state, issue.labels.includes(REVOKE)]).toEqual(['open', true])
  })

  it("answers in the event's repository, whatever the repository input names", async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'), { repository: 'acme/elsewhere' })
    expect(run.code).toBe(0)
    expect(github.requests.every((request) => request.path.startsWith('/repos/acme/security/'))).toBe(true)
    expect(issue.state).toBe('closed')
  })

  it('a dry run says what it would revoke, and writes no delete and nothing on GitHub', async () => {
    await fakeOpenAI([keyEvent(1, now - 600)])
    const issue = keyIssue('key_1')
    const run = await runRevoke(labeledEvent(issue, 'alice'), { 'dry-run': 'true' })
    expect(run.code).toBe(0)
    expect(deletes()).toEqual([])
    expect(github.writes).toEqual([])
    expect(run.stdout).toContain('Dry run: would revoke key key_1 in project proj_main')
    expect(run.summary).toContain('**would-revoke**')
  })
})

describe('the scan workflow never revokes', () => {
  it.each(['schedule', 'workflow_dispatch', 'issues'])(
    'a scan started by %s with every input set sends no DELETE',
    async (eventName) => {
      await fakeOpenAI([keyEvent(1, now - 600)])
      const issue = keyIssue('key_1')
      // An issues event that is not `labeled` (opened) scans too: only a label event answers a label.
      const file = join(tempDir('keywatch-event-'), 'event.json')
      writeFileSync(
        file,
        JSON.stringify({ action: 'opened', issue: { number: issue.number }, sender: { login: 'alice' } })
      )
      const run = await runAction(
        {
          'openai-admin-key': KEY,
          'openai-base-url': openai!.baseURL,
          'github-token': github.token,
          lookback: '1h',
          'project-ids': 'proj_main',
          'enrich-keys': 'true',
          'fail-on': 'none',
          'create-issues': 'true',
          label: 'openai-keywatch',
          'max-issues': '5',
          assignees: 'alice',
          'dry-run': 'false',
          'allow-actors': 'nobody@example.com',
          'reopen-closed': 'true',
          'close-when-revoked': 'true',
          'elevated-scopes': 'all',
          'high-scopes': 'all',
          'github-budget': '2m',
          'revoke-label': REVOKE
        },
        { GITHUB_API_URL: github.url, GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: file }
      )
      expect(run.code).toBe(0)
      expect(run.outputs.findings).toBe('1')
      expect(openai!.requests.length).toBeGreaterThan(0)
      expect(openai!.requests.every((request) => request.method === 'GET')).toBe(true)
      expect(github.issues.filter((each) => each.state === 'closed')).toEqual([])
    }
  )
})
