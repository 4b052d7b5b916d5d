// Every input, from the action or the CLI, and every variable of the environment becomes
// one typed, validated Settings here, up front. Nothing else reads inputs or the
// environment. The defaults are those of action.yml (a test keeps the two equal): the
// runner fills them in for the action, this module for the CLI.
import { tmpdir } from 'node:os'
import { isLoopback } from '../http/loopback.js'
import { FAIL_ON_LEVELS, repositoryOf, type FailOn, type ProxySettings, type TimeWindow } from '../model/index.js'
import { DEFAULT_RULE_OPTIONS } from '../rules/api-key-anomalous-activity.js'
import { isoTime } from '../text.js'

export const DEFAULTS = {
  'openai-base-url': 'https://api.openai.com/v1',
  lookback: '24h',
  since: '',
  until: '',
  'project-ids': '',
  'enrich-keys': 'true',
  'fail-on': 'high',
  'create-issues': 'true',
  repository: '',
  label: 'openai-keywatch',
  'max-issues': '25',
  assignees: '',
  'dry-run': 'false',
  'allow-actors': '',
  'audit-log-file': '',
  'reopen-closed': 'true',
  'close-when-revoked': 'false',
  'elevated-scopes': DEFAULT_RULE_OPTIONS.elevatedScopes.join(', '),
  'high-scopes': DEFAULT_RULE_OPTIONS.highScopes.join(', '),
  'github-budget': '10m'
} as const

export type InputName = keyof typeof DEFAULTS | 'openai-admin-key' | 'github-token'

export interface Settings {
  openaiAdminKey: string
  openaiBaseUrl: string
  /** Seconds looked back from now when `since` is not given (API source only). */
  lookbackSeconds: number
  lookback: string
  since?: number
  until?: number
  projectIds: string[]
  /** Look up each key with findings in the Admin API (owner, last use, whether it still exists). */
  enrichKeys: boolean
  failOn: FailOn
  githubToken: string
  createIssues: boolean
  label: string
  maxIssues: number
  /** GitHub users new issues are assigned to. */
  assignees: string[]
  dryRun: boolean
  allowActors: string[]
  auditLogFile?: string
  reopenClosed: boolean
  /** Close a key's issue once its deletion is in the window (nothing else closes one). */
  closeWhenRevoked: boolean
  /** Elevated scope patterns, `high-scopes` included: a HIGH scope is elevated by definition. */
  elevatedScopes: string[]
  highScopes: string[]
  /** Seconds the GitHub phase (issues) may take in all; keys not reached by then are reported as not written. */
  githubBudgetSeconds: number
  githubBudget: string
  /** Where issues go and the run they link to, from the runner's environment. */
  github: GitHubEnvironment
  /** RUNNER_TEMP in a workflow, else the system's temporary directory. */
  tempDir: string
  /** The proxy both the Admin API and GitHub are reached through, if any. */
  proxy: ProxySettings
}

export interface GitHubEnvironment {
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  apiUrl: string
  /** Where issues go, owner/name: the input repository, else GITHUB_REPOSITORY (the CLI's --repo). */
  repository: string
  /** GITHUB_REPOSITORY, the workflow's own repository, when it runs in one. */
  workflowRepository?: string
  /** The workflow run's page; none outside a workflow run. */
  runUrl?: string
  /**
   * GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and GITHUB_ACTION (the step), to name the step's report
   * file: two steps of the action in one job must not write the same one.
   */
  runId?: string
  /** Whether the runner gave the step a job summary (GITHUB_STEP_SUMMARY). */
  stepSummary: boolean
}

/**
 * A bad input. The message names the inputs and the forms they accept; the CLI names them
 * as its options instead (`namedAs`).
 */
export class SettingsError extends Error {
  override name = 'SettingsError'

  constructor(
    readonly inputs: readonly InputName[],
    private readonly words: (...names: string[]) => string
  ) {
    super(inputs.length === 0 ? words() : `${inputs.length > 1 ? 'Inputs' : 'Input'} ${words(...inputs)}`)
  }

