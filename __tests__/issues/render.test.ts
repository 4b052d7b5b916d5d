// What an issue says.
import { markedEvents } from '../../src/issues/markers.js'
import type { IssueOptions } from '../../src/issues/options.js'
import { renderIssue } from '../../src/issues/render.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { created, deleted, scanned } from '../support/events.js'

const OPTIONS: IssueOptions = { label: 'openai-keywatch', maxIssues: 25, dryRun: false, reopenClosed: true }

describe('issue bodies', () => {
  it('renders a MEDIUM key with its label, details, runbook checklist and no run link outside a run', async () => {
    const result = await scanned([created({ id: 'audit_log-1', key: 'key-m', scopes: ['models:write'] })])
    const [key] = groupByKey(result.findings)
    const issue = renderIssue(key!, OPTIONS)
    expect(issue.title).toBe('[MEDIUM] OpenAI API key key-m has elevated scopes')
    expect(issue.labels).toEqual(['openai-keywatch', 'severity:medium'])
    expect(issue.body).toContain('Found by the openai-keywatch CLI.')
    expect(issue.body.match(/^- \[ \] /gm)).toHaveLength(3)
    expect(issue.more).toEqual([])
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
})
