// The step's outputs, for later steps of the workflow.
import * as core from '@actions/core'
import type { Report } from '../report/report.js'

/** The issues opened, updated or closed this run (not those left unchanged, nor a dry run's). */
export function issuesWritten(report: Report): number[] {
  return report.issues.flatMap((issue) =>
    // A failed action with a number was written in part (an issue opened, a later comment refused).
    issue.issueNumber && ['created', 'commented', 'updated', 'closed', 'failed'].includes(issue.action)
      ? [issue.issueNumber]
      : []
  )
}

/** The issues output alone: set again once the GitHub phase is done. */
export function setIssuesOutput(report: Report): void {
  core.setOutput('issues', JSON.stringify(issuesWritten(report)))
}

/** Every output, set as soon as the scan ends (the issues, none yet). `path`: the JSON report, '' when it could not be written. */
export function setOutputs(report: Report, path: string): void {
  core.setOutput('findings', report.counts.total)
  core.setOutput('high', report.counts.high)
  core.setOutput('medium', report.counts.medium)
  core.setOutput('keys', JSON.stringify(report.keys.map((key) => key.keyId)))
  core.setOutput('issues', JSON.stringify(issuesWritten(report)))
  core.setOutput('events', report.eventsScanned)
  core.setOutput('report', path)
  core.setOutput('complete', String(report.complete))
}
