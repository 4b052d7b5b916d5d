// What the run's page shows first: annotations for an incomplete window and the keys with
// findings (as soon as the scan ends), then for the issues that could not be written.
import { severityRank } from '../model/index.js'
import type { IssueAction } from '../issues/action.js'
import type { Report } from '../report/report.js'
import { plural } from '../text.js'
import type { RunnerLog } from './log.js'

/**
 * GitHub shows 10 error and 10 warning annotations a step and drops the rest silently. So
 * the scan's messages take at most 5 of each kind and the GitHub phase's at most 4 more,
 * leaving room for the verdict's own error; the others are log lines, and one notice says
 * how many and where they all are.
 */
const SCAN_ANNOTATIONS = 5
const ISSUE_ANNOTATIONS = 4

export class Annotator {
  private readonly used = { error: 0, warning: 0 }
  private held = 0

  constructor(private readonly log: RunnerLog) {}

  private emit(kind: 'error' | 'warning', cap: number, message: string, title?: string): void {
    if (this.used[kind] < cap) {
      this.used[kind]++
      this.log[kind](message, title === undefined ? {} : { title })
      return
    }
    this.held++
    // A log line, not an annotation; on one line, as every line the log gets.
    this.log.info(`${kind === 'error' ? 'Error' : 'Warning'}: ${title === undefined ? '' : `${title}: `}${message}`)
  }

  /** As soon as the scan ends: the settings' warnings, the parts of the window not read, the event types not asked for, then the keys by severity. */
  scan(report: Report): void {
    for (const warning of report.warnings) this.emit('warning', SCAN_ANNOTATIONS, warning, 'Settings')
    for (const missing of report.missing) {
      this.emit('error', SCAN_ANNOTATIONS, `Audit-log window incomplete, this run cannot say it is clean: ${missing}`)
    }
    for (const notRead of report.notRead) this.emit('warning', SCAN_ANNOTATIONS, notRead)
    for (const key of report.keys) {
      const top = key.findings.at(0)!
      const message = `${top.title.slice(0, 2000)} (${plural(key.findings.length, 'event')})`
      const kind = severityRank(key.severity) >= severityRank('HIGH') ? 'error' : 'warning'
      this.emit(kind, SCAN_ANNOTATIONS, message, `${key.severity}: OpenAI API key ${key.keyId.slice(0, 100)}`)
    }
  }

  /**
   * After the GitHub phase: issues not written (errors: they fail the run) and deletions not
   * noted (warnings). Keys that failed for the same reason, such as the end of the phase's
   * budget, share one message.
   */
  issues(report: Report): void {
    const failed = report.issues.filter((issue) => issue.action === 'failed')
    for (const [detail, keys] of byDetail(failed)) {
      const which = keys.length === 1 ? `key ${keys[0]}` : `${keys.length} keys (${list(keys)})`
      this.emit(
        'error',
        SCAN_ANNOTATIONS + ISSUE_ANNOTATIONS,
        `GitHub issue for ${which} not written: ${detail.replace(/^Not written: /, '')}`
      )
    }
    const notNoted = report.issues.filter((issue) => issue.action === 'not-noted')
    for (const [detail, keys] of byDetail(notNoted)) {
      const which = keys.length === 1 ? `key ${keys[0]}` : `${keys.length} keys (${list(keys)})`
      this.emit(
        'warning',
        SCAN_ANNOTATIONS + ISSUE_ANNOTATIONS,
        `Deletion of ${which} not noted on ${keys.length === 1 ? 'its issue' : 'their issues'} (this does not fail the run): ${detail.replace(/^Not written: /, '')}`
      )
    }
  }

  /** Says how many messages went to the log instead. */
  done(): void {
    if (this.held === 0) return
    this.log.notice(
      `${this.held} more ${this.held === 1 ? 'message is a log line' : 'messages are log lines'} above, not annotations (GitHub shows 10 errors and 10 warnings a step); every finding is in the job summary and the JSON report.`
    )
  }
}

function byDetail(actions: readonly IssueAction[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const action of actions) {
    const detail = action.detail ?? 'unknown error'
    groups.set(detail, [...(groups.get(detail) ?? []), action.keyId.slice(0, 100)])
  }
  return groups
}

function list(keys: readonly string[]): string {
  return keys.length > 5 ? `${keys.slice(0, 5).join(', ')}, ...` : keys.join(', ')
}