  /** The message with the inputs called `noun` and named by `name`: "Option --since". */
  namedAs(noun: string, name: (input: InputName) => string): string {
    if (this.inputs.length === 0) return this.message
    return `${noun}${this.inputs.length > 1 ? 's' : ''} ${this.words(...this.inputs.map(name))}`
  }
}

type Read = (name: InputName) => string

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

export function parseDuration(name: InputName, value: string): number {
  const match = /^(\d+)\s*([smhdw])$/i.exec(value.trim())
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]! : NaN
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new SettingsError(
      [name],
      (input) =>
        `${input} is "${value}": use a positive whole number with a unit, s, m, h, d or w (for example 90m, 24h, 7d).`
    )
  }
  return seconds
}

/** Date.parse rolls 2025-02-30 over to March and T24:00 to the next day: such a time is refused. */
function realDate(iso: string): boolean {
  const local = iso.replace(/(Z|[+-]\d{2}:?\d{2})$/i, '')
  const [y, mo, d, h = 0, mi = 0, s = 0] = (local.match(/\d+/g) ?? []).map(Number)
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s))
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo! - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s
  )
}

/** ISO 8601 (with a time zone, or UTC when none is given) or Unix seconds, to Unix seconds. */
export function parseTime(name: InputName, value: string): number {
  const trimmed = value.trim()
  let seconds = NaN
  if (/^\d{9,11}(\.\d+)?$/.test(trimmed)) seconds = Number(trimmed)
  else if (
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed) &&
    realDate(trimmed)
  ) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) || !trimmed.includes(':') ? trimmed : `${trimmed}Z`
    seconds = Date.parse(zoned) / 1000
  }
  if (!Number.isFinite(seconds)) {
    throw new SettingsError(
      [name],
      (input) => `${input} is "${value}": use an ISO 8601 time (2026-11-01T00:00:00Z) or Unix seconds (1793491200).`
    )
  }
  // The Admin API takes effective_at as Unix seconds, and the audit log holds nothing older
  // than 1970: a negative time would be sent as it is, and its refusal blamed on the API.
  if (seconds < 0) throw beforeUnixTime(name, `is "${value}"`)
  return Math.floor(seconds)
}

/** A time before 1970 (since, until, or where lookback reaches back to): an input error, named. */
function beforeUnixTime(name: InputName, what: string): SettingsError {
  return new SettingsError(
    [name],
    (input) =>
      `${input} ${what}, before 1970-01-01T00:00:00Z (Unix time 0): the audit log holds no events that old. ` +
      'Give a time from 1970 on (OpenAI audit logs start when audit logging was switched on).'
  )
}

/**
 * Lists accept commas, newlines and spaces alike (scopes, ids and emails hold none), and
 * what a YAML list pasted into the input leaves: "- item" lines, "[a, b]", quotes.
 */
