// The job summary: what was scanned, what was found, what was done, and the verdict.
import { findingsTally, type Finding, type KeyFindings, type KeyInfo, type LedgerNote } from '../model/index.js'
import { RULE } from '../rules/api-key-anomalous-activity.js'
import { isoTime, plural, span } from '../text.js'
import { identitiesSection, investigationLine, signalsSection } from './investigation.js'
import {
  markdownCode,
  EVENT_COLUMNS,
  eventCells,
  markdownLink,
  markdownText,
  lastUsedText,
  ownerText,
  severityCell,
  table,
  timeCell
} from '../markdown/markdown.js'
import type { IssueAction } from '../issues/action.js'
import type { Report } from './report.js'

/** GitHub keeps at most 1 MiB (bytes) of summary per step; stay well below it. */
export const SUMMARY_BUDGET = 900 * 1024
/** The share of the budget the issue, suppressed and skipped sections may each take at most. */
const SECTION_BUDGET = 120 * 1024

/** A link to an issue, only when GitHub gave a plain http(s) URL. */
function issueLink(action: IssueAction): string | undefined {
  return action.issueNumber ? markdownLink(`#${action.issueNumber}`, action.url) : undefined
}

function issueCell(action: IssueAction | undefined): string {
  if (!action) return '-'
  return [issueLink(action), action.action].filter(Boolean).join(' ')
}

function findingRow(finding: Finding, action: IssueAction | undefined): string[] {
  return [severityCell(finding.severity), markdownCode(finding.keyId, 80), issueCell(action), ...eventCells(finding)]
}

// The issue comes early: the last of nine columns is cut off on a laptop's screen.
const FINDING_HEADERS = ['Severity', 'Key', 'Issue', ...EVENT_COLUMNS]

// The limit is in bytes: escaped and non-Latin text takes more bytes than characters.
function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * A table of the rows that fit in `budget` bytes; the tail is counted, never dropped silently.
 * Rows are rendered only until the budget is spent: a backfill can have thousands.
 */
function boundedTable(
  headers: readonly string[],
  rows: Iterable<string[]>,
  total: number,
  budget: number,
  rest: (count: number) => string
): string {
  const kept: string[][] = []
  let size = bytes(headers.join(' | ')) * 2 + 16
  for (const row of rows) {
    const length = bytes(row.join(' | ')) + 6
    if (size + length > budget) break
    kept.push(row)
    size += length
  }
  const parts = kept.length > 0 ? [table(headers, kept)] : []
  if (kept.length < total) parts.push(rest(total - kept.length))
  return parts.join('\n\n')
}

/** Every finding of the keys, in order, read one at a time. */
function* findingsOf(keys: readonly KeyFindings[]): Generator<Finding> {
  for (const key of keys) yield* key.findings
}

function countOf(keys: readonly KeyFindings[]): number {
  return keys.reduce((sum, key) => sum + key.findings.length, 0)
}

function* rowsOf<T>(items: Iterable<T>, render: (item: T) => string[]): Generator<string[]> {
  for (const item of items) yield render(item)
}

/** The keys whose issue took one of the actions that need saying apart: a heading that says what it means, then a table. */
function keysWhose(
  actions: readonly IssueAction[],
  heading: (count: number) => string,
  headers: readonly string[],
  row: (action: IssueAction) => string[]
): string[] {
  if (actions.length === 0) return []
  const rest = (count: number): string => `…and ${plural(count, 'more key')}; every one is in the JSON report.`
  return [
    heading(actions.length),
    boundedTable(headers, rowsOf(actions, row), actions.length, SECTION_BUDGET / 2, rest)
  ]
}

/** A key whose issue could not be written (or its deletion noted): the key, the issue, and what went wrong. */
function unwrittenRow(action: IssueAction): string[] {
  return [markdownCode(action.keyId, 80), issueLink(action) ?? '-', markdownText(action.detail, 500)]
}

/**
 * The keys whose issue was not written (or whose deletion was not noted), with what went
 * wrong: said once above them when one cause stopped them all (GitHub refused the token,
 * the phase's budget ran out), else in a column.
 */
