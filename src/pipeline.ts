// The one place the stages are composed: settings in; the audit-log source and the scan
// (events in, findings out, grouped by key once); the keys with findings looked up in the
// Admin API; the issues on GitHub (one per key); then the report that the summary, the
// outputs, the JSON file and the CLI render.
// A run started by an issue being labelled is the other kind: a revocation asked for from a
// key's issue (respond/), which never scans; a scan never reaches a delete.
// The action (action/run.ts) and the CLI (cli/) differ only in where settings come from
// and where the results go.
import type { Readable } from 'node:stream'
import { AdminApiSource } from './audit-log/api-source.js'
import { ExportFileError, FileSource } from './audit-log/file-source.js'
import { lookUpKeys } from './audit-log/key-lookup.js'
import { proxiedFetch } from './http/fetch.js'
import type { AuditLogSource, KeyFindings, KeyLookups, RevokeOutcome, ScanResult, TimeWindow } from './model/index.js'
import type { IssueOptions } from './issues/options.js'
import { syncIssues, type IssueTarget } from './issues/sync.js'
import { gate } from './report/gate.js'
import type { IssueAction } from './issues/action.js'
import { buildReport, type Report } from './report/report.js'
import { isLabeled } from './respond/checks.js'
import { AdminApi, deleteKey, placeOfKey, type DeleteAnswer, type HeldKey, type KeyPlace } from './respond/openai.js'
import { revokeFromLabel } from './respond/revoke.js'
import { groupByKey } from './scan/by-key.js'
import { scan } from './scan/engine.js'
import { trackProgress, type ProgressLog } from './scan/progress.js'
import { SettingsError, type Settings } from './settings/settings.js'
import { reachableSeverities } from './settings/advice.js'
import { resolveWindow } from './settings/window.js'

/** Where a scan reports as it goes: progress lines, and warnings from the OpenAI SDK. */
export interface ScanLog {
  progress?: ProgressLog
  warn?: (line: string) => void
}

/** What a scan is given besides its settings: the clock, where it reports, and what it may read. */
export interface ScanEnvironment {
  /** Milliseconds since 1970; the clock's by default. */
  now?: number
  log?: ScanLog
  /** What audit-log-file "-" reads: the CLI's standard input (settings allow "-" only to a caller that has one). */
  stdin?: Readable
}

function openSource(settings: Settings, window: TimeWindow, environment: ScanEnvironment): AuditLogSource {
  const file = settings.auditLogFile
  if (file === '-') {
    if (!environment.stdin) throw new Error('internal: audit-log-file is "-", and no standard input was given')
    return new FileSource(file, { ...window, stdin: environment.stdin })
  }
  if (file) return new FileSource(file, window)
  return new AdminApiSource({
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    since: window.since!,
    until: window.until!,
    projectIds: settings.projectIds,
    voice: settings.voice,
    warn: environment.log?.warn,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  })
}

export interface Scanned {
  window: TimeWindow
  /** What was read: the source's label. */
  source: string
  /** The scan's counts, findings and deletions, and what the source said of its read. */
  result: ScanResult
  /** The findings by key (with what the Admin API said about each key), and the suppressed ones: grouped once, for the issues and the report. */
  keys: KeyFindings[]
  suppressed: KeyFindings[]
  /** What the key lookups did. */
  lookups: KeyLookups
}

/**
 * The keys with findings, each with what the Admin API says of it when looked up (owner,
 * last use, whether it still exists). Off with enrich-keys: false, and for an export: there
 * is no Admin API to ask.
 */
async function withKeyInfo(
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
  const { infos, lookups } = await lookUpKeys(keys, {
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    voice: settings.voice,
    starting: (count) =>
      log.progress?.line(`Looking up ${count > 1 ? `${count} keys` : 'the key'} with findings in the Admin API`),
    warn: log.warn,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  })
  return { keys: keys.map((key) => ({ ...key, info: infos.get(key.keyId) })), lookups }
}

