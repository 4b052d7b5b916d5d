// One issue per key, driven by the real Octokit (with the real throttling and retry
// plugins) against a fake GitHub on 127.0.0.1.
import { reportOf, triageIssues, type Scanned } from '../../src/pipeline.js'
import { scan } from '../../src/scan/engine.js'
import { readSettings } from '../../src/settings/inputs.js'
import type { InputName } from '../../src/settings/settings.js'
import { keyMarker, markedEvents, markedKey, markerId } from '../../src/github/markers.js'
import { groupByKey } from '../../src/scan/by-key.js'
import type { Report } from '../../src/report/report.js'
import { renderSummary } from '../../src/report/summary.js'
import { created, deleted, login, memorySource, updated } from '../support/events.js'
import { BOT, FakeGitHub, type FakeRequest } from '../support/fake-github.js'
import { keptDir } from '../support/temp.js'

const RUN_URL = 'https://github.com/acme/security/actions/runs/4242'
// Retry-after seconds become milliseconds; no spacing between writes.
const FAST = { secondMs: 2, writeSpacingMs: 0, notifySpacingMs: 0 }

let github: FakeGitHub

beforeEach(async () => {
  github = await new FakeGitHub().start()
})
afterEach(async () => {
  await github.stop()
})

async function triage(
  events: unknown[],
  inputs: Partial<Record<InputName, string>> = {},
  fake: FakeGitHub = github,
  target: Parameters<typeof triageIssues>[2] = {}
): Promise<Report> {
  const all: Partial<Record<InputName, string>> = {
    'audit-log-file': 'memory',
    'github-token': fake.token,
    ...inputs
  }
  const settings = readSettings((name) => all[name] ?? '', {
    GITHUB_API_URL: fake.url,
    GITHUB_REPOSITORY: 'acme/security',
    GITHUB_RUN_ID: '4242'
  })
  const source = memorySource(events)
  const result = await scan(source, {
    rule: { elevatedScopes: settings.elevatedScopes, highScopes: settings.highScopes },
    window: {},
    allowActors: settings.allowActors,
    tempDir: keptDir()
  })
  const scanned: Scanned = {
    window: {},
    source: source.label,
    result,
    keys: groupByKey(result.findings, result.deletions),
    suppressed: groupByKey(result.suppressed),
    lookups: {
      off: 'an exported audit log was scanned, not the Admin API',
      requests: 0,
      lookedUp: 0,
      notLookedUp: 0,
      notes: []
    },
    investigations: { off: 'history is 0', identities: 0, read: 0, leftOut: [], requests: 0, notes: [] }
  }
  const issues = await triageIssues(settings, scanned, { ...target, timings: { ...FAST, ...target.timings } })
  return reportOf(settings, scanned, issues)
}

