// The run's record: what was read, what was found, what was done. The JSON report,
// the job summary, the outputs and the CLI all render this one object.
import { open } from 'node:fs/promises'
import { RULE } from '../rules/api-key-anomalous-activity.js'
import type { Rejected, ScanResult, TimeWindow } from '../scan.js'
import type { SourceStatus } from '../audit-log/source.js'
import type { GateVerdict } from './gate.js'
import { countBySeverity, groupByKey, type KeyFindings } from './findings.js'
import type { FailOn } from '../settings.js'

/**
 * created/commented/updated: written this run (updated: labels or state only);
 * would-*: the same in a dry run; unchanged: the issue already records every event;
 * capped: over max-issues, no issue opened; failed: GitHub refused or could not be reached.
 */
export type IssueActionKind =
  | 'created'
  | 'commented'
  | 'updated'
  | 'unchanged'
  | 'would-create'
  | 'would-comment'
  | 'would-update'
  | 'capped'
  | 'failed'

export interface IssueAction {
  keyId: string
  action: IssueActionKind
  issueNumber?: number
  url?: string
  detail?: string
}

export interface Report {
  rule: { id: string; name: string }
  source: string
  window: { since: string | null; until: string | null }
  complete: boolean
  missing: string[]
  eventsScanned: number
  keyEvents: number
  duplicates: number
  unreadable: { count: number; listed: Rejected[] }
  /** `keyEvents`: how many of them are API key events that could not be judged. */
  malformed: { count: number; keyEvents: number; listed: Rejected[] }
  counts: { total: number; critical: number; high: number; medium: number; low: number; info: number }
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  /** What was done on GitHub per key; empty when create-issues is false or nothing needed saying. */
  issues: IssueAction[]
  /** create-issues and dry-run, so the summary can say why there are no issue actions. */
  issueMode: 'off' | 'dry-run' | 'on'
  failOn: FailOn
  gate: GateVerdict
}

function iso(seconds: number | undefined): string | null {
  return seconds === undefined ? null : new Date(seconds * 1000).toISOString()
}

export function buildReport(input: {
  source: { label: string; status: SourceStatus }
  window: TimeWindow
  result: ScanResult
  failOn: FailOn
  gate: GateVerdict
  issues?: IssueAction[]
  issueMode?: Report['issueMode']
}): Report {
  const { result, source } = input
  const counts = countBySeverity(result.findings)
  return {
    rule: { id: RULE.id, name: RULE.displayName },
    source: source.label,
    window: { since: iso(input.window.since), until: iso(input.window.until) },
    complete: source.status.complete,
    missing: source.status.missing,
    eventsScanned: result.eventsScanned,
    keyEvents: result.keyEvents,
    duplicates: result.duplicates,
    unreadable: { count: source.status.unreadableCount, listed: source.status.unreadable },
    malformed: { count: result.malformedCount, keyEvents: result.malformedKeyEvents, listed: result.malformed },
    counts: {
      total: result.findings.length,
      critical: counts.CRITICAL,
      high: counts.HIGH,
      medium: counts.MEDIUM,
      low: counts.LOW,
      info: counts.INFO
    },
    keys: groupByKey(result.findings, result.deletions),
    suppressed: groupByKey(result.suppressed),
    issues: input.issues ?? [],
    issueMode: input.issueMode ?? 'off',
    failOn: input.failOn,
    gate: input.gate
  }
}

const indent = (json: string, pad: string): string => json.replaceAll('\n', `\n${pad}`)

/**
 * The report as `JSON.stringify(report, null, 2)` writes it, in blocks of whole lines (to
 * be joined by newlines): a backfill's report runs to tens of megabytes, and is written a
 * key at a time instead of being built as one string.
 */
export function* reportLines(report: Report): Generator<string> {
  const fields = Object.entries(report).filter(([, value]) => value !== undefined)
  yield '{'
  for (const [index, [name, value]] of fields.entries()) {
    const comma = index < fields.length - 1 ? ',' : ''
    const key = `  ${JSON.stringify(name)}: `
    if (!Array.isArray(value) || value.length === 0) {
      yield `${key}${indent(JSON.stringify(value, null, 2), '  ')}${comma}`
      continue
    }
    yield `${key}[`
    for (const [at, item] of value.entries()) {
      yield `    ${indent(JSON.stringify(item, null, 2) ?? 'null', '    ')}${at < value.length - 1 ? ',' : ''}`
    }
    yield `  ]${comma}`
  }
  yield '}'
}

/**
 * Writes the report to `path`, readable by its owner only. Blocks are gathered in a buffer
 * outside the heap and written a megabyte at a time.
 */
export async function writeReport(path: string, report: Report): Promise<void> {
  const file = await open(path, 'w', 0o600)
  try {
    const batch = Buffer.allocUnsafeSlow(1 << 20)
    let used = 0
    for (const block of reportLines(report)) {
      const text = `${block}\n`
      const size = Buffer.byteLength(text, 'utf8')
      if (used + size > batch.length) {
        await file.write(batch, 0, used)
        used = 0
      }
      if (size > batch.length) await file.write(text)
      else used += batch.write(text, used, 'utf8')
    }
    await file.write(batch, 0, used)
  } finally {
    await file.close()
  }
}
