// The action, top to bottom: settings, the scan, the issues, then the report (annotations,
// the JSON file, the job summary, the outputs) and the gate. The only code that speaks to
// the runner through @actions/core.
import * as core from '@actions/core'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { report as buildReport, scanWindow, triageIssues } from '../pipeline.js'
import { renderSummary } from '../report/summary.js'
import { writeReport } from '../report/write.js'
import { readSettings, type InputName, type Settings } from '../settings/settings.js'
import { errorMessage } from '../text.js'
import { annotate } from './annotations.js'
import { setOutputs } from './outputs.js'

function reportPath(settings: Settings): string {
  return join(settings.tempDir, `openai-keywatch-report-${settings.github.runId ?? process.pid}.json`)
}

export async function run(): Promise<void> {
  // Masked before anything else runs, so nothing later can print it.
  const adminKey = core.getInput('openai-admin-key')
  if (adminKey) core.setSecret(adminKey)
  try {
    const settings = readSettings((name: InputName) => core.getInput(name), process.env)
    if (settings.githubToken) core.setSecret(settings.githubToken)
    const scanned = await scanWindow(settings, Date.now(), {
      progress: { group: core.startGroup, line: core.info, endGroup: core.endGroup },
      warn: (line) => core.warning(line)
    })
    const issues = await triageIssues(settings, scanned, { log: (message) => core.info(message) })
    const report = buildReport(settings, scanned, issues)

    annotate(report)
    const path = reportPath(settings)
    await mkdir(join(path, '..'), { recursive: true })
    await writeReport(path, report)
    if (settings.github.stepSummary) await core.summary.addRaw(renderSummary(report)).write()
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
