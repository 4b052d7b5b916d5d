// A scan's findings grouped by key: the unit of triage (one issue per key), grouped once
// per run and shared by the issues and the report.
import {
  Picked,
  SEVERITY_ORDER,
  severityRank,
  type Deletion,
  type Finding,
  type KeyFindings,
  type Listed
} from '../model/index.js'

/** The positions of a list's items, by key id, in list order. */
function positionsByKey(items: Iterable<{ keyId: string }>): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  let position = 0
  for (const item of items) {
    const group = groups.get(item.keyId)
    if (group) group.push(position)
    else groups.set(item.keyId, [position])
    position++
  }
  return groups
}

/**
 * Groups findings by key, highest severity first, then by key id for a stable order; within
 * a key, highest severity first, then newest first, then by event id. Each finding is read
 * once, and deletions are grouped in one pass: a backfill can hold thousands of each.
 */
export function groupByKey(findings: Listed<Finding>, deletions: Listed<Deletion> = []): KeyFindings[] {
  const order: { keyId: string; rank: number; at: number; id: string }[] = []
  for (const finding of findings) {
    order.push({
      keyId: finding.keyId,
      rank: severityRank(finding.severity),
      at: finding.effectiveAt ?? 0,
      id: finding.eventId
    })
  }
  const deleted = positionsByKey(deletions)
  return [...positionsByKey(order).entries()]
    .map(([keyId, positions]) => {
      positions.sort((a, b) => {
        const x = order[a]!
        const y = order[b]!
        return y.rank - x.rank || y.at - x.at || x.id.localeCompare(y.id)
      })
      return {
        keyId,
        severity: SEVERITY_ORDER[order[positions[0]!]!.rank]!,
        findings: new Picked(findings, positions),
        deletions: new Picked(deletions, deleted.get(keyId) ?? [])
      }
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.keyId.localeCompare(b.keyId))
}
