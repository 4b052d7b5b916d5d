// Severity from evidence: a finding with at least `escalate-signals` signals that count goes
// up one level (MEDIUM → HIGH, HIGH → CRITICAL). Pure.
import { SEVERITY_ORDER, severityRank, type Escalation, type Severity, type Signal } from '../model/index.js'

/** One level up, CRITICAL staying CRITICAL. */
export function oneUp(severity: Severity): Severity {
  return SEVERITY_ORDER[Math.min(severityRank(severity) + 1, SEVERITY_ORDER.length - 1)]!
}

/** The escalation `signals` earn at `threshold` (0: never), if any. */
export function escalationOf(
  severity: Severity,
  signals: readonly Signal[],
  threshold: number
): Escalation | undefined {
  const counting = signals.filter((signal) => signal.counts)
  if (threshold <= 0 || counting.length < threshold || severity === 'CRITICAL') return undefined
  return { from: severity, to: oneUp(severity), because: counting.map((signal) => signal.label) }
}

/** A run's counts by severity with each escalated key's finding moved up: what the gate and the counts read. */
export function escalatedCounts(
  severities: Readonly<Record<Severity, number>>,
  escalations: Iterable<Escalation | undefined>
): Record<Severity, number> {
  const counts = { ...severities }
  for (const escalation of escalations) {
    if (!escalation) continue
    counts[escalation.from] = Math.max(0, counts[escalation.from] - 1)
    counts[escalation.to]++
  }
  return counts
}
