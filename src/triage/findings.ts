// Findings grouped by key: the unit of triage (one issue per key).
import { severityRank, type Severity } from '../rules/api-key-anomalous-activity.js'
import type { Deletion, Finding } from '../scan.js'

export interface KeyFindings {
  keyId: string
  /** The highest severity among the key's findings. */
  severity: Severity
  /** Highest severity first, then newest first; every event kept. */
  findings: Finding[]
  /** Deletions of this key seen in the window. */
  deletions: Deletion[]
}

/** Highest severity first, then newest first, then by event id; each finding's fields read once. */
function sortedBySeverityThenTime(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding) => ({
      finding,
      rank: severityRank(finding.severity),
      at: finding.effectiveAt ?? 0,
      id: finding.eventId
    }))
    .sort((a, b) => b.rank - a.rank || b.at - a.at || a.id.localeCompare(b.id))
    .map(({ finding }) => finding)
}

function byKey<T extends { keyId: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(item.keyId)
    if (group) group.push(item)
    else groups.set(item.keyId, [item])
  }
  return groups
}

/** Groups findings by key, highest severity first, then by key id for a stable order. */
export function groupByKey(findings: readonly Finding[], deletions: readonly Deletion[] = []): KeyFindings[] {
  const groups = byKey(findings)
  // One pass over the deletions, not one per key: a backfill can hold thousands of each.
  const deleted = byKey(deletions)
  return [...groups.entries()]
    .map(([keyId, group]) => {
      const sorted = sortedBySeverityThenTime(group)
      return { keyId, severity: sorted[0]!.severity, findings: sorted, deletions: deleted.get(keyId) ?? [] }
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.keyId.localeCompare(b.keyId))
}

export function countBySeverity(findings: readonly { severity: Severity }[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 }
  for (const finding of findings) counts[finding.severity]++
  return counts
}
