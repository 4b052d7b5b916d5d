// The pipeline both entry points share: settings in, source, rule, report out.
// The action (main.ts) and the CLI (cli.ts) differ only in where inputs come from
// and where the results go.
import { AdminApiSource } from './audit-log/api-source.js'
import { FileSource } from './audit-log/file-source.js'
import type { AuditLogSource } from './audit-log/source.js'
import { trackProgress, type ProgressLog } from './progress.js'
import { scan, type ScanResult, type TimeWindow } from './scan.js'
import { resolveWindow, type Settings } from './settings.js'
import { syncIssues, type IssueTarget } from './github/issues.js'
import { groupByKey } from './triage/findings.js'
import { gate } from './triage/gate.js'
import { buildReport, type IssueAction, type Report } from './triage/report.js'

/** Where a scan reports as it goes: progress lines, and warnings from the OpenAI SDK. */
export interface ScanLog {
  progress?: ProgressLog
  warn?: (line: string) => void
}

export function openSource(settings: Settings, window: TimeWindow, log: ScanLog = {}): AuditLogSource {
  if (settings.auditLogFile) return new FileSource(settings.auditLogFile, window)
  return new AdminApiSource({
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    since: window.since!,
    until: window.until!,
    projectIds: settings.projectIds,
    warn: log.warn
  })
}

export interface Scanned {
  window: TimeWindow
  source: AuditLogSource
  result: ScanResult
}

export async function scanWindow(settings: Settings, now = Date.now(), log: ScanLog = {}): Promise<Scanned> {
  const window = resolveWindow(settings, Math.floor(now / 1000))
  const source = openSource(settings, window, log)
  const progress = { eventsRead: 0 }
  const stop = log.progress ? trackProgress(source, () => progress.eventsRead, log.progress) : () => undefined
  try {
    const result = await scan(source, {
      rule: { elevatedScopes: settings.elevatedScopes, highScopes: settings.highScopes },
      window,
      allowActors: settings.allowActors,
      projectIds: settings.projectIds,
      progress
    })
    return { window, source, result }
  } finally {
    stop()
  }
}

export function report(settings: Settings, scanned: Scanned, issues: IssueAction[] = []): Report {
  const { source, result, window } = scanned
  const failures = issues.filter((issue) => issue.action === 'failed').length
  return buildReport({
    source,
    window,
    result,
    failOn: settings.failOn,
    gate: gate(
      result.findings,
      settings.failOn,
      source.status.complete,
      source.status.missing,
      failures,
      result.malformedKeyEvents
    ),
    issues,
    issueMode: !settings.createIssues ? 'off' : settings.dryRun ? 'dry-run' : 'on'
  })
}

/** One issue per key on GitHub (or what would be done, in a dry run); nothing when create-issues is false. */
export async function triageIssues(settings: Settings, scanned: Scanned, target: IssueTarget): Promise<IssueAction[]> {
  if (!settings.createIssues) return []
  const { result } = scanned
  return syncIssues(
    groupByKey(result.findings, result.deletions),
    result.deletions,
    {
      label: settings.label,
      maxIssues: settings.maxIssues,
      dryRun: settings.dryRun,
      reopenClosed: settings.reopenClosed
    },
    target
  )
}