function unwrittenKeys(actions: readonly IssueAction[], heading: (count: number) => string): string[] {
  const causes = new Set(actions.map((action) => action.detail))
  if (actions.length < 2 || causes.size !== 1)
    return keysWhose(actions, heading, ['Key', 'Issue', 'What went wrong'], unwrittenRow)
  const cause = markdownText(actions[0]!.detail, 800)
  return keysWhose(
    actions,
    (count) => `${heading(count)}\n\nWhat went wrong, for each of them: ${cause}`,
    ['Key', 'Issue'],
    (action) => [markdownCode(action.keyId, 80), issueLink(action) ?? '-']
  )
}

/** What was done on GitHub: each action counted, the keys' actions, then those capped, not noted, failed. */
function actionsSection(report: Report): string[] {
  const counts = new Map<string, number>()
  for (const action of report.issues) counts.set(action.action, (counts.get(action.action) ?? 0) + 1)
  const severity = new Map(report.keys.map((key) => [key.keyId, key.severity]))
  const done = report.issues.filter((action) => !['capped', 'failed', 'not-noted'].includes(action.action))
  const only = (kind: IssueAction['action']): IssueAction[] => report.issues.filter((action) => action.action === kind)
  return [
    [...counts.entries()].map(([action, count]) => `${action}: ${count}`).join(', '),
    boundedTable(
      ['Key', 'Severity', 'Action', 'Issue', 'Detail'],
      rowsOf(done, (action) => [
        markdownCode(action.keyId, 80),
        severity.get(action.keyId) ?? 'deleted',
        action.action,
        issueLink(action) ?? '-',
        markdownText(action.detail, 200)
      ]),
      done.length,
      SECTION_BUDGET,
      (count) => `…and ${plural(count, 'more key')}; every action is in the JSON report.`
    ),
    ...keysWhose(
      only('capped'),
      (count) =>
        `### Not turned into issues (max-issues): ${count}\nThese keys still count for the verdict; they get an issue on a later run, or raise max-issues.`,
      ['Key', 'Severity'],
      (action) => [markdownCode(action.keyId, 80), severity.get(action.keyId) ?? '-']
    ),
    ...unwrittenKeys(
      only('not-noted'),
      (count) =>
        `### Deletions not noted: ${count}\nThese keys were only deleted in this window; their deletion could not be noted on their issues. That does not fail the run; the next run notes it.`
    ),
    ...unwrittenKeys(
      only('failed'),
      (count) => `### Issue failures: ${count}\nThese keys' findings are above and in the JSON report; the run fails.`
    )
  ]
}

function issuesSection(report: Report): string[] {
  if (report.issueMode === 'off') return ['### Issues\nNot written: create-issues is false.']
  const parts = ['### Issues']
  if (report.issuesPending) {
    parts.push(
      `> [!NOTE]\n> ${report.issueMode === 'dry-run' ? 'GitHub is being read (dry run)' : 'The issues are being written to GitHub'} now; ` +
        'this summary is rewritten when that is done. If this note stays, the step ended first: the findings above are complete all the same.'
    )
    return parts
  }
  if (report.issueMode === 'dry-run')
    parts.push('> [!NOTE]\n> Dry run: nothing was written to GitHub. The actions below are what a real run would do.')
  if (report.issues.length === 0) {
    parts.push('Nothing to open or update.')
    return parts
  }
  return [...parts, ...actionsSection(report)]
}

function keyInfoCells(info: KeyInfo | undefined): string[] {
  if (info?.status === 'found') {
    return [
      ownerText(info.owner),
      markdownText(info.name, 80),
      markdownCode(info.redactedValue, 40),
      timeCell(info.createdAt),
      lastUsedText(info, 'ago'),
      'yes'
    ]
  }
  if (info?.status === 'not-found') return ['-', '-', '-', '-', '-', '**not found** (404)']
  // Why is in the notes above the table, once per reason.
  return ['-', '-', '-', '-', '-', 'not looked up']
}

