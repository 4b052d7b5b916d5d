// Runs the Tests of a Panther-format rule spec (YAML) against the rule.
// Panther's keys keep their meaning (Name, ExpectedResult, Log); optional keys
// ExpectedSeverity, ExpectedTitle, ExpectedDedup and ExpectedAlertContext (a subset)
// extend it.
import { load } from 'js-yaml'
import type { Finding } from '../model/index.js'
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from '../rules/api-key-anomalous-activity.js'
import { alertOf } from './panther.js'

export interface SpecTest {
  Name: string
  ExpectedResult: boolean
  Log: unknown
  ExpectedSeverity?: string
  ExpectedTitle?: string
  ExpectedDedup?: string
  ExpectedAlertContext?: Record<string, unknown>
}

export interface Spec {
  RuleID: string
  DisplayName?: string
  Description?: string
  Runbook?: string
  Severity?: string
  DedupPeriodMinutes?: number
  Reports?: Record<string, string[]>
  Tests: SpecTest[]
  [key: string]: unknown
}

export interface TestOutcome {
  name: string
  passed: boolean
  /** What the rule said: result, and for matches severity and title. */
  result: boolean
  severity?: string
  title?: string
  /** Why it failed, one line each. */
  failures: string[]
}

export class SpecError extends Error {
  override name = 'SpecError'
}

function describe(value: unknown): string {
  return JSON.stringify(value)
}

/** Parses and checks a spec's text; `source` names it in errors. */
export function parseSpec(text: string, source: string): Spec {
  let spec: unknown
  try {
    spec = load(text)
  } catch (error) {
    throw new SpecError(`${source} is not valid YAML: ${(error as Error).message}`)
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new SpecError(`${source} is not a rule spec: expected a YAML mapping with RuleID and Tests.`)
  }
  const { RuleID, Tests } = spec as Partial<Spec>
  if (typeof RuleID !== 'string') throw new SpecError(`${source} has no RuleID.`)
  if (!Array.isArray(Tests) || Tests.length === 0) throw new SpecError(`${source} has no Tests.`)
  ;(Tests as unknown[]).forEach((item, index) => {
    const where = `${source}: test ${index + 1}`
    if (typeof item !== 'object' || item === null) throw new SpecError(`${where} is not a mapping.`)
    const test = item as Record<string, unknown>
    if (typeof test.Name !== 'string' || test.Name === '') throw new SpecError(`${where} has no Name.`)
    if (typeof test.ExpectedResult !== 'boolean') {
      throw new SpecError(`${where} ("${test.Name}") needs ExpectedResult: true or false.`)
    }
    if (!('Log' in test)) throw new SpecError(`${where} ("${test.Name}") has no Log.`)
  })
  return spec as Spec
}

/** What a test expects of the finding the rule made of its event, and how the finding differs. */
function mismatches(test: SpecTest, finding: Finding): string[] {
  const failures: string[] = []
  if (test.ExpectedSeverity !== undefined && test.ExpectedSeverity.toUpperCase() !== finding.severity) {
    failures.push(`expected severity ${test.ExpectedSeverity}, got ${finding.severity}`)
  }
  if (test.ExpectedTitle !== undefined && test.ExpectedTitle !== finding.title) {
    failures.push(`expected title ${describe(test.ExpectedTitle)}, got ${describe(finding.title)}`)
  }
  if (test.ExpectedDedup !== undefined && test.ExpectedDedup !== finding.dedup) {
    failures.push(`expected dedup ${describe(test.ExpectedDedup)}, got ${describe(finding.dedup)}`)
  }
  const context = finding.alertContext
  for (const [key, expected] of Object.entries(test.ExpectedAlertContext ?? {})) {
    if (describe(context[key] ?? null) !== describe(expected)) {
      failures.push(`expected alert context ${key} = ${describe(expected)}, got ${describe(context[key] ?? null)}`)
    }
  }
  return failures
}

/** One test, against the finding production makes of its event (findingOf). */
export function runTest(test: SpecTest, options: RuleOptions = DEFAULT_RULE_OPTIONS): TestOutcome {
  let finding: Finding | undefined
  try {
    finding = alertOf(test.Log, options)
  } catch (error) {
    return { name: test.Name, passed: false, result: false, failures: [`the rule threw: ${(error as Error).message}`] }
  }
  const result = finding !== undefined
  const failures =
    result === test.ExpectedResult ? [] : [`expected result ${test.ExpectedResult}, the rule returned ${result}`]
  if (finding) failures.push(...mismatches(test, finding))
  const outcome = finding ? { severity: finding.severity, title: finding.title } : {}
  return { name: test.Name, passed: failures.length === 0, result, ...outcome, failures }
}

export function runSpec(spec: Spec, options: RuleOptions = DEFAULT_RULE_OPTIONS): TestOutcome[] {
  return spec.Tests.map((test) => runTest(test, options))
}