export function parseList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((item) => item.replace(/^[[\]"']+|[[\]"']+$/g, ''))
    .filter((item) => item !== '' && item !== '-')
}

export function parseBoolean(name: InputName, value: string): boolean {
  const trimmed = value.trim()
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false
  throw new SettingsError([name], (input) => `${input} is "${value}": use true or false.`)
}

export function parseCount(name: InputName, value: string): number {
  const trimmed = value.trim()
  const count = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN
  if (!Number.isSafeInteger(count)) {
    throw new SettingsError([name], (input) => `${input} is "${value}": use a whole number, 0 or more.`)
  }
  return count
}

export function parseFailOn(name: InputName, value: string): FailOn {
  const level = value.trim().toLowerCase()
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(level)) {
    throw new SettingsError([name], (input) => `${input} is "${value}": use one of ${FAIL_ON_LEVELS.join(', ')}.`)
  }
  return level as FailOn
}

/** A URL as a message may show it: any user name and password replaced, parsed or not. */
function withoutCredentials(value: string): string {
  return value.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1***@')
}

/**
 * An https URL; http only to a loopback address (a test server, a local proxy): the admin key
 * must not travel in clear text. No user name or password: the URL is printed in the log, the
 * summary and the report, and its credentials with it.
 */
function parseUrl(name: InputName, value: string): string {
  const shown = withoutCredentials(value)
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw new SettingsError(
      [name],
      (input) => `${input} is "${shown}": use an http(s) URL such as https://api.openai.com/v1.`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError(
      [name],
      (input) => `${input} is "${shown}": use an http(s) URL such as https://api.openai.com/v1.`
    )
  }
  if (url.username !== '' || url.password !== '') {
    url.username = ''
    url.password = ''
    const bare = url.toString().replace(/\/$/, '')
    throw new SettingsError(
      [name],
      (input) =>
        `${input} holds a user name or password (${url.protocol}//***@${url.host}): it would be printed in the log, ` +
        `the summary and the report. Give the URL without them (${bare}); a proxy that needs a password goes in HTTPS_PROXY.`
    )
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new SettingsError(
      [name],
      (input) =>
        `${input} is "${shown}": http:// would send the admin key in clear text; use https:// ` +
        '(http:// is accepted only for a loopback address: 127.0.0.1, ::1 or localhost).'
    )
  }
  return url.toString().replace(/\/$/, '')
}

/** GitHub user names, with or without @; GitHub takes at most 10 assignees an issue. */
function parseAssignees(name: InputName, value: string): string[] {
  const users = parseList(value).map((user) => user.replace(/^@/, ''))
  const bad = users.find((user) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(user))
  if (bad !== undefined) {
    throw new SettingsError(
      [name],
      (input) =>
        `${input} has "${bad}", which is not a GitHub user name: list user names (commas or newlines), e.g. alice, bob.`
    )
  }
  if (users.length > 10)
    throw new SettingsError([name], (input) => `${input} lists ${users.length} users: GitHub assigns 10 at most.`)
  return [...new Set(users)]
}

/**
 * A secret pasted with a character an HTTP header cannot carry (a zero-width space, a
 * non-breaking space, a line break) would fail far from here, with a message that names
 * neither the input nor the cause. Keys and tokens are printable ASCII.
 */
function checkSecret(name: InputName, value: string, variable?: string): void {
  const chars = [...value]
  const at = chars.findIndex((char) => char < '!' || char > '~')
  if (at === -1) return
  const code = chars[at]!.codePointAt(0)!
  const words = (input: string): string =>
    `${input} holds a character that cannot be sent (U+${code.toString(16).toUpperCase().padStart(4, '0')} ` +
    `at position ${at + 1}${code === 0x200b ? ', a zero-width space' : ''}, often pasted along with a key): ` +
    'copy the value again without it and update the secret.'
  throw variable ? new SettingsError([], () => words(variable)) : new SettingsError([name], words)
}

function parseScopes(name: InputName, value: string): string[] {
  const scopes = parseList(value).map((scope) => scope.toLowerCase())
  if (scopes.length === 0)
    throw new SettingsError([name], (input) => `${input} is empty: list at least one scope, e.g. "all, admin".`)
  return scopes
}

/**
 * Reads and checks every input. `read` returns the raw value of an input ('' when unset);
 * defaults from DEFAULTS fill in empty values, as the runner does from action.yml.
 * `caller.stdin`: the caller can hand on standard input, for audit-log-file "-" (the CLI);
 * the action cannot.
 */
export function readSettings(read: Read, env: NodeJS.ProcessEnv = {}, caller: { stdin?: boolean } = {}): Settings {
  const value = (name: InputName): string => {
    const raw = read(name).trim()
    return raw !== '' ? raw : ((DEFAULTS as Record<string, string>)[name] ?? '')
  }
  const auditLogFile = value('audit-log-file') || undefined
  const openaiAdminKey = value('openai-admin-key')
  if (!auditLogFile && openaiAdminKey === '') {
    throw new SettingsError(
      ['openai-admin-key'],
      (input) =>
        `${input} is empty: pass an OpenAI Admin API key (sk-admin-...) from a repository secret, ` +
        'e.g. openai-admin-key: ${{ secrets.OPENAI_ADMIN_KEY }}, or set audit-log-file to scan an export.'
    )
  }
  if (!auditLogFile) checkSecret('openai-admin-key', openaiAdminKey)
  const createIssues = parseBoolean('create-issues', value('create-issues'))
  const githubToken = read('github-token').trim()
  if (createIssues) checkSecret('github-token', githubToken)
  const highScopes = parseScopes('high-scopes', value('high-scopes'))
  // A HIGH scope is elevated by definition: listing it in high-scopes alone makes it a finding.
  const elevatedScopes = [...new Set([...parseScopes('elevated-scopes', value('elevated-scopes')), ...highScopes])]
  const since = value('since') ? parseTime('since', value('since')) : undefined
  const until = value('until') ? parseTime('until', value('until')) : undefined
  const label = value('label')
  if (label.length > 50)
    throw new SettingsError(['label'], (input) => `${input} is ${label.length} characters: GitHub allows 50 at most.`)
  // GitHub's issue listing reads labels=a,b as "both a and b": such a label never finds its issues again.
  if (label.includes(',')) {
    throw new SettingsError(
      ['label'],
      (input) =>
        `${input} is "${label}": a label with a comma cannot be looked up (GitHub reads the comma as "and"), so every run would open its issues again. Use one label without a comma, e.g. ${label.replace(/\s*,\s*/g, '-')}.`
    )
  }
  const repository = value('repository')
  if (repository && !repositoryOf(repository)) {
    throw new SettingsError(
      ['repository'],
      (input) =>
        `${input} is "${repository}": use owner/name, e.g. acme/security, or leave it empty for this repository.`
    )
  }
  if (auditLogFile === '-' && !caller.stdin) {
    throw new SettingsError(
      ['audit-log-file'],
      (input) => `${input} is "-", standard input, which the action does not read: give the path of the export file.`
    )
  }
  const github = githubEnvironment(env)
  return {
    openaiAdminKey,
    openaiBaseUrl: parseUrl('openai-base-url', value('openai-base-url')),
    lookback: value('lookback'),
    lookbackSeconds: parseDuration('lookback', value('lookback')),
    since,
    until,
    projectIds: parseList(value('project-ids')),
    enrichKeys: parseBoolean('enrich-keys', value('enrich-keys')),
    failOn: parseFailOn('fail-on', value('fail-on')),
    githubToken,
    createIssues,
    label: label || DEFAULTS.label,
    maxIssues: parseCount('max-issues', value('max-issues')),
    assignees: parseAssignees('assignees', value('assignees')),
    dryRun: parseBoolean('dry-run', value('dry-run')),
    allowActors: parseList(value('allow-actors')),
    auditLogFile,
    reopenClosed: parseBoolean('reopen-closed', value('reopen-closed')),
    closeWhenRevoked: parseBoolean('close-when-revoked', value('close-when-revoked')),
    elevatedScopes,
    highScopes,
    githubBudgetSeconds: parseDuration('github-budget', value('github-budget')),
    githubBudget: value('github-budget'),
    github: repository ? { ...github, repository } : github,
    tempDir: env.RUNNER_TEMP || tmpdir(),
    proxy: {
      httpProxy: env.http_proxy || env.HTTP_PROXY || '',
      httpsProxy: env.https_proxy || env.HTTPS_PROXY || '',
      noProxy: env.no_proxy || env.NO_PROXY || ''
    }
  }
}

/**
 * The CLI's settings. Its options are the action's inputs; the keys come from the
 * environment (OPENAI_ADMIN_KEY, GITHUB_TOKEN, as the tools around OpenAI and GitHub
 * read them), and issues go to `repository` (--repo), with no workflow run to link to.
 */
export function readCliSettings(
  inputs: ReadonlyMap<InputName, string>,
  env: NodeJS.ProcessEnv,
  repository = '',
  stdin?: { isTTY?: boolean }
): Settings {
  const adminKey = (env.OPENAI_ADMIN_KEY ?? '').trim()
  if (!inputs.has('audit-log-file') && adminKey === '') {
    throw new SettingsError(
      [],
      () =>
        'OPENAI_ADMIN_KEY is not set: export an OpenAI Admin API key (sk-admin-..., read-only or with the ' +
        'Audit Logs scope set to Read) to scan the Admin API, or pass --file to scan an exported audit log.'
    )
  }
  if (!inputs.has('audit-log-file')) checkSecret('openai-admin-key', adminKey, 'OPENAI_ADMIN_KEY')
  if (repository) checkSecret('github-token', (env.GITHUB_TOKEN ?? '').trim(), 'GITHUB_TOKEN')
  const read = (name: InputName): string =>
    name === 'openai-admin-key'
      ? adminKey
      : name === 'github-token'
        ? (env.GITHUB_TOKEN ?? '')
        : (inputs.get(name) ?? '')
  const settings = readSettings(read, env, { stdin: true })
  if (settings.auditLogFile === '-' && (!stdin || stdin.isTTY)) {
    throw new SettingsError(
      [],
      () =>
        '--file - reads the export from standard input, which is a terminal here: pipe it in, e.g. gunzip -c export.jsonl.gz | openai-keywatch scan --file -'
    )
  }
  return { ...settings, github: { apiUrl: settings.github.apiUrl, repository, stepSummary: false } }
}

/** The secrets a CLI run may hold, to scrub from what it prints. */
export function cliSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env.OPENAI_ADMIN_KEY ?? '', env.GITHUB_TOKEN ?? '']
}

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function cliColor(env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  return terminal && !env.NO_COLOR
}