/** The head's line on the key lookups, when there are keys to look up. */
function lookupLine(report: Report): string {
  const { keyLookups: lookups } = report
  if (report.keys.length === 0) return ''
  if (lookups.off !== undefined) return `- Keys looked up: no (${markdownText(lookups.off, 200)})`
  const not = lookups.notLookedUp > 0 ? ` (${lookups.notLookedUp} not looked up: see below)` : ''
  return `- Keys looked up: ${lookups.lookedUp} of ${report.keys.length}${not}`
}

/** What the Admin API said about each key with findings, and what kept keys from being looked up. */
function keysSection(report: Report): string[] {
  const { keyLookups: lookups } = report
  if (lookups.off !== undefined || report.keys.length === 0) return []
  const parts = ['### The keys in the Admin API']
  if (lookups.notes.length > 0)
    parts.push(['> [!WARNING]', ...lookups.notes.map((note) => `> - ${markdownText(note, 600)}`)].join('\n'))
  // Keys none of which could be looked up make a table of dashes: the notes say it all.
  if (lookups.lookedUp === 0) return parts
  parts.push(
    boundedTable(
      ['Key', 'Owner', 'Name', 'Redacted value', 'Created (UTC)', 'Last used', 'Still exists'],
      rowsOf(report.keys, (key) => [markdownCode(key.keyId, 80), ...keyInfoCells(key.info)]),
      report.keys.length,
      SECTION_BUDGET,
      (count) => `…and ${plural(count, 'more key')}; every one is in the JSON report.`
    )
  )
  return parts
}

const LEDGER_WRITTEN: Record<LedgerNote['written'], string> = {
  pending: 'written after the GitHub phase',
  created: 'status issue opened',
  updated: 'status issue updated',
  reopened: 'status issue was closed: reopened and updated',
  unchanged: 'status issue already up to date',
  'not-written': '**not written**',
  'dry-run': 'dry run: read, not written'
}

/** The coverage ledger in a line or two: what it made the window, what it left out, what was written. */
function ledgerLines(report: Report): string[] {
  const note = report.ledger
  if (!note) return []
  if (note.off) return [`- Coverage ledger: off (${markdownText(note.off, 200)})`]
  const link = note.issue && markdownLink(`#${note.issue.number}`, note.issue.url)
  const issue = link ? `${link}, ` : ''
  const read = note.unread
    ? `**could not be read** (${markdownText(note.unread, 400)}): this run read its lookback only`
    : note.caughtUp > 0
      ? `caught up ${span(note.caughtUp)} missed since the last complete run`
      : 'nothing missed before this window'
  const adds = note.adds
    ? note.adds.covered
      ? '; this window recorded as read completely'
      : `; this window recorded as a gap (${markdownText(note.adds.why, 300)})`
    : ''
  const lines = [`- Coverage ledger: ${issue}${read}; ${LEDGER_WRITTEN[note.written]}${adds}`]
  if (note.beyond.length > 0) {
    const parts = note.beyond.map((part) => `${isoTime(part.start, true)} to ${isoTime(part.end, true)}`).join(', ')
    lines.push(`- **Not read, beyond max-catch-up**: ${parts}: backfill with since and until`)
  }
  for (const line of note.notes.slice(0, 10)) lines.push(`- Ledger: ${markdownText(line, 500)}`)
  return lines
}

/** The alerts under the head: the settings' warnings, key event types not read, a window not read whole. */
function alerts(report: Report): string[] {
  const parts: string[] = []
  if (report.warnings.length > 0) {
    parts.push(
      ['> [!WARNING]', '> **Settings**', ...report.warnings.map((line) => `> - ${markdownText(line, 800)}`)].join('\n')
    )
  }
  if (report.notRead.length > 0) {
    parts.push(['> [!WARNING]', ...report.notRead.map((part) => `> - ${markdownText(part, 800)}`)].join('\n'))
  }
  if (!report.complete) {
    parts.push(
      `> [!CAUTION]\n> Part of the window could not be read. This run does not say the window is clean; it fails whatever fail-on says.`
    )
  }
  return parts
}

