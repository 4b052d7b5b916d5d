import type { Severity } from '../rules/api-key-anomalous-activity.js'
import type { FailOn } from '../settings.js'

const LEVELS = ['info', 'low', 'medium', 'high', 'critical']

/** Does a finding of this severity fail the run under `failOn`? `none` never does. */
export function failsGate(severity: Severity, failOn: FailOn): boolean {
  if (failOn === 'none') return false
  return LEVELS.indexOf(severity.toLowerCase()) >= LEVELS.indexOf(failOn)
}

export interface GateVerdict {
  failed: boolean
  /** One sentence for the log, the summary and the CLI. */
  reason: string
}

export function gate(
  findings: readonly { severity: Severity }[],
  failOn: FailOn,
  complete: boolean,
  missing: readonly string[]
): GateVerdict {
  if (!complete) {
    return {
      failed: true,
      reason: `The audit-log window was not read completely (${missing.join('; ') || 'part of it is missing'}): this run cannot say the window is clean.`
    }
  }
  const failing = findings.filter((finding) => failsGate(finding.severity, failOn))
  if (failing.length > 0) {
    return {
      failed: true,
      reason: `${failing.length} finding${failing.length === 1 ? '' : 's'} at or above fail-on (${failOn}).`
    }
  }
  return {
    failed: false,
    reason: failOn === 'none' ? 'Passed: fail-on is none.' : `Passed: no finding at or above fail-on (${failOn}).`
  }
}
