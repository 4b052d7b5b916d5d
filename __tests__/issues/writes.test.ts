// The writer's steps on their own: each returns what it did as a fresh IssueAction, or what
// it could not do, against a fake GitHub on 127.0.0.1.
import type { IssueAction } from '../../src/issues/action.js'
import { GitHubPhase } from '../../src/github/client.js'
import { openSession, type GitHubSession } from '../../src/issues/session.js'
import { comment } from '../../src/issues/writes.js'
import { FakeGitHub } from '../support/fake-github.js'

let github: FakeGitHub
let phase: GitHubPhase
let session: GitHubSession

beforeEach(async () => {
  github = await new FakeGitHub().start()
  phase = new GitHubPhase()
  session = openSession(
    {
      token: github.token,
      apiUrl: github.url,
      repository: 'acme/security',
      timings: { secondMs: 2, writeSpacingMs: 0, notifySpacingMs: 0, serverErrorRetries: 0 }
    },
    phase
  )
})
afterEach(async () => {
  phase.close()
  await github.stop()
})

const key = { keyId: 'key-a', severity: 'HIGH' as const, findings: [], deletions: [] }

describe('comment', () => {
  it('writes each body in order and returns a copy of what was done', async () => {
    const issue = github.addIssue({ body: 'the issue' })
    const done: IssueAction = { keyId: 'key-a', action: 'commented', issueNumber: issue.number, detail: 'revoked' }
    const action = await comment(session, key, { number: issue.number, url: 'u' }, ['one', 'two'], done)
    expect(action).toEqual(done)
    expect(action).not.toBe(done)
    expect(github.commentsOf(issue.number).map((written) => written.body)).toEqual(['one', 'two'])
  })

  it('says what it could not write, naming the issue, and writes nothing after a refusal', async () => {
    const issue = github.addIssue({ body: 'the issue' })
    github.fail({ method: 'POST', status: 403, message: 'Resource not accessible by integration' })
    const done: IssueAction = { keyId: 'key-a', action: 'commented', issueNumber: issue.number }
    const action = await comment(session, key, { number: issue.number, url: 'u' }, ['one', 'two'], done)
    expect(action).toEqual({
      keyId: 'key-a',
      action: 'failed',
      issueNumber: issue.number,
      url: 'u',
      detail:
        `GitHub answered 403 to POST /repos/acme/security/issues/${issue.number}/comments: ` +
        'Resource not accessible by integration. The token may not write issues in acme/security: give it Issues: Read ' +
        'and write (the default ${{ github.token }} with "permissions: issues: write" in the workflow). Or set ' +
        'create-issues: false. The GitHub phase stopped there: no other request was made, and the findings are reported all the same.'
    })
    expect(github.writes).toHaveLength(1)
    expect(github.commentsOf(issue.number)).toEqual([])
  })
})