export function renderSummary(report: Report): string {
  const head: string[] = []
  const window = `${report.window.since ?? 'the start of the file'} to ${report.window.until ?? 'its end'}`
  head.push(`## ${RULE.displayName}`)
  head.push(
    [
      `- Source: ${markdownText(report.source, 300)}`,
      `- Window: ${window}`,
      ...ledgerLines(report),
      `- Read completely: ${report.complete ? (report.notRead.length ? '**yes, but not every key event type**: see the warning below' : 'yes') : `**no**: ${report.missing.map((part) => markdownText(part, 300)).join('; ')}`}`,
      `- Events scanned: ${report.eventsScanned} (API key events: ${report.keyEvents}${report.duplicates ? `, duplicates skipped: ${report.duplicates}` : ''})`,
      `- Findings: ${findingsTally(report.counts)} on ${plural(report.keys.length, 'key')}`,
      lookupLine(report),
      investigationLine(report),
      report.suppressed.length
        ? `- Suppressed (allow-actors): ${countOf(report.suppressed)}, not counted for the verdict`
        : '',
      report.otherProjects ? `- Key events of other projects (project-ids), not judged: ${report.otherProjects}` : '',
      report.unreadable.count ? `- Unreadable records skipped: ${report.unreadable.count}` : '',
      report.malformed.count
        ? `- Malformed events skipped: ${report.malformed.count}` +
          (report.malformed.keyEvents ? ` (**${report.malformed.keyEvents} of them API key events**)` : '')
        : ''
    ]
      .filter(Boolean)
      .join('\n')
  )
  head.push(...alerts(report))

  const actions = new Map(report.issues.map((action) => [action.keyId, action]))
  const linkOf = (keyId: string): string | undefined => {
    const action = actions.get(keyId)
    return action ? issueLink(action) : undefined
  }
  const after: string[] = [
    ...signalsSection(report, linkOf, SECTION_BUDGET),
    ...identitiesSection(report, SECTION_BUDGET / 2),
    ...keysSection(report),
    ...issuesSection(report)
  ]
  if (report.suppressed.length > 0) {
    const suppressed = countOf(report.suppressed)
    after.push(`### Suppressed (allow-actors): ${suppressed}`)
    after.push(
      boundedTable(
        ['Severity', 'Key', 'Event', 'Actor', 'Time (UTC)'],
        rowsOf(findingsOf(report.suppressed), (f) => [
          f.severity,
          markdownCode(f.keyId, 80),
          markdownCode(f.eventType),
          markdownText(f.actor.name, 120),
          timeCell(f.effectiveAt)
        ]),
        suppressed,
        SECTION_BUDGET,
        (count) => `…and ${plural(count, 'more suppressed finding')}; every one is in the JSON report.`
      )
    )
  }
  const notes = [...report.unreadable.listed, ...report.malformed.listed]
  if (notes.length > 0) {
    after.push('### Skipped records')
    after.push(
      notes
        .slice(0, 50)
        .map((note) => `- ${markdownText(note.where, 80)}: ${markdownText(note.reason, 200)}`)
        .join('\n')
    )
  }
  const sofar = report.issuesPending ? 'So far, before the GitHub phase: ' : ''
  const icon = report.gate.failed ? '❌' : report.gate.blind ? '⚠️' : '✅'
  after.push(`### Verdict\n${icon} ${sofar}${markdownText(report.gate.reason, 2000)}`)

  const body: string[] = []
  const rows = rowsOf(findingsOf(report.keys), (finding) => findingRow(finding, actions.get(finding.keyId)))
  if (report.counts.total > 0) {
    body.push('### Findings')
    // The findings take what the other sections leave.
    const used = bytes([...head, ...after].join('\n\n')) + 1024
    body.push(
      boundedTable(
        FINDING_HEADERS,
        rows,
        report.counts.total,
        SUMMARY_BUDGET - used,
        (count) =>
          `…and ${plural(count, 'more finding')} not shown here (GitHub's summary limit); every one is in the JSON report (output \`report\`).`
      )
    )
  } else {
    body.push('No findings.')
  }
  return `${[...head, ...body, ...after].join('\n\n')}\n`
}
