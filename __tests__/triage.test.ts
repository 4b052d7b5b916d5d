// The pure side of triage: markers, issue bodies, plans, the gate, the job summary and the report.
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scan, type ScanResult } from '../src/scan.js'
import { groupByKey } from '../src/triage/findings.js'
import { gate } from '../src/triage/gate.js'
import {
  eventMarker,
  keyMarker,
  keysToTriage,
  markedEvents,
  markedKey,
  markerId,
  planIssues,
  planKey,
  renderIssue,
  type IssueContext,
  type KnownIssue
} from '../src/triage/issues.js'
import { code, inert } from '../src/triage/markdown.js'
import { buildReport, reportLines, writeReport, type IssueAction } from '../src/triage/report.js'
import { renderSummary, SUMMARY_BUDGET } from '../src/triage/summary.js'
import { newStatus } from '../src/audit-log/source.js'
import { created, deleted, memorySource, updated } from './support/events.js'

const CONTEXT: IssueContext = { label: 'openai-keywatch', reopenClosed: true }

async function scanned(events: unknown[], allowActors: string[] = []): Promise<ScanResult> {
  return scan(memorySource(events), {
    rule: { elevatedScopes: ['all', 'admin', 'models:write'], highScopes: ['all', 'admin'] },
    window: {},
    allowActors
  })
}

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

describe('hidden markers', () => {
  it('keeps plain ids and hashes anything that could break or forge a marker', () => {
    expect(markerId('audit_log-abc123')).toBe('audit_log-abc123')
    expect(markerId('key-abc.def:1')).toBe('key-abc.def:1')
    for (const hostile of ['key -->', 'a--b', 'x\n<!-- openai-keywatch:key=victim -->', 'k'.repeat(65), '-x', '']) {
      expect(markerId(hostile)).toMatch(/^sha256-[0-9a-f]{32}$/)
    }
    expect(markerId('a--b')).not.toBe(markerId('a--c'))
    expect(keyMarker('key -->')).not.toContain('key -->')
  })

  it('reads markers only on lines of their own', () => {
    const body = [
      keyMarker('key-real'),
      `- Key: ${code('x <!-- openai-keywatch:key=key-forged -->')}`,
      `text ${eventMarker('audit_log-inline')}`,
      eventMarker('audit_log-1'),
      eventMarker('audit_log-2')
    ].join('\n')
    expect(markedKey(body)).toBe('key-real')
    expect(markedEvents(body)).toEqual(['audit_log-1', 'audit_log-2'])
    expect(markedKey('no marker')).toBeUndefined()
    expect(markedEvents(null)).toEqual([])
  })
})

