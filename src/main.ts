// The action, top to bottom: settings, source, rule, summary, outputs, gate.
import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { targetFromEnv } from './github/issues.js'
import { report as buildReport, scanWindow, triageIssues } from './pipeline.js'
import { errorMessage } from './redact.js'
import { readSettings, type InputName } from './settings.js'
import { renderSummary } from './triage/summary.js'
import type { Report } from './triage/report.js'

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

    for (const missing of report.missing) {
      core.error(`Audit-log window incomplete, this run cannot say it is clean: ${missing}`)
    }
    for (const issue of report.issues.filter((action) => action.action === 'failed'))
      core.error(`GitHub issue for key ${issue.keyId} not written: ${issue.detail ?? 'unknown error'}`)
    for (const key of report.keys) {
      const top = key.findings[0]!
      const message = `${top.title.slice(0, 2000)} (${key.findings.length} event${key.findings.length === 1 ? '' : 's'})`
      const annotate = key.severity === 'HIGH' || key.severity === 'CRITICAL' ? core.error : core.warning
      annotate(message, { title: `${key.severity}: OpenAI API key ${key.keyId.slice(0, 100)}` })
    }

    const path = reportPath()
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 })
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
