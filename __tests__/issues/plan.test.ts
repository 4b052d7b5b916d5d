// What a run does for each key: the plan, with no GitHub involved.
import { closedMarker, eventMarker, keyMarker, markedClosed, markerId } from '../../src/github/markers.js'
import type { IssueOptions } from '../../src/issues/options.js'
import {
  addListedIssue,
  needsComments,
  needsPermission,
  planIssues,
  planKey,
  recordComment,
  type KnownIssue,
  type ListedIssue
} from '../../src/issues/plan.js'
import { keysToTriage } from '../../src/issues/work.js'
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

  it('finds the events an issue records by their markers, hashed ids included', async () => {
    const id = 'audit log 1 (a plain id has no spaces)'
    const result = await scanned([created({ id, key: 'key-a' }), deleted({ id: 'audit log 2', key: 'key-a' })])
    const [work] = keysToTriage(groupByKey(result.findings, result.deletions), result.deletions)
    const recorded = known(7, [markerId(id), markerId('audit log 2')])
    expect(needsComments(work!, recorded, OPTIONS)).toBe(false)
    expect(planKey(work!, recorded, OPTIONS).kind).toBe('unchanged')
    // Not by the raw ids, which a marker never holds.
    expect(planKey(work!, known(7, [id, 'audit log 2']), OPTIONS)).toMatchObject({
      kind: 'update',
      changes: ['1 new event', 'key deleted']
    })
  })

  it('raises the label to the highest of the new findings, whatever their order', async () => {
    const result = await scanned([
      created({ id: 'audit_log-1', key: 'key-a', scopes: ['all'], at: 1_790_000_000 }),
      updated({ id: 'audit_log-2', key: 'key-a', scopes: ['models:write'], at: 1_790_000_500 }),
      updated({ id: 'audit_log-3', key: 'key-a', scopes: ['models:write'], at: 1_789_000_000 })
    ])
    const [work] = keysToTriage(groupByKey(result.findings), [])
    expect([...work!.findings].map((finding) => finding.severity)).toEqual(['HIGH', 'MEDIUM', 'MEDIUM'])
    const low = known(7, [], { labels: ['openai-keywatch', 'severity:low'] })
    expect(planKey(work!, low, OPTIONS)).toMatchObject({
      kind: 'update',
      patch: { labels: ['openai-keywatch', 'severity:high'] },
      changes: ['3 new events', 'severity:low → severity:high']
    })
    // The same with the findings the other way round.
    const reversed = { ...work!, findings: [...work!.findings].reverse() }
    expect(planKey(reversed, low, OPTIONS)).toMatchObject({ patch: { labels: ['openai-keywatch', 'severity:high'] } })
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

/** An issue as GitHub lists it, with a body naming `keyId` and recording `events`. */
function listed(number: number, keyId: string | undefined, events: string[] = [], extra: Partial<ListedIssue> = {}) {
  const lines = [
    `Key ${keyId ?? 'none'}`,
    ...(keyId === undefined ? [] : [keyMarker(keyId)]),
    ...events.map((id) => eventMarker(id))
  ]
  return {
    number,
    url: `https://github.com/acme/security/issues/${number}`,
    state: 'open' as const,
    labels: ['openai-keywatch'],
    body: lines.join('\n'),
    author: 'github-actions[bot]',
    pullRequest: false,
    ...extra
  }
}

describe("which issue is a key's", () => {
  it('keeps the oldest (lowest number) of two issues for one key, in either order', () => {
    const older = listed(3, 'key-a', ['audit_log-1'])
    const newer = listed(9, 'key-a', ['audit_log-2'])
    for (const order of [
      [older, newer],
      [newer, older]
    ]) {
      const issues = new Map<string, KnownIssue>()
      for (const item of order) addListedIssue(issues, item)
      expect([...issues.keys()]).toEqual([markerId('key-a')])
      expect(issues.get('key-a')).toMatchObject({ number: 3, recorded: new Set(['audit_log-1']) })
    }
  })

  it('keeps one issue per key', () => {
    const issues = new Map<string, KnownIssue>()
    addListedIssue(issues, listed(5, 'key-b'))
    addListedIssue(issues, listed(4, 'key-a'))
    expect(new Map([...issues].map(([key, issue]) => [key, issue.number]))).toEqual(
      new Map([
        ['key-b', 5],
        ['key-a', 4]
      ])
    )
  })

  it('ignores pull requests and bodies without a key marker', () => {
    const issues = new Map<string, KnownIssue>()
    addListedIssue(issues, listed(1, 'key-a', [], { pullRequest: true }))
    addListedIssue(issues, listed(2, undefined, ['audit_log-1']))
    addListedIssue(issues, listed(3, undefined, [], { body: null }))
    addListedIssue(
      issues,
      listed(4, undefined, [], { body: `Key key-a: ${keyMarker('key-a')} not on a line of its own` })
    )
    expect(issues.size).toBe(0)
    // A pull request with a lower number does not displace the issue.
    addListedIssue(issues, listed(8, 'key-a'))
    addListedIssue(issues, listed(7, 'key-a', [], { pullRequest: true }))
    expect(issues.get('key-a')?.number).toBe(8)
  })
})

describe('which comments to believe', () => {
  const forged = `Looks fine to me.\n${eventMarker('audit_log-forged')}`

  function issue(): KnownIssue {
    return known(4, ['audit_log-1'], { author: 'alice' })
  }

  it("records nothing from an outsider's forged marker", () => {
    const target = issue()
    recordComment(target, { login: 'mallory', association: 'NONE', body: forged })
    recordComment(target, { login: 'mallory', association: 'CONTRIBUTOR', body: forged })
    recordComment(target, { login: 'mallory', association: 'FIRST_TIME_CONTRIBUTOR', body: forged })
    recordComment(target, { association: 'NONE', body: forged })
    expect([...target.recorded]).toEqual(['audit_log-1'])
  })

  it('does not trust a login as the author when the issue has none', () => {
    const target = known(4, ['audit_log-1'])
    recordComment(target, { login: undefined, association: 'NONE', body: forged })
    expect([...target.recorded]).toEqual(['audit_log-1'])
  })

  it.each([
    ['GitHub Actions', { login: 'github-actions[bot]', association: 'NONE' }],
    ["the bot that opened the issue (an App's token)", { login: 'keywatch-app[bot]', association: 'NONE' }],
    ['the owner', { login: 'olivia', association: 'OWNER' }],
    ['a member who may write', { login: 'mia', association: 'MEMBER', permission: 'write' }],
    ['a collaborator who may maintain', { login: 'carl', association: 'COLLABORATOR', permission: 'maintain' }],
    ['an admin', { login: 'ada', association: 'NONE', permission: 'admin' }],
    ['the issue author who may write', { login: 'alice', association: 'NONE', permission: 'write' }]
  ])('records the events of a comment by %s', (_, who) => {
    const target = known(4, ['audit_log-1'], { author: who.login === 'keywatch-app[bot]' ? who.login : 'alice' })
    recordComment(target, { ...who, body: `${eventMarker('audit_log-2')}\n${eventMarker('audit_log-3')}` })
    expect([...target.recorded]).toEqual(['audit_log-1', 'audit_log-2', 'audit_log-3'])
  })

  it.each([
    ['a member alone', { login: 'mia', association: 'MEMBER' }],
    ['a member who may only read', { login: 'mia', association: 'MEMBER', permission: 'read' }],
    ['a read-only collaborator', { login: 'carl', association: 'COLLABORATOR', permission: 'read' }],
    ['a collaborator who may triage (read)', { login: 'carl', association: 'COLLABORATOR', permission: 'triage' }],
    ['the issue author, a person who may not write', { login: 'alice', association: 'NONE', permission: 'none' }],
    ['the issue author, a person not asked about', { login: 'alice', association: 'NONE' }]
  ])('records nothing from a comment by %s', (_, who) => {
    const target = issue()
    recordComment(target, { ...who, body: `${forged}\n${closedMarker()}` })
    expect([...target.recorded]).toEqual(['audit_log-1'])
    expect(target.closedAsRevoked).toBeUndefined()
  })

  it('asks for the permission only of people whose comment carries markers and who are not trusted as they are', () => {
    const target = issue()
    expect(needsPermission(target, { login: 'mia', association: 'MEMBER', body: forged })).toBe(true)
    expect(needsPermission(target, { login: 'mia', association: 'MEMBER', body: closedMarker() })).toBe(true)
    expect(needsPermission(target, { login: 'mia', association: 'MEMBER', body: 'LGTM' })).toBe(false)
    expect(needsPermission(target, { login: 'github-actions[bot]', association: 'NONE', body: forged })).toBe(false)
    expect(needsPermission(target, { login: 'olivia', association: 'OWNER', body: forged })).toBe(false)
    expect(needsPermission(target, { association: 'NONE', body: forged })).toBe(false)
  })

  it('takes a closed issue as closed once by the action only from the closing comment, not any trusted one', () => {
    const target = issue()
    recordComment(target, {
      login: 'github-actions[bot]',
      association: 'NONE',
      body: `noted\n${eventMarker('audit_log-2')}`
    })
    recordComment(target, { login: 'olivia', association: 'OWNER', body: 'Reviewed, all fine.' })
    expect(target.closedAsRevoked).toBeUndefined()
    recordComment(target, { login: 'github-actions[bot]', association: 'NONE', body: `closing\n${closedMarker()}` })
    expect(target.closedAsRevoked).toBe(true)
  })
})

describe('close-when-revoked', () => {
  const CLOSE: IssueOptions = { ...OPTIONS, closeWhenRevoked: true }
  const NOT_FOUND = { status: 'not-found' as const, lookedUpAt: 1_790_086_400, projectId: 'proj_main' }

  async function work(events: unknown[], info?: Parameters<typeof keysToTriage>[0][number]['info']) {
    const result = await scanned(events)
    const keys = groupByKey(result.findings, result.deletions).map((key) => ({ ...key, info }))
    return keysToTriage(keys, result.deletions)
  }

  it('closes an open issue once, with one comment, when the key was deleted in the window', async () => {
    const [deletedOnly] = await work([deleted({ id: 'audit_log-d', key: 'key-a' })])
    const issue = known(3, ['audit_log-1'])
    expect(needsComments(deletedOnly!, issue, CLOSE)).toBe(true)
    const step = planKey(deletedOnly!, issue, CLOSE)
    expect(step).toMatchObject({
      kind: 'update',
      patch: { state: 'closed', state_reason: 'completed' },
      changes: ['key deleted', 'closed: the key was deleted']
    })
    const comments = step.kind === 'update' ? step.comments : []
    expect(comments).toHaveLength(2)
    expect(comments[1]).toContain('### The key was deleted: closing this issue')
    expect(comments[1]).toContain('The audit log records its deletion: `api_key.deleted`')
    expect(markedClosed(comments[1])).toBe(true)
    expect(comments.filter((comment) => markedClosed(comment))).toHaveLength(1)

    // Once closed, or once a trusted comment says it was closed (a person reopened it): never again.
    expect(
      planKey(deletedOnly!, { ...issue, state: 'closed', recorded: new Set(['audit_log-1', 'audit_log-d']) }, CLOSE)
        .kind
    ).toBe('unchanged')
    const reopened = known(3, ['audit_log-1', 'audit_log-d'])
    recordComment(reopened, { login: 'github-actions[bot]', association: 'NONE', body: `closing\n${closedMarker()}` })
    expect(planKey(deletedOnly!, reopened, CLOSE).kind).toBe('unchanged')
  })

  it("does not believe an outsider's closed marker", async () => {
    const [deletedOnly] = await work([deleted({ id: 'audit_log-d', key: 'key-a' })])
    const issue = known(3, ['audit_log-1', 'audit_log-d'])
    recordComment(issue, { login: 'mallory', association: 'NONE', body: closedMarker() })
    expect(planKey(deletedOnly!, issue, CLOSE)).toMatchObject({ kind: 'update', patch: { state: 'closed' } })
  })

  it('closes only on a deletion: never on a 404 from the lookup, nor on a lookup that says nothing', async () => {
    const events = [created({ id: 'audit_log-1', key: 'key-a' })]
    const issue = () => known(3, ['audit_log-1'])
    for (const info of [
      undefined,
      NOT_FOUND,
      { status: 'not-looked-up' as const, reason: 'the admin key lacks permission to read API keys (API keys: Read)' },
      { status: 'found' as const, lookedUpAt: 1_790_086_400, owner: { type: 'unknown' as const }, lastUsedAt: null }
    ]) {
      const [unknown] = await work(events, info)
      expect(needsComments(unknown!, issue(), CLOSE)).toBe(false)
      expect(planKey(unknown!, issue(), CLOSE).kind).toBe('unchanged')
    }
    // Nor opens a new issue closed.
    const [notFound] = await work(events, NOT_FOUND)
    expect(planKey(notFound!, undefined, CLOSE)).not.toHaveProperty('close')
    // And a closed issue of a key not found is reopened by a new finding.
    const closed = known(3, [], { state: 'closed' })
    expect(planKey(notFound!, closed, CLOSE)).toMatchObject({ kind: 'update', patch: { state: 'open' } })
  })

  it('does not reopen a closed issue for new findings of a key whose deletion is in the window', async () => {
    const [both] = await work([
      created({ id: 'audit_log-1', key: 'key-a' }),
      updated({ id: 'audit_log-2', key: 'key-a', scopes: ['admin'] }),
      deleted({ id: 'audit_log-d', key: 'key-a' })
    ])
    const issue = known(3, ['audit_log-1'], { state: 'closed' })
    const step = planKey(both!, issue, CLOSE)
    expect(step).toMatchObject({ kind: 'update', patch: undefined, changes: ['1 new event', 'key deleted'] })
    expect(planKey(both!, issue, OPTIONS)).toMatchObject({ kind: 'update', patch: { state: 'open' } })
  })

  it('opens the issue of a key already deleted, and closes it at once', async () => {
    const [both] = await work([
      created({ id: 'audit_log-1', key: 'key-a' }),
      deleted({ id: 'audit_log-d', key: 'key-a' })
    ])
    const step = planKey(both!, undefined, CLOSE)
    expect(step).toMatchObject({ kind: 'create', close: expect.stringContaining(closedMarker()) })
    expect(planKey(both!, undefined, OPTIONS)).not.toHaveProperty('close')
  })
})
