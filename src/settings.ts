// Every input, from the action or the CLI, becomes one typed, validated Settings here,
// up front. Nothing else reads inputs. The defaults are those of action.yml (a test
// keeps the two equal): the runner fills them in for the action, this module for the CLI.
import { DEFAULT_RULE_OPTIONS } from './rules/api-key-anomalous-activity.js'
import type { TimeWindow } from './scan.js'

export const FAIL_ON_LEVELS = ['critical', 'high', 'medium', 'low', 'info', 'none'] as const
export type FailOn = (typeof FAIL_ON_LEVELS)[number]

export const DEFAULTS = {
  'openai-base-url': 'https://api.openai.com/v1',
  lookback: '24h',
  since: '',
  until: '',
  'project-ids': '',
  'fail-on': 'high',
  'create-issues': 'true',
  label: 'openai-keywatch',
  'max-issues': '25',
  'dry-run': 'false',
  'allow-actors': '',
  'audit-log-file': '',
  'reopen-closed': 'true',
  'elevated-scopes': DEFAULT_RULE_OPTIONS.elevatedScopes.join(', '),
  'high-scopes': DEFAULT_RULE_OPTIONS.highScopes.join(', ')
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
  failOn: FailOn
  githubToken: string
  createIssues: boolean
  label: string
  maxIssues: number
  dryRun: boolean
  allowActors: string[]
  auditLogFile?: string
  reopenClosed: boolean
  elevatedScopes: string[]
  highScopes: string[]
}

/** A bad input: the message names the input and the forms it accepts. */
export class SettingsError extends Error {
  override name = 'SettingsError'
}

type Read = (name: InputName) => string

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

export function parseDuration(name: string, value: string): number {
  const match = /^(\d+)\s*([smhdw])$/i.exec(value.trim())
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]! : NaN
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new SettingsError(
      `Input ${name} is "${value}": use a positive whole number with a unit, s, m, h, d or w (for example 90m, 24h, 7d).`
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
export function parseTime(name: string, value: string): number {
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
      `Input ${name} is "${value}": use an ISO 8601 time (2026-11-01T00:00:00Z) or Unix seconds (1793491200).`
    )
  }
  return Math.floor(seconds)
}

/** Lists accept commas or newlines; blanks are dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

export function parseBoolean(name: string, value: string): boolean {
  const trimmed = value.trim()
  if (['true', 'True', 'TRUE'].includes(trimmed)) return true
  if (['false', 'False', 'FALSE'].includes(trimmed)) return false
  throw new SettingsError(`Input ${name} is "${value}": use true or false.`)
}

export function parseCount(name: string, value: string): number {
  const trimmed = value.trim()
  const count = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN
  if (!Number.isSafeInteger(count)) {
    throw new SettingsError(`Input ${name} is "${value}": use a whole number, 0 or more.`)
  }
  return count
}

export function parseFailOn(name: string, value: string): FailOn {
  const level = value.trim().toLowerCase()
  if (!(FAIL_ON_LEVELS as readonly string[]).includes(level)) {
    throw new SettingsError(`Input ${name} is "${value}": use one of ${FAIL_ON_LEVELS.join(', ')}.`)
  }
  return level as FailOn
}

function parseUrl(name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    throw new SettingsError(`Input ${name} is "${value}": use an http(s) URL such as https://api.openai.com/v1.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SettingsError(`Input ${name} is "${value}": use an http(s) URL such as https://api.openai.com/v1.`)
  }
  return url.toString().replace(/\/$/, '')
}

function parseScopes(name: string, value: string): string[] {
  const scopes = parseList(value).map((scope) => scope.toLowerCase())
  if (scopes.length === 0)
    throw new SettingsError(`Input ${name} is empty: list at least one scope, e.g. "all, admin".`)
  return scopes
}

/**
 * Reads and checks every input. `read` returns the raw value of an input ('' when unset);
 * defaults from DEFAULTS fill in empty values, as the runner does from action.yml.
 */
export function readSettings(read: Read): Settings {
  const value = (name: InputName): string => {
    const raw = read(name).trim()
    return raw !== '' ? raw : ((DEFAULTS as Record<string, string>)[name] ?? '')
  }
  const auditLogFile = value('audit-log-file') || undefined
  const openaiAdminKey = value('openai-admin-key')
  if (!auditLogFile && openaiAdminKey === '') {
    throw new SettingsError(
      'Input openai-admin-key is empty: pass an OpenAI Admin API key (sk-admin-...) from a repository secret, ' +
        'e.g. openai-admin-key: ${{ secrets.OPENAI_ADMIN_KEY }}, or set audit-log-file to scan an export.'
    )
  }
  const elevatedScopes = parseScopes('elevated-scopes', value('elevated-scopes'))
  const highScopes = parseScopes('high-scopes', value('high-scopes'))
  const since = value('since') ? parseTime('since', value('since')) : undefined
  const until = value('until') ? parseTime('until', value('until')) : undefined
  const label = value('label')
  if (label.length > 50) throw new SettingsError(`Input label is ${label.length} characters: GitHub allows 50 at most.`)
  return {
    openaiAdminKey,
    openaiBaseUrl: parseUrl('openai-base-url', value('openai-base-url')),
    lookback: value('lookback'),
    lookbackSeconds: parseDuration('lookback', value('lookback')),
    since,
    until,
    projectIds: parseList(value('project-ids')),
    failOn: parseFailOn('fail-on', value('fail-on')),
    githubToken: read('github-token').trim(),
    createIssues: parseBoolean('create-issues', value('create-issues')),
    label: label || DEFAULTS.label,
    maxIssues: parseCount('max-issues', value('max-issues')),
    dryRun: parseBoolean('dry-run', value('dry-run')),
    allowActors: parseList(value('allow-actors')),
    auditLogFile,
    reopenClosed: parseBoolean('reopen-closed', value('reopen-closed')),
    elevatedScopes,
    highScopes
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
      `Input since (${new Date(since * 1000).toISOString()}) is in the future: the window would be empty.`
    )
  }
  if (since !== undefined && until !== undefined && since >= until) {
    throw new SettingsError(
      `Inputs since (${new Date(since * 1000).toISOString()}) and until (${new Date(until * 1000).toISOString()}) are inverted: since must be earlier than until.`
    )
  }
  if (settings.auditLogFile) return { since, until }
  const end = Math.min(until ?? nowSeconds, nowSeconds)
  const start = since ?? end - settings.lookbackSeconds
  if (start >= end) {
    throw new SettingsError(
      until === undefined
        ? `Input since (${new Date(start * 1000).toISOString()}) leaves an empty window: it must be earlier than now.`
        : `Input until (${new Date(end * 1000).toISOString()}) leaves an empty window: it must be later than since.`
    )
  }
  return { since: start, until: end }
}
