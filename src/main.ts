// The action, top to bottom: settings, source, rule, summary, outputs, gate.
import * as core from '@actions/core'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { targetFromEnv } from './github/issues.js'
import { report as buildReport, scanWindow, triageIssues } from './pipeline.js'
import { errorMessage } from './redact.js'
import { readSettings, type InputName } from './settings.js'
import { renderSummary } from './triage/summary.js'
import { writeReport, type Report } from './triage/report.js'

function reportPath(): string {
  const dir = process.env.RUNNER_TEMP || tmpdir()
  const run =
    [process.env.GITHUB_RUN_ID, process.env.GITHUB_RUN_ATTEMPT].filter(Boolean).join('-') || String(process.pid)
  return join(dir, `openai-keywatch-report-${run}.json`)
}

/** The issues opened or updated this run (not those left unchanged, nor a dry run's). */
export function issuesWritten(report: Report): number[] {
  return report.issues.flatMap((issue) =>
    // A failed action with a number was written in part (an issue opened, a later comment refused).
    issue.issueNumber && ['created', 'commented', 'updated', 'failed'].includes(issue.action) ? [issue.issueNumber] : []
  )
}

function setOutputs(report: Report, path: string): void {
  core.setOutput('findings', report.counts.total)
  core.setOutput('high', report.counts.high)
  core.setOutput('medium', report.counts.medium)
  core.setOutput('keys', JSON.stringify(report.keys.map((key) => key.keyId)))
  core.setOutput('issues', JSON.stringify(issuesWritten(report)))
  core.setOutput('events', report.eventsScanned)
  core.setOutput('report', path)
  core.setOutput('complete', String(report.complete))
}

/**
 * GitHub shows 10 error and 10 warning annotations a step and drops the rest silently. So
 * only the first few of each kind are annotations, leaving room for the verdict's own
 * error; the others are log lines, and one notice says how many and where they all are.
 */
const ANNOTATIONS_PER_KIND = 5

function annotate(report: Report): void {
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
    const top = key.findings[0]!
    const message = `${top.title.slice(0, 2000)} (${key.findings.length} event${key.findings.length === 1 ? '' : 's'})`
    const kind = key.severity === 'HIGH' || key.severity === 'CRITICAL' ? 'error' : 'warning'
    emit(kind, message, `${key.severity}: OpenAI API key ${key.keyId.slice(0, 100)}`)
  }
  if (held > 0) {
    core.notice(
      `${held} more ${held === 1 ? 'message is a log line' : 'messages are log lines'} above, not annotations (GitHub shows 10 errors and 10 warnings a step); every finding is in the job summary and the JSON report.`
    )
  }
}

export async function run(): Promise<void> {
  // Masked before anything else runs, so nothing later can print it.
  const adminKey = core.getInput('openai-admin-key')
  if (adminKey) core.setSecret(adminKey)
  try {
    const settings = readSettings((name: InputName) => core.getInput(name))
    if (settings.githubToken) core.setSecret(settings.githubToken)
    const scanned = await scanWindow(settings, Date.now(), {
      progress: { group: core.startGroup, line: core.info, endGroup: core.endGroup },
      warn: (line) => core.warning(line)
    })
    const issues = await triageIssues(settings, scanned, {
      ...targetFromEnv(process.env, settings.githubToken),
      log: (message) => core.info(message)
    })
    const report = buildReport(settings, scanned, issues)

    annotate(report)
    const path = reportPath()
    await mkdir(join(path, '..'), { recursive: true })
    await writeReport(path, report)
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(renderSummary(report)).write()
    setOutputs(report, path)
    core.info(
      `Scanned ${report.eventsScanned} events from ${report.source}: ${report.counts.total} findings ` +
        `(HIGH ${report.counts.high}, MEDIUM ${report.counts.medium}) on ${report.keys.length} keys. ${report.gate.reason}`
    )
    if (report.gate.failed) core.setFailed(report.gate.reason)
  } catch (error) {
    core.setFailed(errorMessage(error, [adminKey, core.getInput('github-token')]))
  }
}
