// The step's outputs, for later steps of the workflow. The lists are bounded: a backfill can
// have hundreds of thousands of keys, and GitHub keeps at most 1 MB an output; the JSON
// report has them all.
import * as core from '@actions/core'
import type { Report } from '../report/report.js'

/** The most items the keys and issues outputs list, and the most characters of their JSON. */
export const OUTPUT_LIST = { items: 100, chars: 16 * 1024 }

/** The first items of a list, in order, as JSON within OUTPUT_LIST; and how many were left out. */
export function boundedList(items: readonly (string | number)[]): { json: string; left: number } {
  const kept: (string | number)[] = []
  let chars = 2
  for (const item of items) {
    const size = JSON.stringify(item).length + (kept.length > 0 ? 1 : 0)
    if (kept.length >= OUTPUT_LIST.items || chars + size > OUTPUT_LIST.chars) break
    kept.push(item)
    chars += size
  }
  return { json: JSON.stringify(kept), left: items.length - kept.length }
}

/** The issues opened, updated or closed this run (not those left unchanged, nor a dry run's). */
export function issuesWritten(report: Report): number[] {
  return report.issues.flatMap((issue) =>
    // A failed action with a number was written in part (an issue opened, a later comment refused).
    issue.issueNumber && ['created', 'commented', 'updated', 'closed', 'failed'].includes(issue.action)
      ? [issue.issueNumber]
      : []
  )
}

/** Sets a list output within its bound; says what was left out and where it all is. */
function setList(name: 'keys' | 'issues', items: readonly (string | number)[], notice: (text: string) => void): void {
  const { json, left } = boundedList(items)
  core.setOutput(name, json)
  if (left > 0) {
    notice(
      `The ${name} output lists ${items.length - left} of ${items.length} ${name} (at most ${OUTPUT_LIST.items}, ` +
        `and ${OUTPUT_LIST.chars / 1024} KiB of JSON${name === 'keys' ? ', highest severity first' : ''}); ` +
        'every one is in the JSON report (output report).'
    )
  }
}

/** The issues output alone: set again once the GitHub phase is done. */
export function setIssuesOutput(report: Report, notice: (text: string) => void): void {
  setList('issues', issuesWritten(report), notice)
}

/**
 * Every output, set as soon as the scan ends (the issues, none yet). `path`: the JSON report,
 * '' when it could not be written. `notice`: where a list cut short is said.
 */
export function setOutputs(report: Report, path: string, notice: (text: string) => void): void {
  core.setOutput('findings', report.counts.total)
  core.setOutput('critical', report.counts.critical)
  core.setOutput('high', report.counts.high)
  core.setOutput('medium', report.counts.medium)
  setList(
    'keys',
    report.keys.map((key) => key.keyId),
    notice
  )
  setList('issues', issuesWritten(report), notice)
  core.setOutput('events', report.eventsScanned)
  core.setOutput('report', path)
  core.setOutput('complete', String(report.complete))
}
