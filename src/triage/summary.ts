// The job summary: what was scanned, what was found, what was done, and the verdict.
import { RULE } from '../rules/api-key-anomalous-activity.js'
import type { Finding } from '../scan.js'
import { code, inert, isoTime, table } from './markdown.js'
import type { IssueAction, Report } from './report.js'

/** GitHub keeps at most 1 MiB of summary per step; stay well below it. */
export const SUMMARY_BUDGET = 900 * 1024

const SEVERITY_ICON: Record<string, string> = { CRITICAL: '🟥', HIGH: '🔴', MEDIUM: '🟠', LOW: '🟡', INFO: '⚪' }

function where(finding: Finding): string {
  const { actor } = finding
  const place = [actor.city, actor.country].filter(Boolean).join(', ')
  return [actor.ip ? code(actor.ip) : '', place ? inert(place, 60) : ''].filter(Boolean).join(' ') || '-'
}

function issueCell(action: IssueAction | undefined): string {
  if (!action) return '-'
  if (action.url && action.issueNumber) return `[#${action.issueNumber}](${action.url}) ${action.action}`
  return action.action
}

function findingRow(finding: Finding, action: IssueAction | undefined): string[] {
  return [
    `${SEVERITY_ICON[finding.severity] ?? ''} ${finding.severity}`,
    code(finding.keyId, 80),
    code(finding.eventType),
    isoTime(finding.effectiveAt),
    inert(finding.actor.name, 120),
    finding.scopes.map((scope) => code(scope, 40)).join(' ') || '-',
    where(finding),
    inert(finding.actor.userAgent, 80),
    issueCell(action)
  ]
}

const FINDING_HEADERS = [
  'Severity',
  'Key',
  'Event',
  'Time (UTC)',
  'Actor',
  'Scopes',
  'Source IP, location',
  'User agent',
  'Issue'
]

export function renderSummary(report: Report): string {
  const parts: string[] = []
  const window = `${report.window.since ?? 'the start of the file'} to ${report.window.until ?? 'its end'}`
  parts.push(`## ${RULE.displayName}`)
  parts.push(
    [
      `- Source: ${inert(report.source, 300)}`,
      `- Window: ${window}`,
      `- Read completely: ${report.complete ? 'yes' : `**no**: ${report.missing.map((part) => inert(part, 300)).join('; ')}`}`,
      `- Events scanned: ${report.eventsScanned} (API key events: ${report.keyEvents}${report.duplicates ? `, duplicates skipped: ${report.duplicates}` : ''})`,
      `- Findings: ${report.counts.total} (HIGH ${report.counts.high}, MEDIUM ${report.counts.medium}) on ${report.keys.length} key${report.keys.length === 1 ? '' : 's'}`,
      report.unreadable.count ? `- Unreadable records skipped: ${report.unreadable.count}` : '',
      report.malformed.count ? `- Malformed events skipped: ${report.malformed.count}` : ''
    ]
      .filter(Boolean)
      .join('\n')
  )
  if (!report.complete) {
    parts.push(
      `> [!CAUTION]\n> Part of the window could not be read. This run does not say the window is clean; it fails whatever fail-on says.`
    )
  }

  const actions = new Map(report.issues.map((action) => [action.keyId, action]))
  const rows: string[][] = []
  for (const key of report.keys)
    for (const finding of key.findings) rows.push(findingRow(finding, actions.get(key.keyId)))
  if (rows.length > 0) {
    parts.push('### Findings')
    // Rows are added while they fit; the tail is counted, never dropped silently.
    const fixed = parts.join('\n\n').length + 4096
    const kept: string[][] = []
    let size = fixed
    for (const row of rows) {
      const length = row.join(' | ').length + 4
      if (size + length > SUMMARY_BUDGET) break
      kept.push(row)
      size += length
    }
    parts.push(table(FINDING_HEADERS, kept))
    if (kept.length < rows.length) {
      parts.push(
        `…and ${rows.length - kept.length} more findings not shown here (GitHub's summary limit); every one is in the JSON report (output \`report\`).`
      )
    }
  } else {
    parts.push('No findings.')
  }

  if (report.suppressed.length > 0) {
    const suppressed = report.suppressed.flatMap((key) => key.findings)
    parts.push(`### Suppressed (allow-actors): ${suppressed.length}`)
    parts.push(
      table(
        ['Severity', 'Key', 'Actor', 'Time (UTC)'],
        suppressed
          .slice(0, 200)
          .map((f) => [f.severity, code(f.keyId, 80), inert(f.actor.name, 120), isoTime(f.effectiveAt)])
      ) + (suppressed.length > 200 ? `\n\n…and ${suppressed.length - 200} more.` : '')
    )
  }

  const notes = [...report.unreadable.listed, ...report.malformed.listed]
  if (notes.length > 0) {
    parts.push('### Skipped records')
    parts.push(
      notes
        .slice(0, 50)
        .map((note) => `- ${inert(note.where, 80)}: ${inert(note.reason, 200)}`)
        .join('\n')
    )
  }

  parts.push(`### Verdict\n${report.gate.failed ? '❌' : '✅'} ${report.gate.reason}`)
  return `${parts.join('\n\n')}\n`
}
