// The inputs, as the action's runner gives them (and the CLI's options, named the same),
// read and checked into one Settings with the environment's part (github.ts, the proxy,
// the temporary directory). Secrets are checked in the caller's words.
import { tmpdir } from 'node:os'
import { LEDGER_KEEP_SECONDS, repositoryOf, REVOKED_LABEL } from '../model/index.js'
import { keyAdvice, notAdminKey } from '../openai/admin-key.js'
import { settingsWarnings } from './advice.js'
import { githubEnvironment } from './github.js'
import {
  ACTION,
  DEFAULTS,
  secretError,
  SettingsError,
  type Caller,
  type InputName,
  type InputWords,
  type Settings
} from './settings.js'
import {
  checkSecret,
  parseAssignees,
  parseBoolean,
  parseCount,
  parseDuration,
  parseFailOn,
  parseList,
  parseScopes,
  parseTime,
  parseUrl
} from './values.js'

type Read = (name: InputName) => string

/** An input's value, trimmed, or its default (as the runner fills it in from action.yml) when empty. */
type Value = (name: InputName) => string

/**
 * The admin key and the token, checked in the caller's words: the key is needed to read the
 * Admin API (not for an export), must be printable and must be an Admin API key; the token,
 * when issues are written, printable.
 */
function readSecrets(value: Value, read: Read, caller: Caller): { openaiAdminKey: string; githubToken: string } {
  const auditLogFile = value('audit-log-file')
  const openaiAdminKey = value('openai-admin-key')
  if (!auditLogFile && openaiAdminKey === '') {
    throw new SettingsError(
      ['openai-admin-key'],
      (input) =>
        `${input} is empty: pass an OpenAI Admin API key (sk-admin-...) from a repository secret, ` +
        'e.g. openai-admin-key: ${{ secrets.OPENAI_ADMIN_KEY }}, or set audit-log-file to scan an export.'
    )
  }
  if (!auditLogFile) {
    checkSecret('openai-admin-key', openaiAdminKey, caller)
    const kind = notAdminKey(openaiAdminKey)
    if (kind) {
      throw secretError(
        caller,
        'openai-admin-key',
        (name) => `${name} is ${kind}, which cannot read audit logs. ${keyAdvice(caller.voice.adminKey.passIn)}`
      )
    }
  }
  const githubToken = read('github-token').trim()
  if (parseBoolean('create-issues', value('create-issues'))) checkSecret('github-token', githubToken, caller)
  return { openaiAdminKey, githubToken }
}

/** A label of the issues (label, revoke-label): one GitHub can hold and look up again. */
function readLabel(value: Value, name: 'label' | 'revoke-label'): string {
  const label = value(name)
  if (label.length > 50)
    throw new SettingsError([name], (input) => `${input} is ${label.length} characters: GitHub allows 50 at most.`)
  // GitHub's issue listing reads labels=a,b as "both a and b": such a label never finds its issues again.
  if (label.includes(',')) {
    throw new SettingsError(
      [name],
      (input) =>
        `${input} is "${label}": a label with a comma cannot be looked up (GitHub reads the comma as "and"), so every run would open its issues again. Use one label without a comma, e.g. ${label.replace(/\s*,\s*/g, '-')}.`
    )
  }
  return label || DEFAULTS[name]
}

/**
 * The revoke label: one of its own, apart from the issues' label and from the label a
 * revocation leaves (keywatch:revoked), or every issue, or every revoked one, would ask again.
 */
function readRevokeLabel(value: Value, label: string): string {
  const revokeLabel = readLabel(value, 'revoke-label')
  const same = [label, REVOKED_LABEL].find((other) => other.toLowerCase() === revokeLabel.toLowerCase())
  if (same !== undefined) {
    throw new SettingsError(
      ['revoke-label'],
      (input) =>
        `${input} is "${revokeLabel}", ${same === label ? 'the label every issue of the action carries' : 'the label a revocation leaves on its issue'}: ` +
        `give the label a person adds to ask for a revocation its own name (the default is ${DEFAULTS['revoke-label']}).`
    )
  }
  return revokeLabel
}

/** Where the issues go: owner/name, or the workflow's own repository when empty. */
function readRepository(value: Value): string {
  const repository = value('repository')
  if (repository && !repositoryOf(repository)) {
    throw new SettingsError(
      ['repository'],
      (input) =>
        `${input} is "${repository}": use owner/name, e.g. acme/security, or leave it empty for this repository.`
    )
  }
  return repository
}