describe('issue bodies', () => {
  it('renders a MEDIUM key with its label, details, runbook checklist and no run link outside a run', async () => {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-m', scopes: ['models:write'] })])
    const [key] = groupByKey(result.findings)
    const issue = renderIssue(key!, CONTEXT)
    expect(issue.title).toBe('[MEDIUM] OpenAI API key key-m has elevated scopes')
    expect(issue.labels).toEqual(['openai-keywatch', 'severity:medium'])
    expect(issue.body).toContain('Found by the openai-keywatch CLI.')
    expect(issue.body.match(/^- \[ \] /gm)).toHaveLength(3)
    expect(issue.more).toEqual([])
  })

  it('caps and flattens a hostile title', () => {
    const result = [created({ id: 'audit_log-1', key: `key\n${'k'.repeat(400)}` })]
    return scanned(result).then((r) => {
      const issue = renderIssue(groupByKey(r.findings)[0]!, CONTEXT)
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
    const issue = renderIssue(key!, CONTEXT)
    for (const body of [issue.body, ...issue.more]) expect(body.length).toBeLessThanOrEqual(65_536)
    expect(issue.body).toContain('and 1995 more')
    expect(issue.body).toContain('- …and 480 more deletion events')
    const recorded = [issue.body, ...issue.more].flatMap((body) => markedEvents(body))
    expect(new Set(recorded).size).toBe(2500)
  })
})

describe('plans', () => {
  it('leaves an issue alone when it records every event and its label is high enough', async () => {
    const result = await scanned([updated({ id: 'audit_log-1', key: 'key-a', scopes: ['models:write'] })])
    const [work] = keysToTriage(groupByKey(result.findings), [])
    // A MEDIUM finding never lowers a HIGH label.
    expect(planKey(work!, known(7, ['audit_log-1']), CONTEXT)).toEqual({
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
    const [a, b] = planIssues(work, issues, CONTEXT, 25)
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
    expect(planIssues(work, issues, CONTEXT, 1).map((step) => step.kind)).toEqual(['unchanged', 'create', 'capped'])
    expect(planIssues(work, issues, CONTEXT, 0).map((step) => step.kind)).toEqual(['unchanged', 'capped', 'capped'])
  })
})

describe('the gate', () => {
  it('fails on issue failures, even with fail-on none, and says why', () => {
    expect(gate([], 'none', true, [], 2)).toEqual({
      failed: true,
      reason: 'The GitHub issue of 2 keys could not be written (see the summary); the next run tries again.'
    })
    expect(gate([{ severity: 'HIGH' }], 'high', false, ['page 3'], 1).reason).toMatch(
      /^The audit-log window was not read completely \(page 3\).*The GitHub issue of 1 key could not be written/
    )
    expect(gate([{ severity: 'MEDIUM' }], 'high', true, [], 0).failed).toBe(false)
  })
})

describe('markdown', () => {
  it('keeps a backslash before a pipe from breaking a table cell', () => {
    expect(code('a\\|b')).toBe('`a\\\u200b\\|b`')
    expect(inert('a\\|b')).toBe('a\\\\\\|b')
    // GH-12 links issue 12 as #12 does.
    expect(inert('see GH-12 and gh-3')).toBe('see GH\u200b\\-12 and gh\u200b\\-3')
  })
})

describe('the job summary', () => {
  it('stays under 1 MiB with thousands of hostile findings, and counts what it leaves out', async () => {
    const events = Array.from({ length: 6000 }, (_, i) =>
      created({
        id: `audit_log-${i}`,
        key: `key-${i % 3000}`,
        name: '鍵'.repeat(300),
        email: `${'@'.repeat(150)}@evil.example`,
        userAgent: '|'.repeat(2000),
        city: '東京'.repeat(100)
      })
    )
    const result = await scanned(events, ['nobody'])
    const suppressed = await scanned(
      events.slice(0, 2000).map((event, i) => ({ ...event, id: `audit_log-s${i}` })),
      ['@'.repeat(150) + '@evil.example']
    )
    result.suppressed = suppressed.suppressed
    const keys = groupByKey(result.findings)
    const issues: IssueAction[] = keys.map((key, i) => ({
      keyId: key.keyId,
      action: i < 25 ? 'created' : i < 2000 ? 'capped' : 'failed',
      issueNumber: i < 25 ? i + 1 : undefined,
      url: i < 25 ? `https://github.com/acme/security/issues/${i + 1}` : undefined,
      detail: i >= 2000 ? 'GitHub answered 500 '.repeat(50) : undefined
    }))
    const status = newStatus()
    const report = buildReport({
      source: { label: 'memory', status },
      window: {},
      result,
      failOn: 'high',
      gate: gate(result.findings, 'high', true, [], 1000),
      issues,
      issueMode: 'on'
    })
    const summary = renderSummary(report)
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThan(SUMMARY_BUDGET)
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThan(1024 * 1024)
    expect(summary).toMatch(/…and \d+ more findings not shown here/)
    expect(summary).toMatch(/### Not turned into issues \(max-issues\): 1975\n/)
    expect(summary).toMatch(/### Issue failures: 1000\n/)
    expect(summary).toMatch(/### Suppressed \(allow-actors\): 2000\n/)
    expect(summary).toContain('### Verdict')
    // What is shown plus what is counted is every finding.
    const shown = summary
      .split('### Issues')[0]!
      .split('\n')
      .filter((line) => line.startsWith('| 🔴')).length
    const more = Number(/…and (\d+) more findings not shown here/.exec(summary)![1])
    expect(shown + more).toBe(6000)
  })
})

describe('the JSON report', () => {
  it('is written key by key, byte for byte what JSON.stringify gives, deletions with their keys', async () => {
    const events = [
      created({ id: 'audit_log-1', key: 'key-a', scopes: ['all'] }),
      updated({ id: 'audit_log-2', key: 'key-a', scopes: ['models:write'], email: 'x"\n</script>@evil' }),
      created({ id: 'audit_log-3', key: 'key-b', scopes: ['models:write'] }),
      deleted({ id: 'audit_log-4', key: 'key-a' }),
      deleted({ id: 'audit_log-5', key: 'key-gone' }),
      created({ id: 'audit_log-6', key: 'key-c', scopes: ['admin'], email: 'ops@company.com' })
    ]
    const result = await scanned(events, ['ops@company.com'])
    const report = buildReport({
      source: { label: 'memory', status: newStatus() },
      window: { since: 1_789_000_000 },
      result,
      failOn: 'high',
      gate: gate(result.findings, 'high', true, [])
    })
    expect(report.keys.map((key) => [key.keyId, key.deletions.map((d) => d.eventId)])).toEqual([
      ['key-a', ['audit_log-4']],
      ['key-b', []]
    ])
    expect(report.suppressed).toHaveLength(1)
    const dir = mkdtempSync(join(tmpdir(), 'keywatch-report-'))
    const path = join(dir, 'report.json')
    await writeReport(path, report)
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect([...reportLines(report)].join('\n')).toBe(JSON.stringify(report, null, 2))
  })
})
