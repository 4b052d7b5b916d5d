// What a run does for each key: the plan, with no GitHub involved.
import type { IssueOptions } from '../../src/issues/options.js'
import { keysToTriage, planIssues, planKey, type KnownIssue } from '../../src/issues/plan.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { created, deleted, scanned, updated } from '../support/events.js'

const OPTIONS: IssueOptions = { label: 'openai-keywatch', maxIssues: 25, dryRun: false, reopenClosed: true }

function known(number: number, events: string[], extra: Partial<KnownIssue> = {}): KnownIssue {
  return {
    number,
    url: `https://github.com/acme/security/issues/${number}`,
    state: 'open',
    labels: ['openai-keywatch', 'severity:high'],
    recorded: new Set(events),
    ...extra
  }
}

describe('plans', () => {
  it('leaves an issue alone when it records every event and its label is high enough', async () => {
    const result = await scanned([updated({ id: 'audit_log-1', key: 'key-a', scopes: ['models:write'] })])
    const [work] = keysToTriage(groupByKey(result.findings), [])
    // A MEDIUM finding never lowers a HIGH label.
    expect(planKey(work!, known(7, ['audit_log-1']), OPTIONS)).toEqual({
      kind: 'unchanged',
      keyId: 'key-a',
      number: 7,
      url: 'https://github.com/acme/security/issues/7'
    })
  })

  it('notes a deletion on a closed issue without reopening it, and opens nothing for a deletion alone', async () => {
    const result = await scanned([
      deleted({ id: 'audit_log-d', key: 'key-a' }),
      deleted({ id: 'audit_log-e', key: 'key-b' })
    ])
    const work = keysToTriage([], result.deletions)
    const issues = new Map([['key-a', known(3, ['audit_log-1'], { state: 'closed' })]])
    const [a, b] = planIssues(work, issues, OPTIONS)
    expect(a).toMatchObject({ kind: 'update', number: 3, patch: undefined, changes: ['key deleted'] })
    expect(b).toEqual({ kind: 'nothing', keyId: 'key-b' })
  })

  it('counts only new issues against max-issues', async () => {
    const result = await scanned([
      created({ id: 'audit_log-1', key: 'key-a' }),
      created({ id: 'audit_log-2', key: 'key-b' }),
      created({ id: 'audit_log-3', key: 'key-c' })
    ])
    const work = keysToTriage(groupByKey(result.findings), [])
    const issues = new Map([['key-a', known(1, ['audit_log-1'])]])
    expect(planIssues(work, issues, { ...OPTIONS, maxIssues: 1 }).map((step) => step.kind)).toEqual([
      'unchanged',
      'create',
      'capped'
    ])
    expect(planIssues(work, issues, { ...OPTIONS, maxIssues: 0 }).map((step) => step.kind)).toEqual([
      'unchanged',
      'capped',
      'capped'
    ])
  })
})