/** What Markdown would act on: the text outside code spans, escapes and our own run link. */
function live(markdown: string): string {
  return markdown
    .replaceAll(`[this workflow run](${RUN_URL})`, '')
    .replace(/\[#\d+\]\(https:\/\/github\.com\/acme\/security\/issues\/\d+\)/g, '')
    .replace(/^<!-- openai-keywatch:[a-z]+=[A-Za-z0-9_.:-]+ -->$/gm, '')
    .replace(/\\./g, '')
    .replace(/`[^`]*`/g, '')
}

/** The number of cells of each row, per table: a broken row shows as a different number. */
function tableShapes(markdown: string): number[][] {
  const tables: number[][] = []
  let current: number[] | undefined
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| ')) {
      current = undefined
      continue
    }
    if (!current) tables.push((current = []))
    // Cells split on pipes that are not escaped (GFM: a backslash escapes the next character).
    current.push(line.replace(/\\./g, '').split('|').length - 2)
  }
  return tables
}

const lists = (requests: FakeRequest[]): FakeRequest[] =>
  requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/security/issues')

const SEED = [
  created({ id: 'audit_log-a1', key: 'key-alpha', scopes: ['all'] }),
  created({ id: 'audit_log-b1', key: 'key-bravo', scopes: ['admin', 'models:read'] }),
  updated({ id: 'audit_log-c1', key: 'key-charlie', scopes: ['models:write'] }),
  created({ id: 'audit_log-n1', key: 'key-benign', scopes: ['models:read'] }),
  login('audit_log-l1')
]

describe('one issue per key', () => {
  it('opens one issue per key on the first run, with labels, details, MITRE, runbook and run link', async () => {
    const run = await triage(SEED, { 'fail-on': 'high' })
    expect(github.issues).toHaveLength(3)
    expect(run.issues.map((a) => [a.keyId, a.action, a.issueNumber])).toEqual([
      ['key-alpha', 'created', 1],
      ['key-bravo', 'created', 2],
      ['key-charlie', 'created', 3]
    ])
    const [alpha, , charlie] = github.issues
    expect(alpha!.title).toBe('[HIGH] Project key key-alpha created by dev@company.com')
    expect(alpha!.labels).toEqual(['openai-keywatch', 'severity:high'])
    expect(charlie!.labels).toEqual(['openai-keywatch', 'severity:medium'])
    expect(markedKey(alpha!.body)).toBe('key-alpha')
    expect(markedEvents(alpha!.body)).toEqual(['audit_log-a1'])
    expect(alpha!.body).toContain('- [ ] Validate the identity responsible')
    expect(alpha!.body.match(/^- \[ \] /gm)).toHaveLength(3)
    expect(alpha!.body).toContain('TA0003 Persistence: [T1098 Account Manipulation]')
    expect(alpha!.body).toContain(`[this workflow run](${RUN_URL})`)
    expect(alpha!.body).toContain('`203.0.113.9` Denver, US')
    expect(alpha!.body).toContain('### Alert context')
    // One list of the issues, then the three creations; never the search API.
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/security/issues',
      'POST /repos/acme/security/issues',
      'POST /repos/acme/security/issues',
      'POST /repos/acme/security/issues'
    ])
    expect(lists(github.requests)[0]!.query.get('state')).toBe('all')
    expect(lists(github.requests)[0]!.query.get('labels')).toBe('openai-keywatch')
    expect(run.gate.failed).toBe(true)
    const summary = renderSummary(run)
    expect(summary).toContain('[#1](https://github.com/acme/security/issues/1) created')
    expect(summary).toContain('created: 3')
  })

  it('changes nothing when run again over the same events: one list, no write', async () => {
    await triage(SEED)
    github.reset()
    const again = await triage(SEED)
    expect(github.issues).toHaveLength(3)
    expect(github.writes).toEqual([])
    expect(github.requests).toHaveLength(1)
    expect(again.issues.map((a) => a.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(github.comments).toEqual([])
  })

  it('comments once with only the new events of a known key, and not again', async () => {
    await triage(SEED)
    const later = [
      ...SEED,
      updated({ id: 'audit_log-a2', key: 'key-alpha', scopes: ['all', 'admin'], at: 1_790_000_500 })
    ]
    github.reset()
    const run = await triage(later)
    expect(github.writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/security/issues/1/comments'])
    const [comment] = github.commentsOf(1)
    expect(markedEvents(comment!.body)).toEqual(['audit_log-a2'])
    expect(comment!.body).toContain('### 1 new event on this key')
    expect(comment!.body).not.toContain('audit_log-a1')
    expect(run.issues[0]).toMatchObject({ keyId: 'key-alpha', action: 'commented', issueNumber: 1 })

    github.reset()
    await triage(later)
    expect(github.writes).toEqual([])
    // The issue's comments were read once, to learn that it had recorded the new event.
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/security/issues',
      'GET /repos/acme/security/issues/1/comments'
    ])
  })

  it('raises the severity label when a MEDIUM key turns HIGH', async () => {
    await triage(SEED)
    github.reset()
    const run = await triage([...SEED, updated({ id: 'audit_log-c2', key: 'key-charlie', scopes: ['admin'] })])
    expect(github.issues[2]!.labels).toEqual(['openai-keywatch', 'severity:high'])
    expect(github.writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /repos/acme/security/issues/3',
      'POST /repos/acme/security/issues/3/comments'
    ])
    expect(run.issues[2]!.detail).toContain('severity:medium → severity:high')
  })

  it('reopens a closed issue on a new event, unless reopen-closed is false', async () => {
    await triage(SEED)
    github.issues[0]!.state = 'closed'
    github.issues[1]!.state = 'closed'
    github.reset()
    // No new event: a closed issue stays closed and nothing is written.
    await triage(SEED)
    expect(github.writes).toEqual([])

    const run = await triage([...SEED, updated({ id: 'audit_log-a2', key: 'key-alpha' })])
    expect(github.issues[0]!.state).toBe('open')
    expect(github.commentsOf(1)).toHaveLength(1)
    expect(run.issues[0]!.detail).toBe('1 new event, reopened')

    await triage([...SEED, updated({ id: 'audit_log-b2', key: 'key-bravo' })], { 'reopen-closed': 'false' })
    expect(github.issues[1]!.state).toBe('closed')
    expect(github.commentsOf(2)).toHaveLength(1)
  })

  it("notes a key's deletion once on its issue, never opens one for a deletion, never reopens for it", async () => {
    await triage(SEED)
    github.issues[1]!.state = 'closed'
    github.reset()
    const events = [
      ...SEED,
      deleted({ id: 'audit_log-d1', key: 'key-alpha' }),
      deleted({ id: 'audit_log-d2', key: 'key-bravo' }),
      deleted({ id: 'audit_log-d3', key: 'key-unknown' })
    ]
    const run = await triage(events)
    expect(github.issues).toHaveLength(3)
    expect(github.issues[1]!.state).toBe('closed')
    const [alpha] = github.commentsOf(1)
    expect(alpha!.body).toContain('### The key was deleted')
    expect(markedEvents(alpha!.body)).toEqual(['audit_log-d1'])
    expect(github.commentsOf(2)).toHaveLength(1)
    expect(run.issues.map((a) => [a.keyId, a.action])).toEqual([
      ['key-alpha', 'commented'],
      ['key-bravo', 'commented'],
      ['key-charlie', 'unchanged']
    ])

    github.reset()
    await triage(events)
    expect(github.writes).toEqual([])

    // A later window with only the deletion: still noted once, no new issue.
    github.reset()
    await triage([
      deleted({ id: 'audit_log-d1', key: 'key-alpha' }),
      deleted({ id: 'audit_log-d4', key: 'key-charlie' })
    ])
    expect(github.writes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/security/issues/3/comments'])
  })

  it('opens at most max-issues new issues, highest severity first; the rest are listed and still fail the run', async () => {
    const run = await triage(SEED, { 'max-issues': '1', 'fail-on': 'medium' })
    expect(github.issues.map((i) => i.title)).toEqual(['[HIGH] Project key key-alpha created by dev@company.com'])
    expect(run.issues.map((a) => [a.keyId, a.action])).toEqual([
      ['key-alpha', 'created'],
      ['key-bravo', 'capped'],
      ['key-charlie', 'capped']
    ])
    expect(run.gate).toEqual({ failed: true, reason: '3 findings at or above fail-on (medium).' })
    const summary = renderSummary(run)
    expect(summary).toContain('### Not turned into issues (max-issues): 2')
    expect(summary).toMatch(/\| `key-bravo` \| HIGH \|/)

    // Existing issues do not count against the cap: the next run opens the next one.
    await triage(SEED, { 'max-issues': '1' })
    expect(github.issues).toHaveLength(2)
  })

  it('dry-run reads but writes nothing, and says what it would do', async () => {
    await triage(SEED.slice(0, 1))
    github.reset()
    const run = await triage([...SEED, updated({ id: 'audit_log-a2', key: 'key-alpha' })], { 'dry-run': 'true' })
    expect(github.writes).toEqual([])
    expect(run.issues.map((a) => [a.keyId, a.action])).toEqual([
      ['key-alpha', 'would-comment'],
      ['key-bravo', 'would-create'],
      ['key-charlie', 'would-create']
    ])
    const summary = renderSummary(run)
    expect(summary).toContain('Dry run: nothing was written to GitHub')
    expect(summary).toContain('would-create: 2')
  })

  it('makes no request with create-issues: false, nor when there is nothing to report or note', async () => {
    const off = await triage(SEED, { 'create-issues': 'false' })
    expect(off.issues).toEqual([])
    expect(renderSummary(off)).toContain('Not written: create-issues is false.')
    await triage([login('audit_log-l1'), created({ id: 'audit_log-n1', key: 'key-benign', scopes: ['models:read'] })])
    expect(github.requests).toEqual([])
  })

  it('suppresses allow-actors: listed, no issue, not counted for the gate', async () => {
    const events = [
      created({ id: 'audit_log-a1', key: 'key-alpha', email: 'Deploy-Bot@company.com' }),
      created({ id: 'audit_log-b1', key: 'key-bravo', userId: 'user-ci' })
    ]
    const run = await triage(events, { 'allow-actors': 'deploy-bot@company.com, user-ci' })
    expect(github.requests).toEqual([])
    expect(run.counts.total).toBe(0)
    expect([...run.suppressed].map((k) => k.keyId)).toEqual(['key-alpha', 'key-bravo'])
    expect(run.gate.failed).toBe(false)
    const summary = renderSummary(run)
    expect(summary).toContain('### Suppressed (allow-actors): 2')
    expect(summary).toContain('- Suppressed (allow-actors): 2, not counted for the verdict')
  })

  it('finds its issues by label and marker across pages, skipping pull requests and foreign issues', async () => {
    github.pageSize = 2
    github.addIssue({ body: 'A pull request', labels: ['openai-keywatch'], pullRequest: true })
    github.addIssue({ body: `${keyMarker('key-alpha')}\n`, labels: ['other'] })
    github.addIssue({ body: 'Someone else’s issue', labels: ['openai-keywatch'] })
    // A pull request that claims the key must not be taken for its issue.
    github.addIssue({ body: `${keyMarker('key-bravo')}\n`, labels: ['openai-keywatch'], pullRequest: true })
    github.addIssue({
      body: `${keyMarker('key-alpha')}\n<!-- openai-keywatch:event=audit_log-a1 -->\n`,
      labels: ['openai-keywatch', 'severity:high']
    })
    const run = await triage(SEED)
    expect(lists(github.requests).map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2'])
    expect(run.issues.map((a) => [a.keyId, a.action, a.issueNumber])).toEqual([
      ['key-alpha', 'unchanged', 5],
      ['key-bravo', 'created', 6],
      ['key-charlie', 'created', 7]
    ])
    expect(github.requests.some((r) => r.path.startsWith('/search'))).toBe(false)
  })

  it('reads comments across pages and trusts only the markers of its own comments', async () => {
    await triage(SEED)
    github.pageSize = 2
    for (let i = 0; i < 3; i++) github.addComment(1, `thanks ${i}`, { login: 'alice', type: 'User' })
    // Someone forging the marker of a future event must not silence it.
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a2 -->', { login: 'mallory', type: 'User' })
    github.reset()
    await triage([...SEED, updated({ id: 'audit_log-a2', key: 'key-alpha' })])
    expect(github.requests.filter((r) => r.path.endsWith('/comments') && r.method === 'GET')).toHaveLength(2)
    expect(github.commentsOf(1).filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1)
  })

  it('waits out secondary rate limits (403 and 429 with retry-after) and goes on', async () => {
    github.fail({ method: 'GET', path: /\/issues$/, status: 403, retryAfter: 1 })
    github.fail({ method: 'POST', path: /\/issues$/, status: 429, retryAfter: 2, times: 2 })
    const run = await triage(SEED)
    expect(run.issues.map((a) => a.action)).toEqual(['created', 'created', 'created'])
    expect(github.issues).toHaveLength(3)
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(5)
    expect(run.gate.reason).not.toContain('could not be written')
  })

  it('retries server errors on reads, never on a create that may have happened', async () => {
    github.fail({ method: 'GET', status: 502, message: 'Bad Gateway', times: 2 })
    const run = await triage(SEED.slice(0, 1))
    expect(run.issues.map((a) => a.action)).toEqual(['created'])
    expect(github.issues).toHaveLength(1)

    github.reset()
    github.fail({ method: 'POST', status: 502, message: 'Bad Gateway' })
    const failed = await triage(SEED.slice(0, 2))
    expect(failed.issues.map((a) => a.action)).toEqual(['unchanged', 'failed'])
    expect(github.writes).toHaveLength(1)
    // The next run creates it then, once.
    github.reset()
    const next = await triage(SEED.slice(0, 2))
    expect(next.issues.map((a) => a.action)).toEqual(['unchanged', 'created'])
    expect(github.issues).toHaveLength(2)
  })

  it('leaves a severity label a person lowered, until a new event raises it', async () => {
    await triage(SEED)
    github.issues[0]!.labels = ['openai-keywatch', 'severity:low']
    github.reset()
    await triage(SEED)
    expect(github.writes).toEqual([])
    await triage([...SEED, updated({ id: 'audit_log-a9', key: 'key-alpha', scopes: ['all'] })])
    expect(github.issues[0]!.labels).toEqual(['openai-keywatch', 'severity:high'])
  })

  it("counts the events recorded in comments by GitHub Actions' bot and by people who may write, asking once each", async () => {
    const alice = { login: 'alice', type: 'User' as const }
    github.actor = alice
    await triage(SEED.slice(0, 1)) // opened from a maintainer's token, e.g. a CLI backfill
    github.actor = BOT
    github.permissions.set('alice', 'write')
    github.permissions.set('bob', 'write')
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a2 -->', BOT)
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a3 -->', { login: 'bob', type: 'User' }, 'MEMBER')
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a4 -->', { login: 'bob', type: 'User' }, 'MEMBER')
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a5 -->', alice, 'COLLABORATOR')
    github.addComment(1, 'Looking into it.', { login: 'carol', type: 'User' }, 'MEMBER')
    github.reset()
    await triage([
      ...SEED.slice(0, 1),
      ...['a2', 'a3', 'a4', 'a5'].map((n) => updated({ id: `audit_log-${n}`, key: 'key-alpha' }))
    ])
    expect(github.writes).toEqual([])
    // Once per person whose markers matter; never for the bot, nor for a comment without markers.
    expect(github.requests.filter((r) => r.path.includes('/collaborators/')).map((r) => r.path)).toEqual([
      '/repos/acme/security/collaborators/bob/permission',
      '/repos/acme/security/collaborators/alice/permission'
    ])
  })

  it('ignores the markers of a member who may only read: the new event gets its comment', async () => {
    await triage(SEED.slice(0, 1))
    github.permissions.set('mia', 'read')
    github.addComment(1, '<!-- openai-keywatch:event=audit_log-a2 -->', { login: 'mia', type: 'User' }, 'MEMBER')
    // And one GitHub does not know as a collaborator, nor can say anything of.
    github.fail({ method: 'GET', path: /collaborators\/nobody/, status: 404, message: 'Not Found', times: 1 })
    github.addComment(
      1,
      '<!-- openai-keywatch:event=audit_log-a2 -->',
      { login: 'nobody', type: 'User' },
      'COLLABORATOR'
    )
    github.reset()
    const run = await triage([...SEED.slice(0, 1), updated({ id: 'audit_log-a2', key: 'key-alpha' })])
    expect(run.issues.map((a) => a.action)).toEqual(['commented'])
    expect(markedEvents(github.comments.at(-1)!.body)).toEqual(['audit_log-a2'])
  })

  it('reports a failure that remains per key, fails the run, and keeps every finding', async () => {
    github.fail({ method: 'POST', path: /\/issues$/, status: 403, retryAfter: 1, times: 100 })
    const run = await triage(SEED, { 'fail-on': 'none' })
    expect(github.issues).toHaveLength(0)
    expect(run.issues.map((a) => [a.keyId, a.action])).toEqual([
      ['key-alpha', 'failed'],
      ['key-bravo', 'failed'],
      ['key-charlie', 'failed']
    ])
    expect(run.issues[0]!.detail).toContain('GitHub answered 403 to POST /repos/acme/security/issues')
    expect(run.issues[0]!.detail).toContain('secondary rate limit')
    expect(run.issues[0]!.detail).toContain('the next run goes on where this one stopped')
    expect(run.issues[0]!.detail).not.toContain(github.token)
    expect(run.gate.failed).toBe(true)
    expect(run.gate.reason).toContain('The GitHub issue of 3 keys could not be written')
    expect(run.counts.total).toBe(3)
    expect(run.keys.map((k) => k.keyId)).toEqual(['key-alpha', 'key-bravo', 'key-charlie'])
    const summary = renderSummary(run)
    expect(summary).toContain('### Issue failures: 3')
    expect(
      summary.match(
        /\| `key-(alpha|bravo|charlie)` \| 🔴|\| 🟠 MEDIUM \| `key-charlie`|\| 🔴 HIGH \| `key-(alpha|bravo)`/g
      )
    ).toHaveLength(3)
  })

  it('writes nothing when the issues cannot be listed: a blind write could duplicate', async () => {
    github.fail({ method: 'GET', status: 404, message: 'Not Found', times: 5 })
    const run = await triage(SEED)
    expect(github.writes).toEqual([])
    expect(run.issues.every((a) => a.action === 'failed')).toBe(true)
    // A 404 to the listing: the repository's name, or the token's reach; said once, and the phase stopped.
    expect(run.issues[0]!.detail).toContain(
      'GitHub answered 404 to GET /repos/acme/security/issues: Not Found. acme/security does not exist, or the token cannot see it'
    )
    expect(new Set(run.issues.map((a) => a.detail)).size).toBe(1)
    expect(github.requests).toHaveLength(1)
  })

  it('says what to do when the token is empty or wrong', async () => {
    const empty = await triage(SEED, { 'github-token': '' })
    expect(github.requests).toEqual([])
    expect(empty.issues[0]!.detail).toContain('The GitHub token (github-token) is empty')
    const wrong = await triage(SEED, { 'github-token': 'ghs_wrong' })
    expect(wrong.issues[0]!.detail).toContain('GitHub answered 401')
    expect(wrong.issues[0]!.detail).toContain('github-token is not a valid token (mistyped, expired or revoked)')
  })

  it('keeps bodies under 65,536 characters and records every event of a key with thousands', async () => {
    const events = Array.from({ length: 3000 }, (_, i) =>
      updated({ id: `audit_log-${String(i).padStart(40, '0')}`, key: 'key-busy', userAgent: 'x'.repeat(500) })
    )
    const run = await triage(events)
    const [issue] = github.issues
    expect(issue!.body.length).toBeLessThanOrEqual(65_536)
    expect(issue!.body).toMatch(/…and \d+ more events not shown/)
    const recorded = new Set([
      ...markedEvents(issue!.body),
      ...github.commentsOf(1).flatMap((c) => markedEvents(c.body))
    ])
    expect(recorded.size).toBe(3000)
    expect(run.issues[0]!.action).toBe('created')
    github.reset()
    await triage(events)
    expect(github.writes).toEqual([])

    // 3,000 more on the known key: comments within the limit, every event recorded once.
    const more = Array.from({ length: 3000 }, (_, i) =>
      updated({ id: `audit_log-b${String(i).padStart(39, '0')}`, key: 'key-busy', userAgent: 'y'.repeat(500) })
    )
    const before = github.commentsOf(1).length
    await triage([...events, ...more])
    const added = github.commentsOf(1).slice(before)
    expect(added.length).toBeGreaterThanOrEqual(1)
    expect(added[0]!.body).toMatch(/^### 3000 new events on this key/)
    expect(added[0]!.body).toMatch(/…and \d+ more events not shown/)
    for (const comment of added) expect(comment.body.length).toBeLessThanOrEqual(65_536)
    const now = added.flatMap((c) => markedEvents(c.body))
    expect(new Set(now).size).toBe(3000)
    expect(now.every((id) => id.startsWith('audit_log-b'))).toBe(true)
    github.reset()
    await triage([...events, ...more])
    expect(github.writes).toEqual([])
  })

  it('renders hostile log text inert and cannot be tricked by a forged marker', async () => {
    const hostileKey = 'key-x -->\n<!-- openai-keywatch:event=audit_log-future -->'
    const events = [
      created({
        id: 'audit_log-h1',
        key: hostileKey,
        name: '@acme/security-team <img src=x onerror=alert(1)> ![x](https://evil.example/x.png) [click](https://evil.example) #1',
        email: '@org/team|col\nnew line `tick`',
        userAgent: `${'A'.repeat(10_000)}`,
        city: '<script>alert(1)</script>'
      }),
      created({ id: 'audit_log-h2', key: 'key-y', userAgent: 'www.evil.example | x \\| y' })
    ]
    await triage(events)
    const [issue] = github.issues
    const body = issue!.body
    expect(markedKey(body)).toBe(markerId(hostileKey))
    expect(markedEvents(body)).toEqual(['audit_log-h1'])
    expect(live(body.split('### MITRE')[0]!)).not.toMatch(/<|\]\(|@[a-z]|#\d|https:\/\/|www\./i)
    expect(body).not.toContain('A'.repeat(500))
    expect(issue!.title).not.toContain('\n')
    expect(tableShapes(body)).toEqual([[8, 8, 8]])
    expect(tableShapes(renderSummary(await triage(events)))).toEqual([
      [9, 9, 9, 9],
      [5, 5, 5, 5]
    ])
    expect(live(renderSummary(await triage(events)))).not.toMatch(/<|\]\(https:\/\/evil|@[a-z]|#\d|www\./i)
    // The rerun with the hostile key finds its issue: no duplicate, no write.
    github.reset()
    await triage(events)
    expect(github.writes).toEqual([])

    // A new hostile event on the known key: the comment is as inert as the issue.
    await triage([
      ...events,
      updated({
        id: 'audit_log-h3',
        key: hostileKey,
        email: '@acme/admins ![x](https://evil.example/x.png)',
        userAgent: '<img src=x onerror=alert(1)>|`|\n#2'
      })
    ])
    const [comment] = github.commentsOf(1)
    expect(markedEvents(comment!.body)).toEqual(['audit_log-h3'])
    expect(live(comment!.body)).not.toMatch(/<|\]\(|@[a-z]|#\d|https:\/\/|www\./i)
    expect(tableShapes(comment!.body)).toEqual([[8, 8, 8]])
  })

  it("gives up on a GitHub that never answers, or trickles its answer, after each request's time limit", async () => {
    for (const mode of ['hang', 'drip'] as const) {
      github.reset()
      github.stall({ method: 'GET', mode, everyMs: 20, times: 10 })
      const run = await triage(SEED, {}, github, { timings: { requestTimeoutMs: 300, serverErrorRetries: 1 } })
      // Two tries of the list, then nothing: without it no key can be told from a new one.
      expect(github.requests).toHaveLength(2)
      expect(run.issues.map((a) => a.action)).toEqual(['failed', 'failed', 'failed'])
      expect(run.issues[0]!.detail).toBe(
        'Could not list the issues labelled openai-keywatch: GitHub gave no whole answer within 0.3 s for GET ' +
          '/repos/acme/security/issues, after its retries: GitHub is slow or unreachable; the next run tries again.'
      )
      expect(run.gate.failed).toBe(true)
    }
  })

  it('ends the GitHub phase at its budget: the keys not written are reported as such and fail the run', async () => {
    github.stall({ method: 'POST', mode: 'hang', times: 100 })
    const run = await triage(SEED, { 'fail-on': 'none' }, github, { budget: { ms: 500, words: 'github-budget: 1s' } })
    // One write, hung until the budget ended the phase (the reason says so); no other started.
    expect(github.writes).toHaveLength(1)
    const notWritten =
      'Not written: the GitHub phase used its whole budget (github-budget: 1s) before it was done. ' +
      'The findings are in the summary and the JSON report; the next run writes it.'
    expect(run.issues).toEqual([
      { keyId: 'key-alpha', action: 'failed', detail: notWritten },
      { keyId: 'key-bravo', action: 'failed', detail: notWritten },
      { keyId: 'key-charlie', action: 'failed', detail: notWritten }
    ])
    expect(run.gate).toEqual({
      failed: true,
      reason: 'The GitHub issue of 3 keys could not be written (see the job summary).'
    })
  })

  it('ends the phase early on secondary-limit refusals in a row, or a wait longer than the budget left', async () => {
    github.fail({ method: 'POST', path: /\/issues$/, status: 403, retryAfter: 1, times: 100 })
    const refused = await triage(SEED, { 'fail-on': 'none' })
    // The first key's three tries; the other keys are not tried at all.
    expect(github.writes).toHaveLength(3)
    expect(refused.issues.map((a) => a.action)).toEqual(['failed', 'failed', 'failed'])
    expect(refused.issues[0]!.detail).toContain('GitHub answered 403 to POST /repos/acme/security/issues')
    expect(refused.issues[1]!.detail).toBe(
      "Not written: GitHub's secondary rate limit refused 3 requests in a row, so the GitHub phase ended early. " +
        'The findings are in the summary and the JSON report; the next run writes it.'
    )

    github.reset()
    github.fail({ method: 'POST', path: /\/issues$/, status: 429, retryAfter: 60, times: 100 })
    const waited = await triage(SEED, { 'fail-on': 'none' }, github, {
      timings: { secondMs: 1000 },
      budget: { ms: 30_000, words: 'github-budget: 30s' }
    })
    // Not waited for: one write, and the reason names the wait it did not make.
    expect(github.writes).toHaveLength(1)
    expect(waited.issues[2]!.detail).toBe(
      "Not written: GitHub asked to wait 60 s (secondary rate limit), longer than what is left of the GitHub phase's budget " +
        '(github-budget: 30s). The findings are in the summary and the JSON report; the next run writes it.'
    )
  })

  it('warns, and does not fail, when the deletion of a key without findings cannot be noted', async () => {
    await triage(SEED)
    github.reset()
    github.fail({ method: 'GET', status: 503, message: 'Service Unavailable', times: 100 })
    const run = await triage([deleted({ id: 'audit_log-d1', key: 'key-alpha' })])
    expect(run.issues).toEqual([
      {
        keyId: 'key-alpha',
        action: 'not-noted',
        detail: expect.stringContaining('Could not list the issues labelled openai-keywatch: GitHub answered 503')
      }
    ])
    expect(run.gate).toEqual({ failed: false, reason: 'Passed: no finding at or above fail-on (high).' })
    const summary = renderSummary(run)
    expect(summary).toContain('### Deletions not noted: 1')
    expect(summary).not.toContain('### Issue failures')

    // With a finding for another key, that key's failure still fails the run.
    github.reset()
    github.fail({ method: 'GET', status: 503, message: 'Service Unavailable', times: 100 })
    const mixed = await triage([...SEED.slice(0, 1), deleted({ id: 'audit_log-d2', key: 'key-bravo' })], {
      'fail-on': 'none'
    })
    // key-bravo may have no issue at all: the failure is said by key-alpha's, not as a deletion not noted.
    expect(mixed.issues.map((a) => [a.keyId, a.action])).toEqual([['key-alpha', 'failed']])
    expect(mixed.gate.failed).toBe(true)
  })
})

