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
import { AdminApiHistory, exportHistory } from './audit-log/history.js'
import { lookUpKeys } from './audit-log/key-lookup.js'
import { escalatedCounts } from './investigate/escalate.js'
import { identityKeysOf, identityOf } from './investigate/identity.js'
import { investigate, MAX_INVESTIGATED_KEYS, type IdentityHistory } from './investigate/investigate.js'
import { MAX_USAGE_KEYS, readUsage } from './investigate/usage.js'
import { proxiedFetch } from './http/fetch.js'
import type {
  ActivityEvent,
  AuditLogSource,
  HistoryRead,
  Identity,
  Investigations,
  KeyFindings,
  KeyLookups,
  RevokeOutcome,
  ScanResult,
  TimeWindow
} from './model/index.js'
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
import { failOnReachable } from './settings/advice.js'
import { resolveWindow } from './settings/window.js'
import { keepLedger, planFromLedger, type LedgerPlan, type RunOutcome } from './ledger/keep.js'
import type { IssueActionKind } from './issues/action.js'
import type { LedgerNote } from './model/index.js'
import { plural } from './text.js'

/**
 * How the run reaches the Admin API: the key, the base URL, the proxy, and the other secret
 * to scrub from what the SDK says. Every OpenAI client of the run is made with it.
 */
function openAIOf(settings: Settings) {
  return {
    adminKey: settings.openaiAdminKey,
    baseURL: settings.openaiBaseUrl,
    secrets: [settings.githubToken],
    fetch: proxiedFetch(settings.proxy)
  }
}

/** How the run reaches GitHub: the token, the API's URL, the proxy, the other secret to scrub, and github-budget. */
function gitHubOf(settings: Settings) {
  return {
    token: settings.githubToken,
    apiUrl: settings.github.apiUrl,
    secrets: [settings.openaiAdminKey],
    fetch: proxiedFetch(settings.proxy),
    budget: { ms: settings.githubBudgetSeconds * 1000, words: `github-budget: ${settings.words['github-budget']}` }
  }
}

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
    ...openAIOf(settings),
    since: window.since!,
    until: window.until!,
    projectIds: settings.projectIds,
    voice: settings.voice,
    warn: environment.log?.warn
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
  /** What the investigations did: the histories read, the identities left out, the notes. */
  investigations: Investigations
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
    ...openAIOf(settings),
    voice: settings.voice,
    starting: (count) =>
      log.progress?.line(`Looking up ${count > 1 ? `${count} keys` : 'the key'} with findings in the Admin API`),
    warn: log.warn
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
  const now = Math.floor((environment.now ?? Date.now()) / 1000)
  const investigated = await investigateKeys(settings, known.keys, result, window, environment, now)
  return {
    window,
    source: source.label,
    // The gate and the counts read the escalated severities.
    result: {
      ...result,
      severities: escalatedCounts(
        result.severities,
        investigated.keys.map((key) => key.investigation?.escalation)
      )
    },
    keys: investigated.keys,
    suppressed: groupByKey(result.suppressed),
    lookups: known.lookups,
    ...(environment.coverage ? { coverage: noteOf(environment.coverage) } : {}),
    investigations: investigated.investigations
  }
}

/** The events of one identity an export's history keeps at most, the newest: the Admin API's read gives 500 per filter. */
const EXPORT_HISTORY_EVENTS = 1000

/** Identities whose history a run reads at most, worst first (the keys come highest severity first). */
const MAX_IDENTITIES = 10

/** The identities behind the keys, worst first, each once. */
function identitiesOf(keys: readonly KeyFindings[]): { identity: Identity; since: number | undefined }[] {
  const found = new Map<string, { identity: Identity; since: number | undefined }>()
  for (const key of keys) {
    const top = key.findings.at(0)!
    const identity = identityOf(top.actor)
    const known = found.get(identity.key)
    const at = top.effectiveAt
    if (!known) found.set(identity.key, { identity, since: at })
    else if (at !== undefined) known.since = Math.min(known.since ?? at, at)
  }
  return [...found.values()]
}

type HistoriesRead = Awaited<ReturnType<typeof readHistories>>

/**
 * The histories an export holds, read again from the file with every event handed on: each
 * identity's newest EXPORT_HISTORY_EVENTS since its look-back, as the Admin API's bounded
 * read gives them. Standard input cannot be read twice.
 */
