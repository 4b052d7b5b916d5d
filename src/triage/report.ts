// The run's record: what was read, what was found, what was done. The JSON report,
// the job summary, the outputs and the CLI all render this one object.
import { RULE } from '../rules/api-key-anomalous-activity.js'
import type { Rejected, ScanResult, TimeWindow } from '../scan.js'
import type { SourceStatus } from '../audit-log/source.js'
import type { GateVerdict } from './gate.js'
import { countBySeverity, groupByKey, type KeyFindings } from './findings.js'
import type { FailOn } from '../settings.js'

export interface IssueAction {
  keyId: string
  /** created, commented, reopened, unchanged, would-create, would-comment, capped, failed, skipped. */
  action: string
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
  malformed: { count: number; listed: Rejected[] }
  counts: { total: number; critical: number; high: number; medium: number; low: number; info: number }
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  issues: IssueAction[]
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
    malformed: { count: result.malformedCount, listed: result.malformed },
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
    failOn: input.failOn,
    gate: input.gate
  }
}