/** The scopes the rule judges by: a HIGH scope is elevated by definition (listed in high-scopes alone, it makes a finding). */
function readScopes(value: Value): { elevatedScopes: string[]; highScopes: string[] } {
  const highScopes = parseScopes('high-scopes', value('high-scopes'))
  const elevatedScopes = [...new Set([...parseScopes('elevated-scopes', value('elevated-scopes')), ...highScopes])]
  return { elevatedScopes, highScopes }
}

/** The audit-log file to scan, if any: "-" is standard input, for a caller that has one. */
function readAuditLogFile(value: Value, caller: Caller): string | undefined {
  const auditLogFile = value('audit-log-file') || undefined
  if (auditLogFile === '-' && !caller.stdin) {
    throw new SettingsError(
      ['audit-log-file'],
      (input) => `${input} is "-", standard input, which the action does not read: give the path of the export file.`
    )
  }
  return auditLogFile
}

/** How far back the ledger lets a run catch up: no further than the ledger keeps its record. */
function readMaxCatchUp(value: Value): number {
  const seconds = parseDuration('max-catch-up', value('max-catch-up'))
  if (seconds > LEDGER_KEEP_SECONDS) {
    throw new SettingsError(
      ['max-catch-up'],
      (input) =>
        `${input} is "${value('max-catch-up')}": the coverage ledger keeps ${LEDGER_KEEP_SECONDS / 86_400} days, so use at most ${LEDGER_KEEP_SECONDS / 86_400}d, and a backfill (since and until) for anything older.`
    )
  }
  return seconds
}

/**
 * Reads and checks every input. `read` returns the raw value of an input ('' when unset);
 * defaults from DEFAULTS fill in empty values, as the runner does from action.yml.
 * `caller`: how secrets are named in messages, and whether there is a standard input for
 * audit-log-file "-" (the CLI's; the action has none).
 */
export function readSettings(read: Read, env: NodeJS.ProcessEnv = {}, caller: Caller = ACTION): Settings {
  const value: Value = (name) => {
    const raw = read(name).trim()
    return raw !== '' ? raw : ((DEFAULTS as Record<string, string>)[name] ?? '')
  }
  const { openaiAdminKey, githubToken } = readSecrets(value, read, caller)
  const scopes = readScopes(value)
  const since = value('since') ? parseTime('since', value('since')) : undefined
  const until = value('until') ? parseTime('until', value('until')) : undefined
  const label = readLabel(value, 'label')
  const revokeLabel = readRevokeLabel(value, label)
  const repository = readRepository(value)
  const auditLogFile = readAuditLogFile(value, caller)
  const github = githubEnvironment(env)
  const settings: Settings = {
    openaiAdminKey,
    openaiBaseUrl: parseUrl('openai-base-url', value('openai-base-url')),
    lookbackSeconds: parseDuration('lookback', value('lookback')),
    since,
    until,
    projectIds: parseList(value('project-ids')),
    enrichKeys: parseBoolean('enrich-keys', value('enrich-keys')),
    failOn: parseFailOn('fail-on', value('fail-on')),
    githubToken,
    createIssues: parseBoolean('create-issues', value('create-issues')),
    label,
    maxIssues: parseCount('max-issues', value('max-issues')),
    assignees: parseAssignees('assignees', value('assignees')),
    dryRun: parseBoolean('dry-run', value('dry-run')),
    allowActors: parseList(value('allow-actors')),
    auditLogFile,
    reopenClosed: parseBoolean('reopen-closed', value('reopen-closed')),
    closeWhenRevoked: parseBoolean('close-when-revoked', value('close-when-revoked')),
    ...scopes,
    githubBudgetSeconds: parseDuration('github-budget', value('github-budget')),
    revokeLabel,
    ledger: parseBoolean('ledger', value('ledger')),
    maxCatchUpSeconds: readMaxCatchUp(value),
    historySeconds: value('history') === '0' ? 0 : parseDuration('history', value('history'), 'or 0 for off'),
    escalateSignals: parseCount('escalate-signals', value('escalate-signals')),
    github: repository ? { ...github, repository } : github,
    tempDir: env.RUNNER_TEMP || tmpdir(),
    proxy: {
      httpProxy: env.http_proxy || env.HTTP_PROXY || '',
      httpsProxy: env.https_proxy || env.HTTPS_PROXY || '',
      noProxy: env.no_proxy || env.NO_PROXY || ''
    },
    words: Object.fromEntries(Object.keys(DEFAULTS).map((name) => [name, value(name as InputName)])) as InputWords,
    voice: caller.voice,
    warnings: []
  }
  const defaults = DEFAULTS as Record<string, string>
  const given = (name: InputName): boolean =>
    read(name).trim() !== '' && (!caller.defaultsFilled || value(name) !== defaults[name])
  return { ...settings, warnings: settingsWarnings(settings, given) }
}
