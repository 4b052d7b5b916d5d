// The one place the stages are composed: settings in; the audit-log source and the scan
// (events in, findings out, grouped by key once); the keys with findings looked up in the
// Admin API; the issues on GitHub (one per key); then the report that the summary, the
// outputs, the JSON file and the CLI render. Around them, the coverage ledger: read before
// the scan (it gives a scheduled run its window), written after the issues.
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
import { keepLedger, planFromLedger, type LedgerPlan, type RunOutcome } from './ledger/keep.js'
import type { IssueActionKind } from './issues/action.js'
import type { LedgerNote } from './model/index.js'
import { plural } from './text.js'

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
  /** The coverage ledger as read before the scan (readCoverage): the window comes from it. */
  coverage?: Coverage
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
  /** What the coverage ledger did, when it was read (readCoverage). */
  coverage?: LedgerNote
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
  const plan = environment.coverage && 'plan' in environment.coverage ? environment.coverage.plan : undefined
  const window = plan
    ? { since: plan.window.start, until: plan.window.end }
    : resolveWindow(settings, Math.floor((environment.now ?? Date.now()) / 1000))
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
    lookups: known.lookups,
    ...(environment.coverage ? { coverage: noteOf(environment.coverage) } : {})
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
    warnings: settings.warnings,
    ledger: scanned.coverage
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

/** The coverage ledger of a run: read and planned, or not kept, and why. */
export type Coverage = { plan: LedgerPlan } | { off: string }

function noteOf(coverage: Coverage): LedgerNote {
  return 'plan' in coverage
    ? coverage.plan.note
    : { off: coverage.off, caughtUp: 0, beyond: [], written: 'not-written', notes: [] }
}

/** Why the coverage ledger is not kept this run; undefined when it is. */
export function ledgerOff(settings: Settings): string | undefined {
  if (!settings.ledger) return 'ledger is false'
  if (settings.auditLogFile) return 'an exported audit log was scanned: an export is not the live log, and adds nothing'
  if (!settings.github.repository) return 'there is no repository to keep it in (--repo)'
  if (!settings.githubToken) return 'there is no GitHub token (github-token)'
  return undefined
}

/** The ledger's read, and its write, each take at most this long (and at most github-budget): a slow GitHub holds the scan back no longer. */
export const LEDGER_READ_MS = 60_000

/**
 * Reads the coverage ledger before the scan, within its time limit: a scheduled run's
 * window then starts where complete coverage ends (up to max-catch-up back), a backfill's
 * is its own. Warnings (a ledger that cannot be read, a gap beyond max-catch-up) go to `warn`, once.
 */
export async function readCoverage(
  settings: Settings,
  environment: ScanEnvironment & { warn?: (line: string) => void } = {}
): Promise<Coverage> {
  const now = Math.floor((environment.now ?? Date.now()) / 1000)
  const window = resolveWindow(settings, now)
  const off = ledgerOff(settings)
  if (off !== undefined) return { off }
  const ms = Math.min(settings.githubBudgetSeconds * 1000, LEDGER_READ_MS)
  const plan = await planFromLedger(
    {
      target: {
        token: settings.githubToken,
        apiUrl: settings.github.apiUrl,
        repository: settings.github.repository,
        label: settings.label,
        budget: { ms, words: `the ledger's share of it: github-budget ${settings.words['github-budget']}, at most 1m` },
        secrets: [settings.openaiAdminKey],
        fetch: proxiedFetch(settings.proxy)
      },
      lookback: settings.lookbackSeconds,
      maxCatchUp: settings.maxCatchUpSeconds,
      words: { lookback: settings.words.lookback, maxCatchUp: settings.words['max-catch-up'] },
      dryRun: settings.dryRun
    },
    {
      now,
      window: { start: window.since!, end: window.until! },
      scheduled: settings.since === undefined && settings.until === undefined
    },
    environment.warn ?? (() => {})
  )
  return { plan }
}

/** Issue actions that leave a finding or a deletion unfiled: the next runs must read its event again. */
const UNFILED: readonly IssueActionKind[] = ['failed', 'not-noted', 'capped']

/** What the run's read came to for the ledger: covered only when read completely, every type, and all filed. */
export function outcomeOf(scanned: Scanned, issues: readonly IssueAction[]): RunOutcome {
  const status = scanned.result.source
  if (!status.complete)
    return { covered: false, kind: 'failed', why: status.missing.join('; ') || 'part of it is missing' }
  if (status.notRead.length > 0) return { covered: false, kind: 'refused', why: status.notRead.join(' ') }
  const unfiled = issues.filter((issue) => UNFILED.includes(issue.action))
  if (unfiled.length > 0) {
    return {
      covered: false,
      kind: 'not-filed',
      why: `the issues of ${plural(unfiled.length, 'key')} were not written (${[...new Set(unfiled.map((issue) => issue.action))].join(', ')})`
    }
  }
  return { covered: true }
}

/** Writes back what the run read, once, after the issues; the scan with the ledger's note of it. */
export async function keepCoverage(
  scanned: Scanned,
  issues: readonly IssueAction[],
  coverage: Coverage,
  warn: (line: string) => void = () => {}
): Promise<Scanned> {
  if (!('plan' in coverage)) return scanned
  return { ...scanned, coverage: await keepLedger(coverage.plan, outcomeOf(scanned, issues), warn) }
}