export async function scanWindow(settings: Settings, environment: ScanEnvironment = {}): Promise<Scanned> {
  const { log = {} } = environment
  const window = resolveWindow(settings, Math.floor((environment.now ?? Date.now()) / 1000))
  const source = openSource(settings, window, environment)
  const progress = log.progress ? trackProgress(source.label, log.progress) : undefined
  let result: ScanResult
  try {
    result = await scan(source, {
      rule: { elevatedScopes: settings.elevatedScopes, highScopes: settings.highScopes },
      window,
      allowActors: settings.allowActors,
      projectIds: settings.projectIds,
      progress: progress?.tell,
      tempDir: settings.tempDir
    }).catch((error: unknown) => {
      // A path that is no export file: a bad input, named as such.
      if (!(error instanceof ExportFileError)) throw error
      throw new SettingsError(['audit-log-file'], (input) => `${input} is "${settings.auditLogFile}": ${error.message}`)
    })
  } finally {
    progress?.stop()
  }
  const known = await withKeyInfo(settings, groupByKey(result.findings, result.deletions), log)
  return {
    window,
    source: source.label,
    result,
    keys: known.keys,
    suppressed: groupByKey(result.suppressed),
    lookups: known.lookups
  }
}

/**
 * The report of a run: its verdict by the gate, and what was read, found and done.
 * report/'s buildReport lays it out. `pending`: written as soon as the scan ends, before the GitHub phase,
 * so that the findings are out whatever GitHub does; the issues come in a second one.
 */
export function reportOf(settings: Settings, scanned: Scanned, issues: IssueAction[] = [], pending = false): Report {
  const { source, result, window } = scanned
  const failed = issues.filter((issue) => issue.action === 'failed')
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
      complete: result.source.complete,
      missing: result.source.missing,
      issueFailures: failed.length,
      unjudgedKeyEvents: result.malformedKeyEvents,
      reachable: reachableSeverities(settings),
      voice: settings.voice
    }),
    issues,
    issueMode: !settings.createIssues ? 'off' : settings.dryRun ? 'dry-run' : 'on',
    issuesPending: pending && settings.createIssues,
    warnings: settings.warnings
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
    runUrl: settings.github.runUrl,
    revokeLabel: settings.revokeLabel
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
    voice: settings.voice,
    budget: { ms: settings.githubBudgetSeconds * 1000, words: `github-budget: ${settings.words['github-budget']}` },
    ...target
  })
}

/**
 * Whether the run is a revocation's: started by an `issues` event whose action is
 * `labeled`, and nothing else. Every other run scans, and a scan has no way to a delete.
 */
export function isRevokeRun(settings: Settings): boolean {
  const event = settings.github.event
  return event?.name === 'issues' && isLabeled(event.payload)
}

/** Answers the label event of the run: a revocation, when every precondition holds (respond/). */
export async function revokeFromIssue(settings: Settings, log: (line: string) => void): Promise<RevokeOutcome> {
  return revokeFromLabel(settings.github.event?.payload, {
    revokeLabel: settings.revokeLabel,
    dryRun: settings.dryRun,
    runUrl: settings.github.runUrl,
    github: {
      token: settings.githubToken,
      apiUrl: settings.github.apiUrl,
      // The event's own repository, whatever the input repository says: the issue is there.
      repository: settings.github.workflowRepository ?? settings.github.repository,
      log,
      fetch: proxiedFetch(settings.proxy),
      secrets: [settings.openaiAdminKey],
      budget: { ms: settings.githubBudgetSeconds * 1000, words: `github-budget: ${settings.words['github-budget']}` }
    },
    openai: {
      adminKey: settings.openaiAdminKey,
      baseURL: settings.openaiBaseUrl,
      warn: log,
      secrets: [settings.githubToken],
      fetch: proxiedFetch(settings.proxy)
    }
  })
}

export type { DeleteAnswer, HeldKey, KeyPlace }

/** The Admin API as a revocation from a terminal speaks to it (the CLI's revoke). */
function adminApiOf(settings: Settings, warn?: (line: string) => void): AdminApi {
  return new AdminApi({
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    warn,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  })
}

/** Where OpenAI holds `keyId`: in `projectId` only when given, else as its own events say (never a guess). */
export function placeKey(
  settings: Settings,
  keyId: string,
  projectId?: string,
  warn?: (line: string) => void
): Promise<KeyPlace> {
  return placeOfKey(adminApiOf(settings, warn), keyId, projectId)
}

/** Deletes a key where OpenAI was found to hold it: the CLI's revoke, after asking. */
export function deleteHeldKey(settings: Settings, key: HeldKey, warn?: (line: string) => void): Promise<DeleteAnswer> {
  return deleteKey(adminApiOf(settings, warn), key)
}