async function readExportHistories(
  file: string,
  wanted: { identity: Identity; since: number | undefined }[],
  sinceOf: (at: number | undefined) => number,
  until: number
): Promise<HistoriesRead> {
  const histories = new Map<string, IdentityHistory>()
  const label = file === '-' ? 'standard input' : `file ${file}`
  if (file === '-') {
    const unread = 'standard input cannot be read a second time; scan a file to see the signals that need history'
    return { histories, requests: 0, notes: [`History not read: ${unread}.`], source: label, unread }
  }
  const sinces = new Map(wanted.map((entry) => [entry.identity.key, sinceOf(entry.since)]))
  const byIdentity = new Map<string, ActivityEvent[]>()
  const newest = (list: ActivityEvent[]): ActivityEvent[] =>
    list.sort((a, b) => (b.effectiveAt ?? 0) - (a.effectiveAt ?? 0)).slice(0, EXPORT_HISTORY_EVENTS)
  const keep = (event: ActivityEvent): boolean => {
    for (const key of identityKeysOf(event.actor)) {
      if ((event.effectiveAt ?? until) < (sinces.get(key) ?? Infinity)) continue
      const list = byIdentity.get(key) ?? []
      list.push(event)
      // Memory stays bounded however many events an identity has in the file.
      byIdentity.set(key, list.length >= 2 * EXPORT_HISTORY_EVENTS ? newest(list) : list)
    }
    return false
  }
  // Only the lines that name one of the identities are parsed: the rest are no one's history.
  // Its first filter names it in every event of its own (a key's events name the key's owner).
  const mentioning = [...new Set(wanted.flatMap(({ identity }) => identity.filters.slice(0, 1).map((f) => f.value)))]
  const read = await exportHistory(new FileSource(file, { mentioning }), keep).catch((error: unknown) => {
    return `the export could not be read again (${error instanceof Error ? error.message : String(error)})`
  })
  if (typeof read === 'string')
    return { histories, requests: 0, notes: [`History not read: ${read}.`], source: label, unread: read }
  for (const { identity } of wanted) {
    const all = byIdentity.get(identity.key) ?? []
    const events = newest(all)
    const cut = all.length > events.length
    histories.set(identity.key, {
      read: { ...read.read, events: events.length, since: sinces.get(identity.key), ...(cut ? { cut } : {}) },
      events
    })
  }
  const notes = read.read.reason ? [`History from the export: ${read.read.reason}.`] : []
  return { histories, requests: 0, notes, source: label }
}

/**
 * The histories of the identities behind the keys: from the Admin API (one chain per filter,
 * bounded), or from the export itself. A refusal or a failure is one note, stops the reads
 * after it, and leaves `complete` as it is.
 */
async function readHistories(
  settings: Settings,
  wanted: { identity: Identity; since: number | undefined }[],
  window: TimeWindow,
  environment: ScanEnvironment,
  now: number
): Promise<{
  histories: Map<string, IdentityHistory>
  requests: number
  notes: string[]
  source?: string
  /** Why the identities not in `histories` were not read. */
  unread?: string
}> {
  const histories = new Map<string, IdentityHistory>()
  const notes: string[] = []
  const lookBack = settings.historySeconds
  const until = window.until ?? now
  const sinceOf = (at: number | undefined): number => (at ?? until) - lookBack
  if (settings.auditLogFile) return readExportHistories(settings.auditLogFile, wanted, sinceOf, until)
  const api = new AdminApiHistory({
    ...openAIOf(settings),
    warn: environment.log?.warn
  })
  let requests = 0
  for (const [at, { identity, since }] of wanted.entries()) {
    const answer = await api.read(identity.filters, sinceOf(since), until)
    requests += answer.requests
    const problem = answer.refused
      ? `the Admin API refused the admin key (${answer.refused}): give it the Audit Logs read permission`
      : answer.failed
    if (problem) {
      notes.push(
        `History not read for ${wanted.length - at === 1 ? '1 identity' : `${wanted.length - at} identities`}: ${problem}. The findings stand; their signals that need history are not judged.`
      )
      return { histories, requests, notes, source: api.label, unread: problem }
    }
    const read: HistoryRead = {
      source: api.label,
      status: 'read',
      events: answer.events.length,
      since: sinceOf(since),
      logins: true,
      ...(answer.cut ? { cut: true } : {})
    }
    histories.set(identity.key, { read, events: answer.events })
  }
  return { histories, requests, notes, source: api.label }
}

/**
 * Each key's investigation (identity, signals, escalation, the identity's keys, usage). The
 * history and the usage are evidence, not the window: they never change `complete`, fail
 * the run or hide a finding.
 */
