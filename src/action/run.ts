// The action, top to bottom: settings, the coverage ledger and the scan; then at once,
// whatever GitHub does next, the findings (annotations, the JSON report, the outputs, the
// job summary); then the GitHub phase (the issues, then the ledger), within its budget,
// after which the report, the summary and the issues output are written again with what
// was done; and the gate. The only code that speaks to the runner through @actions/core.
import * as core from '@actions/core'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  isRevokeRun,
  keepCoverage,
  readCoverage,
  reportOf,
  revokeFromIssue,
  scanWindow,
  triageIssues
} from '../pipeline.js'
import type { Report } from '../report/report.js'
import { renderSummary } from '../report/summary.js'
import { writeReport } from '../report/write.js'
import { readSettings } from '../settings/inputs.js'
import type { InputName, Settings } from '../settings/settings.js'
import { findingsTally } from '../model/index.js'
import { errorMessage } from '../text.js'
import { Annotator } from './annotations.js'
import { RunnerLog } from './log.js'
import { setIssuesOutput, setOutputs } from './outputs.js'

/** One report per step: the run, its attempt and the step (GITHUB_ACTION), or the process when there is none. */
function reportPath(settings: Settings): string {
  return join(settings.tempDir, `openai-keywatch-report-${settings.github.runId ?? process.pid}.json`)
}

/**
 * Writes what the runner keeps of a run, each part on its own: a summary or a report file
 * that cannot be written is a warning, and never stops the outputs or the verdict.
 */
class Publisher {
  private summaryBroken = false

  constructor(
    private readonly settings: Settings,
    private readonly log: RunnerLog
  ) {}

  /** The JSON report; the path written, or '' when it could not be. */
  async report(report: Report): Promise<string> {
    const path = reportPath(this.settings)
    try {
      await mkdir(dirname(path), { recursive: true })
      await writeReport(path, report)
      return path
    } catch (error) {
      this.log.warning(
        `The JSON report could not be written to ${path}: ${errorMessage(error)}. The findings are in the log, the annotations, the outputs and the job summary.`
      )
      return ''
    }
  }

  /** The job summary, in place of what was written before. */
  async summary(report: Report): Promise<void> {
    if (!this.settings.github.stepSummary || this.summaryBroken) return
    try {
      await core.summary.emptyBuffer().addRaw(renderSummary(report)).write({ overwrite: true })
    } catch (error) {
      this.summaryBroken = true
      this.log.warning(
        `The job summary could not be written (GITHUB_STEP_SUMMARY): ${errorMessage(error).replace(/\.$/, '')}. ` +
          'The findings are in the log, the annotations, the outputs and the JSON report.'
      )
    }
  }
}

/**
 * A run started by a label on an issue: the revocation's answer in the log and the job
 * summary; a refusal is a warning, a failed revocation fails the run.
 */
async function revokeRun(settings: Settings, log: RunnerLog): Promise<void> {
  const outcome = await revokeFromIssue(settings, (line) => log.info(line))
  if (settings.github.stepSummary) {
    try {
      await core.summary.emptyBuffer().addRaw(outcome.summary).write({ overwrite: true })
    } catch (error) {
      log.warning(`The job summary could not be written (GITHUB_STEP_SUMMARY): ${errorMessage(error)}`)
    }
  }
  if (outcome.result === 'failed') log.failed(outcome.detail)
  else if (outcome.result === 'refused') log.warning(outcome.detail)
  else if (outcome.result === 'ignored') log.info(outcome.detail)
  else log.notice(outcome.detail)
}

export async function run(): Promise<void> {
  // Masked before anything else runs, so nothing later can print it.
  const adminKey = core.getInput('openai-admin-key')
  if (adminKey) core.setSecret(adminKey)
  const log = new RunnerLog(() => [adminKey, core.getInput('github-token')])
  try {
    const settings = readSettings((name: InputName) => core.getInput(name), process.env)
    if (settings.githubToken) core.setSecret(settings.githubToken)
    if (isRevokeRun(settings)) return await revokeRun(settings, log)
    const warn = (line: string): void => log.warning(line)
    // The ledger before the scan: it gives a scheduled run its window.
    const coverage = await readCoverage(settings, { warn })
    let scanned = await scanWindow(settings, {
      coverage,
      log: {
        progress: {
          group: (title) => log.group(title),
          line: (text) => log.info(text),
          endGroup: () => log.endGroup()
        },
        warn
      }
    })
    const publish = new Publisher(settings, log)
    const annotations = new Annotator(log)

    // Findings first: a GitHub that is slow, down or rate-limiting cannot hold them back.
    const found = reportOf(settings, scanned, [], true)
    annotations.scan(found)
    setOutputs(found, await publish.report(found), (text) => log.notice(text))
    await publish.summary(found)

    let report = found
    if (settings.createIssues || 'plan' in coverage) {
      const issues = await triageIssues(settings, scanned, { log: (message) => log.info(message) })
      // The ledger last: what the run read, written back once the issues say whether all was filed.
      scanned = await keepCoverage(scanned, issues, coverage, warn)
      report = reportOf(settings, scanned, issues)
      annotations.issues(report)
      await publish.report(report)
      setIssuesOutput(report, (text) => log.notice(text))
      await publish.summary(report)
    }
    annotations.done()
    log.info(
      `Scanned ${report.eventsScanned} events from ${report.source}: ${findingsTally(report.counts, 'findings')} ` +
        `on ${report.keys.length} keys. ${report.gate.reason}`
    )
    if (report.gate.failed) log.failed(report.gate.reason)
  } catch (error) {
    log.failed(errorMessage(error))
  }
}
