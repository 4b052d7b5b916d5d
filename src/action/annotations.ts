// What the run's page shows first: annotations for an incomplete window, issues that could
// not be written, and the keys with findings.
import * as core from '@actions/core'
import type { Report } from '../report/report.js'
import { plural } from '../text.js'

/**
 * GitHub shows 10 error and 10 warning annotations a step and drops the rest silently. So
 * only the first few of each kind are annotations, leaving room for the verdict's own
 * error; the others are log lines, and one notice says how many and where they all are.
 */
const ANNOTATIONS_PER_KIND = 5

export function annotate(report: Report): void {
  const used = { error: 0, warning: 0 }
  let held = 0
  const emit = (kind: 'error' | 'warning', message: string, title?: string): void => {
    if (used[kind] < ANNOTATIONS_PER_KIND) {
      used[kind]++
      core[kind](message, title === undefined ? {} : { title })
      return
    }
    held++
    // A log line, not an annotation: the runner reads commands at the start of a line, so
    // audit-log text must not break one.
    const line = `${kind === 'error' ? 'Error' : 'Warning'}: ${title === undefined ? '' : `${title}: `}${message}`
    core.info(line.replace(/[\r\n\u2028\u2029]+/g, ' '))
  }
  for (const missing of report.missing) {
    emit('error', `Audit-log window incomplete, this run cannot say it is clean: ${missing}`)
  }
  for (const issue of report.issues.filter((action) => action.action === 'failed'))
    emit('error', `GitHub issue for key ${issue.keyId} not written: ${issue.detail ?? 'unknown error'}`)
  for (const key of report.keys) {
    const top = key.findings.at(0)!
    const message = `${top.title.slice(0, 2000)} (${plural(key.findings.length, 'event')})`
    const kind = key.severity === 'HIGH' || key.severity === 'CRITICAL' ? 'error' : 'warning'
    emit(kind, message, `${key.severity}: OpenAI API key ${key.keyId.slice(0, 100)}`)
  }
  if (held > 0) {
    core.notice(
      `${held} more ${held === 1 ? 'message is a log line' : 'messages are log lines'} above, not annotations (GitHub shows 10 errors and 10 warnings a step); every finding is in the job summary and the JSON report.`
    )
  }
}
