// The severity vocabulary every stage and every medium shares: the levels in order, the
// names fail-on and GitHub's labels give them, their icons, and the findings line.

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO'

/** Lowest first: a severity's rank is its place here. */
export const SEVERITY_ORDER: readonly Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']

export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.indexOf(severity)
}

/** The higher of two severities; `a` when either is undefined. */
export function higher(a: Severity | undefined, b: Severity): Severity {
  return a === undefined || severityRank(b) > severityRank(a) ? b : a
}

/** What fail-on accepts: a severity in lower case, or none. */
export const FAIL_ON_LEVELS = ['critical', 'high', 'medium', 'low', 'info', 'none'] as const
export type FailOn = (typeof FAIL_ON_LEVELS)[number]

/** Does a finding of this severity fail the run under `failOn`? `none` never does. */
export function failsAt(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && severityRank(severity) >= severityRank(failOn.toUpperCase() as Severity)
}

/** The GitHub label an issue of this severity carries: severity:high. */
export function severityLabel(severity: Severity): string {
  return `severity:${severity.toLowerCase()}`
}

/** `labels` with the severity labels (severity:anything, in any case) replaced by the one for `severity`, last. */
export function relabelled(labels: readonly string[], severity: Severity): string[] {
  return [...labels.filter((label) => !/^severity:/i.test(label)), severityLabel(severity)]
}

/** The highest severity that labels of that form name (in any case), if any. */
export function labelledSeverity(labels: readonly string[]): Severity | undefined {
  let found: Severity | undefined
  for (const label of labels) {
    const match = /^severity:(critical|high|medium|low|info)$/i.exec(label)
    if (match) found = higher(found, match[1]!.toUpperCase() as Severity)
  }
  return found
}

export const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  CRITICAL: '🟥',
  HIGH: '🔴',
  MEDIUM: '🟠',
  LOW: '🟡',
  INFO: '⚪'
}

/** Every severity at zero: what a scan counts from. */
export function noSeverities(): Record<Severity, number> {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 }
}

/** The findings of a run counted, as the JSON report and the outputs give them. */
export interface FindingCounts {
  total: number
  critical: number
  high: number
  medium: number
  low: number
  info: number
}

/** Levels the findings line always names, found or not: the rule's own two. */
const ALWAYS_NAMED: readonly Severity[] = ['HIGH', 'MEDIUM']

/**
 * The findings line of the summary, the CLI and the log: "8 (HIGH 5, MEDIUM 3)", the total
 * (followed by `noun`, when given) and each level that occurs (HIGH and MEDIUM always),
 * highest first.
 */
export function findingsTally(counts: FindingCounts, noun?: string): string {
  const levels = [...SEVERITY_ORDER]
    .reverse()
    .filter((level) => ALWAYS_NAMED.includes(level) || countOf(counts, level) > 0)
  const total = noun === undefined ? `${counts.total}` : `${counts.total} ${noun}`
  return `${total} (${levels.map((level) => `${level} ${countOf(counts, level)}`).join(', ')})`
}

function countOf(counts: FindingCounts, level: Severity): number {
  return counts[level.toLowerCase() as Exclude<keyof FindingCounts, 'total'>]
}