async function investigateKeys(
  settings: Settings,
  keys: KeyFindings[],
  result: ScanResult,
  window: TimeWindow,
  environment: ScanEnvironment,
  now: number
): Promise<{ keys: KeyFindings[]; investigations: Investigations }> {
  // An event with no actor (the SDK's type allows a null one) names no one whose history could be read.
  const identities = identitiesOf(keys.slice(0, MAX_INVESTIGATED_KEYS)).filter(
    (entry) => entry.identity.filters.length > 0
  )
  // The cap bounds the Admin API's requests, and the search of an export's every line for the identities.
  const wanted = identities.slice(0, MAX_IDENTITIES)
  const off = settings.historySeconds === 0 ? 'history is 0' : undefined
  if (identities.length > 0 && !off && !settings.auditLogFile)
    environment.log?.progress?.line(
      `Reading the history of ${wanted.length > 1 ? `${wanted.length} identities` : 'the identity'} behind the findings`
    )
  const read =
    off || keys.length === 0
      ? {
          histories: new Map<string, IdentityHistory>(),
          requests: 0,
          notes: [] as string[],
          source: undefined,
          unread: undefined
        }
      : await readHistories(settings, wanted, window, environment, now)
  const leftOut = identities.slice(MAX_IDENTITIES).map((entry) => entry.identity.name)
  const notRead = (identityKey: string): HistoryRead =>
    off
      ? { status: 'not-read', reason: 'history is 0 (off)', events: 0, logins: false }
      : identities.findIndex((entry) => entry.identity.key === identityKey) >= MAX_IDENTITIES
        ? {
            status: 'not-read',
            reason: `at most ${MAX_IDENTITIES} identities' histories are read a run, the worst first`,
            events: 0,
            logins: false
          }
        : identityKey === 'unknown'
          ? { status: 'not-read', reason: 'the event names no actor', events: 0, logins: false }
          : { status: 'not-read', reason: read.unread ?? 'its history could not be read', events: 0, logins: false }
  const usage = await usageOf(settings, keys, environment, now)
  const notes = [...read.notes, ...(usage.note ? [usage.note] : [])]
  if (keys.length > MAX_INVESTIGATED_KEYS)
    notes.push(
      `${keys.length - MAX_INVESTIGATED_KEYS} keys not investigated (at most ${MAX_INVESTIGATED_KEYS} a run, the worst first): their severity is the rule's.`
    )
  if (leftOut.length > 0)
    notes.push(
      `History not read for ${leftOut.length === 1 ? '1 more identity' : `${leftOut.length} more identities`} (at most ${MAX_IDENTITIES} a run, worst first): ${leftOut.slice(0, 10).join(', ')}${leftOut.length > 10 ? ' and more' : ''}.`
    )
  return {
    keys: investigate({
      keys,
      deletions: result.deletions,
      histories: read.histories,
      notRead,
      usage: usage.usage,
      escalateSignals: settings.escalateSignals
    }),
    investigations: {
      ...(off ? { off } : {}),
      ...(read.source ? { source: read.source } : {}),
      identities: identities.length,
      read: read.histories.size,
      leftOut,
      requests: read.requests + usage.requests,
      notes
    }
  }
}

/** What the keys that still exist did since (Usage API), worst first; off with enrich-keys: false and for an export. */
async function usageOf(
  settings: Settings,
  keys: readonly KeyFindings[],
  environment: ScanEnvironment,
  now: number
): Promise<Awaited<ReturnType<typeof readUsage>>> {
  if (!settings.enrichKeys || settings.auditLogFile) return { usage: new Map(), requests: 0 }
  // A key deleted in the window has its deletions grouped with it (groupByKey).
  const existing = keys
    .filter((key) => key.info?.status === 'found' && key.deletions.length === 0)
    .slice(0, MAX_USAGE_KEYS)
  return readUsage(
    existing.map((key) => ({
      keyId: key.keyId,
      createdAt: key.info?.status === 'found' ? key.info.createdAt : undefined
    })),
    {
      ...openAIOf(settings),
      warn: environment.log?.warn,
      now
    }
  )
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
    investigations: scanned.investigations,
    failOn: settings.failOn,
    gate: gate({
      severities: result.severities,
      failOn: settings.failOn,
      complete: result.source.complete,
      missing: result.source.missing,
      issueFailures: failed.length,
      unjudgedKeyEvents: result.malformedKeyEvents,
      failOnReachable: failOnReachable(settings),
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
    ...gitHubOf(settings),
    repository: settings.github.repository,
    workflowRepository: settings.github.workflowRepository,
    voice: settings.voice,
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
      ...gitHubOf(settings),
      // The event's own repository, whatever the input repository says: the issue is there.
      repository: settings.github.workflowRepository ?? settings.github.repository,
      log
    },
    openai: {
      ...openAIOf(settings),
      warn: log
    }
  })
}

export type { HeldKey }

/** The Admin API as a revocation from a terminal speaks to it (the CLI's revoke). */
function adminApiOf(settings: Settings, warn?: (line: string) => void): AdminApi {
  return new AdminApi({
    ...openAIOf(settings),
    warn
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
function ledgerOff(settings: Settings): string | undefined {
  if (!settings.ledger) return 'ledger is false'
  if (settings.auditLogFile) return 'an exported audit log was scanned: an export is not the live log, and adds nothing'
  if (!settings.github.repository) return 'there is no repository to keep it in (--repo)'
  if (!settings.githubToken) return 'there is no GitHub token (github-token)'
  return undefined
}

/** The ledger's read, and its write, each take at most this long (and at most github-budget): a slow GitHub holds the scan back no longer. */
const LEDGER_READ_MS = 60_000

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
  const off = ledgerOff(settings)
  if (off !== undefined) return { off }
  const window = resolveWindow(settings, now)
  const ms = Math.min(settings.githubBudgetSeconds * 1000, LEDGER_READ_MS)
  const plan = await planFromLedger(
    {
      target: {
        ...gitHubOf(settings),
        repository: settings.github.repository,
        label: settings.label,
        budget: { ms, words: `the ledger's share of it: github-budget ${settings.words['github-budget']}, at most 1m` }
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
function outcomeOf(scanned: Scanned, issues: readonly IssueAction[]): RunOutcome {
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
