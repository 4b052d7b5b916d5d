// A key's work: everything a run has to say about one key, as the scan grouped it. Its
// findings and deletions are read from the scan's kept store as they are needed, and never
// copied: a backfill's keys can hold thousands of each.
import {
  higher,
  Picked,
  type Deletion,
  type Finding,
  type KeyFindings,
  type Investigation,
  type KeyInfo,
  type Listed,
  type Severity
} from '../model/index.js'
import { eventIds, markerId } from '../github/markers.js'

/** The unit of triage (one issue per key): a key with findings as the scan grouped it, or one only deleted. */
export interface KeyWork {
  keyId: string
  /** The highest severity of the key's findings: the one word on whether it has any (none for a key only deleted). */
  severity?: Severity
  /** Highest severity first, then newest first. */
  findings: Listed<Finding>
  deletions: Listed<Deletion>
  /** What the Admin API said about the key this run, when it was looked up. */
  info?: KeyInfo
  /** This run's investigation of the key's finding, when there is one. */
  investigation?: Investigation
}

/** Whether a key has findings (and so a severity), not only deletions. */
export function hasFindings(work: KeyWork): work is KeyFindings {
  return work.severity !== undefined
}

/** The keys a run has something to say about: those with findings first (as grouped), then keys only deleted, by id. */
export function keysToTriage(keys: readonly KeyFindings[], deletions: Listed<Deletion>): KeyWork[] {
  const withFindings = new Set(keys.map((key) => key.keyId))
  const deletedOnly = new Map<string, number[]>()
  let position = 0
  for (const deletion of deletions) {
    if (!withFindings.has(deletion.keyId)) {
      const positions = deletedOnly.get(deletion.keyId)
      if (positions) positions.push(position)
      else deletedOnly.set(deletion.keyId, [position])
    }
    position++
  }
  return [
    ...keys,
    ...[...deletedOnly.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([keyId, positions]) => ({ keyId, findings: [], deletions: new Picked(deletions, positions) }))
  ]
}

/** The ids a key's work would record, as its markers name them. */
export function eventsOf(work: KeyWork): string[] {
  return eventIds(work.findings, work.deletions).map(markerId)
}

/** The positions of the items of `list` whose event `recorded` does not hold; `each` sees every one of those. */
function notIn<T extends { eventId: string }>(
  list: Listed<T>,
  recorded: ReadonlySet<string>,
  each: (item: T) => void = () => undefined
): number[] {
  const positions: number[] = []
  let position = 0
  for (const item of list) {
    if (!recorded.has(markerId(item.eventId))) {
      positions.push(position)
      each(item)
    }
    position++
  }
  return positions
}

/**
 * What of a key's work an issue has not recorded yet (`recorded`: its events as markerId),
 * in the same order, with the highest severity among the findings left, if any.
 */
export function unrecorded(work: KeyWork, recorded: ReadonlySet<string>): KeyWork {
  let severity: Severity | undefined
  const findings = notIn(work.findings, recorded, (finding) => (severity = higher(severity, finding.severity)))
  return {
    ...work,
    severity,
    findings: new Picked(work.findings, findings),
    deletions: new Picked(work.deletions, notIn(work.deletions, recorded))
  }
}
