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

/**
 * The run's verdict. It fails on an incomplete window and on API key events it could not
 * judge (whatever fail-on says), on a finding at or above fail-on, and on issues that could
 * not be written (`issueFailures` keys): a security team must not read a green run as "triaged".
 */
export function gate(
  findings: readonly { severity: Severity }[],
  failOn: FailOn,
  complete: boolean,
  missing: readonly string[],
  issueFailures = 0,
  unjudgedKeyEvents = 0
): GateVerdict {
  const reasons: string[] = []
  if (!complete) {
    reasons.push(
      `The audit-log window was not read completely (${missing.join('; ') || 'part of it is missing'}): this run cannot say the window is clean.`
    )
  }
  const failing = findings.filter((finding) => failsGate(finding.severity, failOn))
  if (complete && failing.length > 0) {
    reasons.push(`${failing.length} finding${failing.length === 1 ? '' : 's'} at or above fail-on (${failOn}).`)
  }
  if (unjudgedKeyEvents > 0) {
    reasons.push(
      `${unjudgedKeyEvents} API key event${unjudgedKeyEvents === 1 ? '' : 's'} could not be judged (malformed, see the summary): this run cannot say ${unjudgedKeyEvents === 1 ? 'it is' : 'they are'} harmless.`
    )
  }
  if (issueFailures > 0) {
    reasons.push(
      `The GitHub issue of ${issueFailures} key${issueFailures === 1 ? '' : 's'} could not be written (see the summary); the next run tries again.`
    )
  }
  if (reasons.length > 0) return { failed: true, reason: reasons.join(' ') }
  return {
    failed: false,
    reason: failOn === 'none' ? 'Passed: fail-on is none.' : `Passed: no finding at or above fail-on (${failOn}).`
  }
}
