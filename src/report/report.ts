// The run's record: what was read, what was found, what was done. The JSON report,
// the job summary, the outputs and the CLI all render this one object.
import type {
  FailOn,
  FindingCounts,
  Investigations,
  KeyFindings,
  KeyLookups,
  LedgerNote,
  Rejected,
  ScanResult,
  TimeWindow
} from '../model/index.js'
import type { IssueAction } from '../issues/action.js'
import { RULE } from '../rules/api-key-anomalous-activity.js'
import { isoTime } from '../text.js'
import type { GateVerdict } from './gate.js'

export interface Report {
  rule: { id: string; name: string }
  source: string
  window: { since: string | null; until: string | null }
  complete: boolean
  missing: string[]
  /** Event types the API refused to give (a warning each): the window is read, but not for them. */
  notRead: string[]
  eventsScanned: number
  keyEvents: number
  duplicates: number
  /** Key events left out because their project is not in project-ids (or they have none). */
  otherProjects: number
  unreadable: { count: number; listed: Rejected[] }
  /** `keyEvents`: how many of them are API key events that could not be judged. */
  malformed: { count: number; keyEvents: number; listed: Rejected[] }
  counts: FindingCounts
  /** The keys with findings, each with what the Admin API said about it (`info`) when looked up. */
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  /** What the key lookups did: how many, and the notes (refused, failed, over the cap). */
  keyLookups: KeyLookups
  /** What the investigations did: histories read, identities left out, requests, notes. */
  investigations: Investigations
  /** What was done on GitHub per key; empty when create-issues is false or nothing needed saying. */
  issues: IssueAction[]
  /** create-issues and dry-run, so the summary can say why there are no issue actions. */
  issueMode: 'off' | 'dry-run' | 'on'
  /** True in the report written as soon as the scan ends, before the GitHub phase. */
  issuesPending: boolean
  failOn: FailOn
  gate: GateVerdict
  /** What the settings do that the user may not expect (a fail-on no finding reaches, an input with no effect), in the caller's words. */
  warnings: string[]
  /** What the coverage ledger did (a status issue of the windows read); absent when it was not asked about. */
  ledger?: LedgerNote
}

function iso(seconds: number | undefined): string | null {
  return seconds === undefined ? null : isoTime(seconds)
}

export function buildReport(input: {
  /** What was read: the source's label. */
  source: string
  window: TimeWindow
  result: ScanResult
  /** The findings and the suppressed findings grouped by key (once per run, in the pipeline). */
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  /** What the key lookups did; none when absent. */
  lookups?: KeyLookups
  investigations?: Investigations
  failOn: FailOn
  gate: GateVerdict
  issues?: IssueAction[]
  issueMode?: Report['issueMode']
  issuesPending?: boolean
  warnings?: readonly string[]
  ledger?: LedgerNote
}): Report {
  const { result } = input
  const counts = result.severities
  const status = result.source
  return {
    rule: { id: RULE.id, name: RULE.displayName },
    source: input.source,
    window: { since: iso(input.window.since), until: iso(input.window.until) },
    complete: status.complete,
    missing: status.missing,
    notRead: status.notRead,
    eventsScanned: result.eventsScanned,
    keyEvents: result.keyEvents,
    duplicates: result.duplicates,
    otherProjects: result.otherProjects,
    unreadable: { count: status.unreadableCount, listed: status.unreadable },
    malformed: { count: result.malformedCount, keyEvents: result.malformedKeyEvents, listed: result.malformed },
    counts: {
      total: result.findings.length,
      critical: counts.CRITICAL,
      high: counts.HIGH,
      medium: counts.MEDIUM,
      low: counts.LOW,
      info: counts.INFO
    },
    keys: input.keys,
    suppressed: input.suppressed,
    keyLookups: input.lookups ?? {
      off: 'no lookup was asked for',
      requests: 0,
      lookedUp: 0,
      notLookedUp: 0,
      notes: []
    },
    investigations: input.investigations ?? {
      off: 'no investigation was asked for',
      identities: 0,
      read: 0,
      leftOut: [],
      requests: 0,
      notes: []
    },
    issues: input.issues ?? [],
    issueMode: input.issueMode ?? 'off',
    issuesPending: input.issuesPending ?? false,
    failOn: input.failOn,
    gate: input.gate,
    warnings: [...(input.warnings ?? [])],
    ...(input.ledger ? { ledger: input.ledger } : {})
  }
}
