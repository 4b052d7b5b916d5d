// Panther's entry point, a pure function of one raw event: the audit-log stage's
// normalisation, then the rule. The finding it gives is the one production makes of the
// event (findingOf), so the spec's tests test what runs.
import { readEvent } from '../audit-log/normalize.js'
import type { Finding } from '../model/index.js'
import { findingOf, DEFAULT_RULE_OPTIONS, type RuleOptions } from '../rules/api-key-anomalous-activity.js'

/**
 * The alert the rule raises for a raw event, as a finding (its severity, title, dedup and
 * alert context), or none: an event that is not a key event, a deletion, or one that does
 * not match.
 */
export function alertOf(raw: unknown, options: RuleOptions = DEFAULT_RULE_OPTIONS): Finding | undefined {
  const reading = readEvent(raw)
  return reading.kind === 'key' ? findingOf(reading.event, options) : undefined
}
