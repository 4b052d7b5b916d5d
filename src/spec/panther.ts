// Panther's entry points, each a pure function of one raw event: the audit-log stage's
// normalisation, then the rule. What Panther's spec tests call.
import { readEvent } from '../audit-log/normalize.js'
import type { AlertContext, KeyEvent, Severity } from '../model/index.js'
import {
  alertContextOf,
  dedupOf,
  matches,
  RULE,
  severityOf,
  titleOf,
  DEFAULT_RULE_OPTIONS,
  type RuleOptions
} from '../rules/api-key-anomalous-activity.js'

function judged(raw: unknown): KeyEvent | undefined {
  const reading = readEvent(raw)
  if (reading.kind !== 'key' || reading.event.action === 'deleted') return undefined
  return reading.event
}

export function rule(raw: unknown, options: RuleOptions = DEFAULT_RULE_OPTIONS): boolean {
  const event = judged(raw)
  return event !== undefined && matches(event, options)
}

export function title(raw: unknown, options: RuleOptions = DEFAULT_RULE_OPTIONS): string {
  const event = judged(raw)
  return event ? titleOf(event, options) : RULE.displayName
}

export function severity(raw: unknown, options: RuleOptions = DEFAULT_RULE_OPTIONS): Severity {
  const event = judged(raw)
  return event ? severityOf(event, options) : RULE.defaultSeverity
}

export function dedup(raw: unknown): string {
  const event = judged(raw)
  return event ? dedupOf(event) : RULE.id
}

export function alertContext(raw: unknown, options: RuleOptions = DEFAULT_RULE_OPTIONS): AlertContext {
  const event = judged(raw)
  return event ? alertContextOf(event, options) : {}
}
