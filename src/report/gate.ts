// The run's verdict: what fails the step. A security team must not read a green run as
// "read, judged and triaged" when any of the three did not happen.
import { ACTION_VOICE, failsAt, named, type FailOn, type Severity, type Voice } from '../model/index.js'
import { plural } from '../text.js'

export interface GateVerdict {
  failed: boolean
  /** One sentence for the log, the summary and the CLI. */
  reason: string
  /** Passed with a fail-on that no finding these settings can give reaches: a gate that cannot fail on findings. */
  blind?: boolean
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
  /** Whether some finding these settings can give reaches fail-on (settings/advice.ts's failOnReachable); taken as so when not given. */
  failOnReachable?: boolean
  /** The caller's words for the inputs (the CLI's --fail-on); the action's when not given. */
  voice?: Voice
  /** API key events that could not be judged. */
  unjudgedKeyEvents?: number
}

/**
 * It fails on an incomplete window and on API key events it could not judge (whatever
 * fail-on says), on a finding at or above fail-on, and on issues that could not be written.
 */
export function gate(input: GateInput): GateVerdict {
  const { failOn, complete, missing, issueFailures = 0, unjudgedKeyEvents = 0, voice = ACTION_VOICE } = input
  const failOnWords = `${named(voice, 'fail-on')} (${failOn})`
  const reasons: string[] = []
  if (!complete) {
    reasons.push(
      `The audit-log window was not read completely (${missing.length > 0 ? `${plural(missing.length, 'part')} not read, named above` : 'part of it is missing'}): this run cannot say the window is clean.`
    )
  }
  let failing = 0
  for (const [severity, count] of Object.entries(input.severities) as [Severity, number][])
    if (failsAt(severity, failOn)) failing += count
  if (complete && failing > 0) {
    reasons.push(`${plural(failing, 'finding')} at or above ${failOnWords}.`)
  }
  if (unjudgedKeyEvents > 0) {
    reasons.push(
      `${plural(unjudgedKeyEvents, 'API key event')} could not be judged (malformed, see ${voice.shown('Skipped records')}): this run cannot say ${unjudgedKeyEvents === 1 ? 'it is' : 'they are'} harmless.`
    )
  }
  if (issueFailures > 0) {
    // Why is said with the keys (one annotation, one row per cause): the verdict does not say it again.
    reasons.push(
      `The GitHub issue of ${plural(issueFailures, 'key')} could not be written (see ${voice.shown('Issues')}).`
    )
  }
  if (reasons.length > 0) return { failed: true, reason: reasons.join(' ') }
  if (failOn === 'none') return { failed: false, reason: `Passed: ${named(voice, 'fail-on')} is none.` }
  if (input.failOnReachable === false) {
    return {
      failed: false,
      blind: true,
      reason: `Passed, but ${failOnWords} cannot fail on a finding: no finding these settings can give reaches it (see the warning).`
    }
  }
  return { failed: false, reason: `Passed: no finding at or above ${failOnWords}.` }
}