describe('where issues go, and to whom', () => {
  let secops: FakeGitHub
  beforeEach(async () => {
    secops = await new FakeGitHub({ repository: 'acme/secops', token: 'github_pat_secops0123456789' }).start()
  })
  afterEach(async () => {
    await secops.stop()
  })

  it("files the issues in the repository named by the input, linking the workflow's run", async () => {
    const run = await triage(SEED, { repository: 'acme/secops' }, secops)
    expect(run.issues.map((a) => a.action)).toEqual(['created', 'created', 'created'])
    expect(secops.issues).toHaveLength(3)
    expect(new Set(secops.requests.map((r) => r.path.split('/').slice(0, 4).join('/')))).toEqual(
      new Set(['/repos/acme/secops'])
    )
    expect(run.issues[0]!.url).toBe('https://github.com/acme/secops/issues/1')
    // The run is the workflow's, in its own repository.
    expect(secops.issues[0]!.body).toContain(`[this workflow run](${RUN_URL})`)
    secops.reset()
    await triage(SEED, { repository: 'acme/secops' }, secops)
    expect(secops.writes).toEqual([])
  })

  it('says what token another repository needs when it refuses the workflow token', async () => {
    secops.fail({ status: 403, message: 'Resource not accessible by integration', times: 10 })
    const run = await triage(SEED, { repository: 'acme/secops' }, secops)
    expect(run.gate.failed).toBe(true)
    expect(run.issues[0]!.detail).toContain(
      "The workflow's GITHUB_TOKEN reaches only acme/security: for acme/secops, give github-token a " +
        'fine-grained personal access token or a GitHub App token with Issues: Read and write on it. Or set create-issues: false.'
    )
  })

  it('assigns new issues to the assignees, and files them unassigned when GitHub refuses one', async () => {
    const run = await triage(SEED.slice(0, 1), { assignees: '@alice\nbob' })
    expect(run.issues[0]!.action).toBe('created')
    expect(github.issues[0]!.assignees).toEqual(['alice', 'bob'])
    const posted = github.requests.filter((r) => r.method === 'POST')
    expect(posted).toHaveLength(1)

    github.reset()
    const refused = await triage(SEED.slice(1, 2), { assignees: 'alice, mallory' })
    expect(github.issues[1]!.assignees).toEqual([])
    expect(refused.issues[0]).toMatchObject({ keyId: 'key-bravo', action: 'created', issueNumber: 2 })
    expect(refused.issues[0]!.detail).toContain('not assigned: GitHub refused the assignees (GitHub answered 422')
    expect(refused.issues[0]!.detail).toContain(
      'check that each of alice, mallory may be assigned issues in acme/security'
    )
    expect(github.writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/security/issues',
      'POST /repos/acme/security/issues'
    ])
    // Filed all the same: not an issue failure.
    expect(refused.gate.reason).not.toContain('could not be written')
  })
})
