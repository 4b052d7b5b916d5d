// What an issue says.
import { markedEvents } from '../../src/github/markers.js'
import type { IssueOptions } from '../../src/issues/options.js'
import { renderIssue, renderUpdate } from '../../src/issues/render.js'
import type { KeyInfo } from '../../src/model/index.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { created, deleted, scanned } from '../support/events.js'

const OPTIONS: IssueOptions = { label: 'openai-keywatch', maxIssues: 25, dryRun: false, reopenClosed: true }

describe('issue bodies', () => {
  it('renders a MEDIUM key with its label, details, runbook checklist and no run link outside a run', async () => {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-m', scopes: ['models:write'] })])
    const [key] = groupByKey(result.findings)
    const issue = renderIssue(key!, OPTIONS)
    expect(issue.title).toBe('[MEDIUM] Project key key-m created by dev@company.com')
    expect(issue.labels).toEqual(['openai-keywatch', 'severity:medium'])
    expect(issue.body).toContain('Found by the openai-keywatch CLI.')
    expect(issue.body.match(/^- \[ \] /gm)).toHaveLength(3)
    expect(issue.more).toEqual([])
  })

  it('says what to do: the runbook, and in its third step and the what-to-do line, the label that asks for a revocation', async () => {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-r', scopes: ['all'] })])
    const [key] = groupByKey(result.findings)
    const body = renderIssue(key!, { ...OPTIONS, revokeLabel: 'keywatch:revoke' }).body
    const asks = 'a person with write access adds the label `keywatch:revoke`'
    expect(body).toMatch(
      new RegExp(
        `^\\*\\*What to do\\*\\*: work through the runbook below\\. To revoke the key from this issue, ${asks}`,
        'm'
      )
    )
    const steps = body.match(/^- \[ \] .*$/gm)!
    expect(steps).toHaveLength(3)
    expect(steps[2]).toMatch(/^- \[ \] If suspicious activity is confirmed, immediately revoke or rotate/)
    expect(steps[2]).toContain(asks)
    expect(steps[0]).not.toContain('keywatch:revoke')
    expect(renderIssue(key!, OPTIONS).body).toContain('**What to do**: work through the runbook below.\n')
  })

  it('caps and flattens a hostile title', () => {
    const result = [created({ id: 'audit_log-1', key: `key\n${'k'.repeat(400)}` })]
    return scanned(result).then((r) => {
      const issue = renderIssue(groupByKey(r.findings)[0]!, OPTIONS)
      expect(issue.title.length).toBeLessThanOrEqual(256)
      expect(issue.title).not.toContain('\n')
    })
  })

  it('keeps a body within the limit however many names, projects and deletions a key has', async () => {
    const events = [
      ...Array.from({ length: 2000 }, (_, i) =>
        created({ id: `audit_log-${i}`, key: 'key-big', name: `${i}`.padEnd(200, 'n') })
      ),
      ...Array.from({ length: 500 }, (_, i) => deleted({ id: `audit_log-d${i}`, key: 'key-big', userAgent: 'u' }))
    ]
    const result = await scanned(events)
    const [key] = groupByKey(result.findings, result.deletions)
    const issue = renderIssue(key!, OPTIONS)
    for (const body of [issue.body, ...issue.more]) expect(body.length).toBeLessThanOrEqual(65_536)
    expect(issue.body).toContain('and 1995 more')
    expect(issue.body).toContain('- …and 480 more deletion events')
    const recorded = [issue.body, ...issue.more].flatMap((body) => markedEvents(body))
    expect(new Set(recorded).size).toBe(2500)
  })

  it('keeps a body within the limit however many scopes a key is given, the rest counted', async () => {
    // Escaped characters take twice the room: the worst a scope can be.
    const scopes = Array.from({ length: 2500 }, (_, i) => `api.${'\\|`'.repeat(20)}${i}.write`)
    const result = await scanned([
      created({ id: 'audit_log-1', key: 'key-wide', scopes: ['all', ...scopes] }),
      created({ id: 'audit_log-2', key: 'key-wide', scopes: ['all', ...scopes.reverse()] })
    ])
    const [key] = groupByKey(result.findings)
    const issue = renderIssue(key!, OPTIONS)
    expect(issue.body.length).toBeLessThan(65_536)
    expect(issue.more).toEqual([])
    expect(issue.body).toContain('and 2481 more (in the JSON report)')
    expect(issue.body).toContain('and 2491 more (in the JSON report)')
    // Both events are in the table, each row bounded.
    expect(markedEvents(issue.body)).toEqual(['audit_log-1', 'audit_log-2'])
    const rows = issue.body.split('\n').filter((line) => line.startsWith('| '))
    expect(rows).toHaveLength(4)
    for (const row of rows) expect(row.length).toBeLessThan(4000)
    const [comment] = renderUpdate({ ...key!, deletions: [] }, OPTIONS)
    expect(comment!.length).toBeLessThan(65_536)
    expect(comment).toContain('and 2491 more (in the JSON report)')
  })
})

describe('what the Admin API said about the key', () => {
  const at = 1_790_086_400

  async function withInfo(info: KeyInfo): Promise<string> {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-k', scopes: ['all'] })])
    const [key] = groupByKey(result.findings)
    return renderIssue({ ...key!, info }, OPTIONS).body
  }

  it("names a user owner's email and role, the key's name and redacted value, and its last use", async () => {
    const body = await withInfo({
      status: 'found',
      lookedUpAt: at,
      name: 'CI key',
      redactedValue: 'sk-proj-****abcd',
      owner: { type: 'user', id: 'user-1', email: 'alice@example.com', role: 'owner' },
      createdAt: at - 30 * 86_400,
      lastUsedAt: at - 5400
    })
    expect(body).toContain(
      [
        '### The key in the Admin API',
        '',
        'As the Admin API described it at 2026-09-22T14:13:20Z:',
        '',
        '- Owner: user `alice@example.com` (owner)',
        '- Name: CI key',
        '- Redacted value: `sk-proj-****abcd`',
        '- Created: 2026-08-23T14:13:20Z',
        '- Last used: 2026-09-22T12:43:20Z (90 minutes before the lookup)',
        '',
        '### Events'
      ].join('\n')
    )
  })

  it('says never used, and when an admin key expires', async () => {
    const body = await withInfo({
      status: 'found',
      lookedUpAt: at,
      owner: { type: 'service_account', id: 'svc_acct_1', name: 'deploybot', role: 'member' },
      lastUsedAt: null,
      expiresAt: null
    })
    expect(body).toContain('- Owner: service account deploybot (`svc_acct_1`, member)')
    expect(body).toContain('- Last used: never used')
    expect(body).toContain('- Expires: never')
  })

  it('says the key was not found, and that this closes nothing, or why it could not be looked up', async () => {
    expect(await withInfo({ status: 'not-found', lookedUpAt: at, projectId: 'proj_main' })).toContain(
      '**Not found**: the Admin API answered 404 (not found) for it in project `proj_main` at 2026-09-22T14:13:20Z. ' +
        'That is no proof that the key was revoked, and closes nothing: only its deletion in the audit log does.'
    )
    expect(await withInfo({ status: 'not-found', lookedUpAt: at })).toContain(
      'the Admin API answered 404 (not found) for it at 2026-09-22T14:13:20Z.'
    )
    const body = await withInfo({
      status: 'not-looked-up',
      reason: 'the events name no project, and a project key can only be looked up in its own project'
    })
    expect(body.replace(/\\/g, '')).toContain(
      'The key could not be looked up: the events name no project, and a project key can only be looked up in its own project.'
    )
  })

  it('makes a hostile owner name inert', async () => {
    const body = await withInfo({
      status: 'found',
      lookedUpAt: at,
      name: '@org/team <img src=x> [x](https://evil.example)',
      owner: { type: 'service_account', id: 'svc`|x', name: '@everyone' },
      lastUsedAt: null
    })
    expect(body).not.toMatch(/(^|[^\u200b\\])@(org|everyone)/)
    expect(body).not.toMatch(/(^|[^\\])<img/)
    expect(body).not.toContain('](https://evil')
  })

  it('puts it after the new events in a comment', () => {
    const info: KeyInfo = { status: 'not-found', lookedUpAt: at }
    const [comment] = renderUpdate({ keyId: 'key-k', findings: [], deletions: [], info }, OPTIONS)
    expect(comment).toContain('### The key in the Admin API')
  })
})