/** Where issues go and the run they link to, from the variables the runner sets. */
function githubEnvironment(env: NodeJS.ProcessEnv): GitHubEnvironment {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY ?? ''
  const run = env.GITHUB_RUN_ID ?? ''
  const runUrl =
    repositoryOf(repository) && /^\d+$/.test(run) && /^https?:\/\/[^\s()<>]+$/.test(server)
      ? `${server}/${repository}/actions/runs/${run}`
      : undefined
  // GITHUB_ACTION names the step ("__run", "keywatch", "__org_repo_2"): unique within a job.
  const step = (env.GITHUB_ACTION ?? '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 100)
  const runId = [env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, step].filter(Boolean).join('-') || undefined
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository,
    workflowRepository: repository || undefined,
    runUrl,
    runId,
    stepSummary: Boolean(env.GITHUB_STEP_SUMMARY)
  }
}

/**
 * The window a run reads, [since, until) in Unix seconds. For the API: `since` or
 * now - lookback, up to `until` or now. For a file: only what `since`/`until` say.
 */
export function resolveWindow(settings: Settings, nowSeconds: number): TimeWindow {
  const { since, until } = settings
  if (since !== undefined && since > nowSeconds) {
    throw new SettingsError(
      ['since'],
      (input) => `${input} (${isoTime(since)}) is in the future: the window would be empty.`
    )
  }
  if (since !== undefined && until !== undefined && since >= until) {
    throw new SettingsError(
      ['since', 'until'],
      (a, b) => `${a} (${isoTime(since)}) and ${b} (${isoTime(until)}) are inverted: since must be earlier than until.`
    )
  }
  if (settings.auditLogFile) return { since, until }
  const end = Math.min(until ?? nowSeconds, nowSeconds)
  const start = since ?? end - settings.lookbackSeconds
  if (start < 0) {
    // A Date holds times up to 8.64e15 ms either side of 1970; lookback can reach further.
    const to = start >= -8.64e12 ? `to ${isoTime(start)}` : 'past any date'
    throw beforeUnixTime('lookback', `is "${settings.lookback}", which reaches back ${to}`)
  }
  if (start >= end) {
    throw until === undefined
      ? new SettingsError(
          ['since'],
          (input) => `${input} (${isoTime(start)}) leaves an empty window: it must be earlier than now.`
        )
      : new SettingsError(
          ['until'],
          (input) => `${input} (${isoTime(end)}) leaves an empty window: it must be later than since.`
        )
  }
  return { since: start, until: end }
}
