// The values inputs hold, each parsed and checked on its own: durations, times, lists,
// booleans, counts, levels, URLs, user names, scopes and secrets. A bad one is a
// SettingsError that names the input and the forms it accepts.
import { isLoopback } from '../http/loopback.js'
import { FAIL_ON_LEVELS, type FailOn } from '../model/index.js'
import { secretError, SettingsError, type Caller, type InputName, type SecretName } from './settings.js'

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

/** `also`: another form the input accepts, said after the units ("or 0 for off"). */
export function parseDuration(name: InputName, value: string, also?: string): number {
  const match = /^(\d+)\s*([smhdw])$/i.exec(value.trim())
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]! : NaN
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new SettingsError(
      [name],
      (input) =>
        `${input} is "${value}": use a positive whole number with a unit, s, m, h, d or w (for example 90m, 24h, 7d)${also ? `, ${also}` : ''}.`
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
export function beforeUnixTime(name: InputName, what: string): SettingsError {
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
export function parseUrl(name: InputName, value: string): string {
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
export function parseAssignees(name: InputName, value: string): string[] {
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
export function checkSecret(name: SecretName, value: string, caller: Caller): void {
  const chars = [...value]
  const at = chars.findIndex((char) => char < '!' || char > '~')
  if (at === -1) return
  const code = chars[at]!.codePointAt(0)!
  const words = (input: string): string =>
    `${input} holds a character that cannot be sent (U+${code.toString(16).toUpperCase().padStart(4, '0')} ` +
    `at position ${at + 1}${code === 0x200b ? ', a zero-width space' : ''}, often pasted along with a key): ` +
    'copy the value again without it and update the secret.'
  throw secretError(caller, name, words)
}

export function parseScopes(name: InputName, value: string): string[] {
  const scopes = parseList(value).map((scope) => scope.toLowerCase())
  if (scopes.length === 0)
    throw new SettingsError([name], (input) => `${input} is empty: list at least one scope, e.g. "all, admin".`)
  return scopes
}
