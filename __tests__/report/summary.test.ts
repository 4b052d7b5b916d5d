// The job summary.
import { gate } from '../../src/report/gate.js'
import type { IssueAction } from '../../src/issues/action.js'
import { buildReport } from '../../src/report/report.js'
import { renderSummary, SUMMARY_BUDGET } from '../../src/report/summary.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { created, scanned } from '../support/events.js'

/** The report of a scan with nothing suppressed, complete, fail-on high. */
function reportOf(result: Awaited<ReturnType<typeof scanned>>) {
  return buildReport({
    source: 'memory',
    window: {},
    result,
    keys: groupByKey(result.findings),
    suppressed: [],
    failOn: 'high',
    gate: gate({ severities: result.severities, failOn: 'high', complete: true, missing: [] })
  })
}

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
    const report = buildReport({
      source: 'memory',
      window: {},
      result,
      keys,
      suppressed: groupByKey(result.suppressed),
      failOn: 'high',
      gate: gate({ severities: result.severities, failOn: 'high', complete: true, missing: [], issueFailures: 1000 }),
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

  it('counts the key events left out by project-ids, those without a project among them', async () => {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-1' })])
    result.otherProjects = 2
    const report = reportOf(result)
    expect(report.otherProjects).toBe(2)
    expect(renderSummary(report)).toContain('- Key events of other projects (project-ids), not judged: 2\n')
  })

  it('bounds each row: one key with a huge list of scopes does not stop the findings table at its row', async () => {
    const scopes = Array.from({ length: 16_000 }, (_, i) => `api.${'x'.repeat(50)}.${i}.write`)
    const result = await scanned([
      created({ id: 'audit_log-huge', key: 'key-huge', scopes: ['all', ...scopes] }),
      ...Array.from({ length: 5 }, (_, i) =>
        created({ id: `audit_log-${i}`, key: `key-${i}`, scopes: ['models:write'] })
      )
    ])
    const report = reportOf(result)
    const summary = renderSummary(report)
    const rows = summary.split('\n').filter((line) => /^\| (🔴|🟠)/.test(line))
    expect(rows).toHaveLength(6)
    for (const row of rows) expect(Buffer.byteLength(row)).toBeLessThan(4096)
    expect(rows[0]).toContain('`key-huge`')
    expect(rows[0]).toContain('and 15991 more (in the JSON report)')
    expect(summary).not.toContain('more finding')
  })
})
