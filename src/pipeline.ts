// The one place the stages are composed: settings in; the audit-log source and the scan
// (events in, findings out, grouped by key once); the keys with findings looked up in the
// Admin API; the issues on GitHub (one per key); then the report that the summary, the
// outputs, the JSON file and the CLI render.
// The action (action/run.ts) and the CLI (cli/) differ only in where settings come from
// and where the results go.
import type { Readable } from 'node:stream'
import { AdminApiSource } from './audit-log/api-source.js'
import { ExportFileError, FileSource } from './audit-log/file-source.js'
import { lookUpKeys } from './audit-log/key-lookup.js'
import type { AuditLogSource } from './audit-log/source.js'
import { proxiedFetch } from './http/fetch.js'
import type { KeyFindings, KeyLookups, TimeWindow } from './model/index.js'
import type { IssueOptions } from './issues/options.js'
import { syncIssues, type IssueTarget } from './issues/sync.js'
import { gate } from './report/gate.js'
import { buildReport, type IssueAction, type Report } from './report/report.js'
import { groupByKey } from './scan/by-key.js'
import { scan, type ScanResult } from './scan/engine.js'
import { trackProgress, type ProgressLog } from './scan/progress.js'
import { resolveWindow, SettingsError, type Settings } from './settings/settings.js'

/** Where a scan reports as it goes: progress lines, and warnings from the OpenAI SDK. */
export interface ScanLog {
  progress?: ProgressLog
  warn?: (line: string) => void
  /** What audit-log-file "-" reads: the CLI's standard input. The action has none. */
  stdin?: Readable
}

function openSource(settings: Settings, window: TimeWindow, log: ScanLog = {}): AuditLogSource {
  const file = settings.auditLogFile
  if (file === '-') {
    if (!log.stdin) {
      throw new SettingsError(
        ['audit-log-file'],
        (input) => `${input} is "-", standard input, which the action does not read: give the path of the export file.`
      )
    }
    return new FileSource(file, { ...window, stdin: log.stdin })
  }
  if (file) return new FileSource(file, window)
  return new AdminApiSource({
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    since: window.since!,
    until: window.until!,
    projectIds: settings.projectIds,
    warn: log.warn,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  })
}

export interface Scanned {
  window: TimeWindow
  source: AuditLogSource
  result: ScanResult
  /** The findings by key (with what the Admin API said about each key), and the suppressed ones: grouped once, for the issues and the report. */
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  /** What the key lookups did. */
  lookups: KeyLookups
}

/**
 * Looks up the keys with findings in the Admin API (owner, last use, whether it still
 * exists). Off with enrich-keys: false, and for an export: there is no Admin API to ask.
 */
async function knowKeys(
  settings: Settings,
  keys: KeyFindings[],
  log: ScanLog
): Promise<{ keys: KeyFindings[]; lookups: KeyLookups }> {
  const off = !settings.enrichKeys
    ? 'enrich-keys is false'
    : settings.auditLogFile
      ? 'an exported audit log was scanned, not the Admin API'
      : undefined
  if (off !== undefined || keys.length === 0)
    return { keys, lookups: { off, requests: 0, lookedUp: 0, notLookedUp: 0, notes: [] } }
  log.progress?.line(`Looking up ${keys.length > 1 ? `${keys.length} keys` : 'the key'} with findings in the Admin API`)
  const { infos, lookups } = await lookUpKeys(keys, {
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    warn: log.warn,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  })
  return { keys: keys.map((key) => ({ ...key, info: infos.get(key.keyId) })), lookups }
}

export async function scanWindow(settings: Settings, now = Date.now(), log: ScanLog = {}): Promise<Scanned> {
  const window = resolveWindow(settings, Math.floor(now / 1000))
  const source = openSource(settings, window, log)
  const progress = { eventsRead: 0 }
  const stop = log.progress ? trackProgress(source, () => progress.eventsRead, log.progress) : () => undefined
  let result: ScanResult
  try {
    result = await scan(source, {
      rule: { elevatedScopes: settings.elevatedScopes, highScopes: settings.highScopes },
      window,
      allowActors: settings.allowActors,
      projectIds: settings.projectIds,
      progress,
      tempDir: settings.tempDir
    }).catch((error: unknown) => {
      // A path that is no export file: a bad input, named as such.
      if (!(error instanceof ExportFileError)) throw error
      throw new SettingsError(['audit-log-file'], (input) => `${input} is "${settings.auditLogFile}": ${error.message}`)
    })
  } finally {
    stop()
  }
  const known = await knowKeys(settings, groupByKey(result.findings, result.deletions), log)
  return {
    window,
    source,
    result,
    keys: known.keys,
    suppressed: groupByKey(result.suppressed),
    lookups: known.lookups
  }
}

/**
 * The run's report. `pending`: written as soon as the scan ends, before the GitHub phase,
 * so that the findings are out whatever GitHub does; the issues come in a second one.
 */
export function report(settings: Settings, scanned: Scanned, issues: IssueAction[] = [], pending = false): Report {
  const { source, result, window } = scanned
  return buildReport({
    source,
    window,
    result,
    keys: scanned.keys,
    suppressed: scanned.suppressed,
    lookups: scanned.lookups,
    failOn: settings.failOn,
    gate: gate({
      severities: result.severities,
      failOn: settings.failOn,
      complete: source.status.complete,
      missing: source.status.missing,
      issueFailures: issues.filter((issue) => issue.action === 'failed').length,
      unjudgedKeyEvents: result.malformedKeyEvents
    }),
    issues,
    issueMode: !settings.createIssues ? 'off' : settings.dryRun ? 'dry-run' : 'on',
    issuesPending: pending && settings.createIssues
  })
}

/** How the settings ask for issues to be written. */
export function issueOptions(settings: Settings): IssueOptions {
  return {
    label: settings.label,
    maxIssues: settings.maxIssues,
    assignees: settings.assignees,
    dryRun: settings.dryRun,
    reopenClosed: settings.reopenClosed,
    closeWhenRevoked: settings.closeWhenRevoked,
    runUrl: settings.github.runUrl
  }
}

/** One issue per key on GitHub (or what would be done, in a dry run); nothing when create-issues is false. */
export async function triageIssues(
  settings: Settings,
  scanned: Scanned,
  target: Pick<IssueTarget, 'timings' | 'log' | 'budget'> = {}
): Promise<IssueAction[]> {
  if (!settings.createIssues) return []
  return syncIssues(scanned.keys, scanned.result.deletions, issueOptions(settings), {
    token: settings.githubToken,
    apiUrl: settings.github.apiUrl,
    repository: settings.github.repository,
    workflowRepository: settings.github.workflowRepository,
    secrets: [settings.openaiAdminKey],
    fetch: proxiedFetch(settings.proxy),
    budget: { ms: settings.githubBudgetSeconds * 1000, words: `github-budget: ${settings.githubBudget}` },
    ...target
  })
}
