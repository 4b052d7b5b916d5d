// The run's verdict: what fails the step. A security team must not read a green run as
// "read, judged and triaged" when any of the three did not happen.
import { failsAt, type FailOn, type Severity } from '../model/index.js'
import { plural } from '../text.js'

export interface GateVerdict {
  failed: boolean
  /** One sentence for the log, the summary and the CLI. */
  reason: string
}

export interface GateInput {
  /** The findings (not the suppressed ones) by severity. */
  severities: Readonly<Record<Severity, number>>
  failOn: FailOn
  /** Whether the whole window was read, and what was not. */
  complete: boolean
  missing: readonly string[]
  /** Keys whose GitHub issue could not be written. */
  issueFailures?: number
  /** API key events that could not be judged. */
  unjudgedKeyEvents?: number
}

/**
 * It fails on an incomplete window and on API key events it could not judge (whatever
 * fail-on says), on a finding at or above fail-on, and on issues that could not be written.
 */
export function gate(input: GateInput): GateVerdict {
  const { failOn, complete, missing, issueFailures = 0, unjudgedKeyEvents = 0 } = input
  const reasons: string[] = []
  if (!complete) {
    reasons.push(
      `The audit-log window was not read completely (${missing.join('; ') || 'part of it is missing'}): this run cannot say the window is clean.`
    )
  }
  let failing = 0
  for (const [severity, count] of Object.entries(input.severities) as [Severity, number][])
    if (failsAt(severity, failOn)) failing += count
  if (complete && failing > 0) {
    reasons.push(`${plural(failing, 'finding')} at or above fail-on (${failOn}).`)
  }
  if (unjudgedKeyEvents > 0) {
    reasons.push(
      `${plural(unjudgedKeyEvents, 'API key event')} could not be judged (malformed, see the summary): this run cannot say ${unjudgedKeyEvents === 1 ? 'it is' : 'they are'} harmless.`
    )
  }
  if (issueFailures > 0) {
    reasons.push(
      `The GitHub issue of ${plural(issueFailures, 'key')} could not be written (see the summary); the next run tries again.`
    )
  }
  if (reasons.length > 0) return { failed: true, reason: reasons.join(' ') }
  return {
    failed: false,
    reason: failOn === 'none' ? 'Passed: fail-on is none.' : `Passed: no finding at or above fail-on (${failOn}).`
  }
}
