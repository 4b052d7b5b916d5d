// Text copied from an audit log is attacker-controlled. Before it goes into GitHub
// Flavored Markdown (issues, comments, the job summary) it is made inert: no mentions
// or team pings, no issue references, no raw HTML, no links or images that load, no
// broken tables, and a capped length. The one Markdown sanitiser, and the cells every
// table of findings shows, for the issues and the report alike.

import { SEVERITY_ICON, type Finding, type FoundKey, type KeyOwner, type Severity } from '../model/index.js'
import { cut, isoTime, lastUseWords, oneLine, ownerWords, scopesShown, type Medium } from '../text.js'

const ZWSP = '\u200b'

/** Untrusted text as plain, inert Markdown on one line, at most `max` characters. */
export function markdownText(value: unknown, max = 200): string {
  if (value === undefined || value === null || value === '') return '-'
  // NFKC first: full-width and other compatibility forms of @ # < > become the characters
  // the escapes below catch.
  const text = cut(oneLine(String(value).normalize('NFKC')), max)
  return (
    text
      // Every ASCII punctuation character that means something to Markdown or HTML.
      .replace(/[\\`*_{}[\]()<>#+\-.!|~&"'=$^]/g, '\\$&')
      // Mentions, email autolinks and issue references survive backslashes: break them.
      .replace(/@/g, `@${ZWSP}`)
      .replace(/#/g, `#${ZWSP}`)
      // GH-123 is a reference to issue 123 too.
      .replace(/\b(GH)(?=\\-\d)/gi, `$1${ZWSP}`)
      // Extended autolinks (https://..., www....) are found in plain text too.
      .replace(/:\/\//g, `:${ZWSP}//`)
      .replace(/www\\\./gi, (match) => `${match.slice(0, 3)}${ZWSP}${match.slice(3)}`)
  )
}

/** Untrusted text as an inline Markdown code span, for ids and scopes; still inert, still one line. */
export function markdownCode(value: unknown, max = 120): string {
  if (value === undefined || value === null || value === '') return '-'
  const text = cut(oneLine(String(value)).replace(/`/g, "'"), max)
  // Pipes split table cells even inside code spans; a backslash before one would escape
  // the escape, so each backslash is kept apart from what follows by a zero-width space.
  return `\`${text.replace(/\\/g, `\\${ZWSP}`).replace(/\|/g, '\\|')}\``
}

/** Where an actor acted from: source IP and location. */
export function sourceOf(actor: { ip?: string; city?: string; country?: string }): string {
  const place = [actor.city, actor.country].filter(Boolean).join(', ')
  return (
    [actor.ip ? markdownCode(actor.ip, 60) : '', place ? markdownText(place, 60) : ''].filter(Boolean).join(' ') || '-'
  )
}

/**
 * A link to `url` only when it is a plain http(s) URL (GitHub's, for an issue): nothing that
 * could close the link early or carry a space. `label` is our own text, written as is.
 */
export function markdownLink(label: string, url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s()<>[\]]+$/.test(url) ? `[${label}](${url})` : undefined
}

/** A severity as a summary or an issue shows it: its icon and its name. */
export function severityCell(severity: Severity): string {
  return `${SEVERITY_ICON[severity]} ${severity}`
}

/** The columns every table of findings shows: what happened, when, by whom, from where. */
export const EVENT_COLUMNS = ['Event', 'Time (UTC)', 'Actor', 'Scopes', 'Source IP, location', 'User agent']

/**
 * The first `max` items of a list as code spans, the rest counted: a key can be given
 * thousands of scopes, and an issue body, a comment or a summary row has a size limit.
 * Every item is in the JSON report.
 */
export function markdownCodeList(items: readonly unknown[], max: number, width = 60): string {
  if (items.length === 0) return '-'
  const shown = items
    .slice(0, max)
    .map((item) => markdownCode(item, width))
    .join(' ')
  return items.length > max ? `${shown} and ${items.length - max} more (in the JSON report)` : shown
}

/** Scopes shown in a table cell at most: every cell, and so every row, has a bound. */
const CELL_SCOPES = 10

export function eventCells(finding: Finding): string[] {
  return [
    markdownCode(finding.eventType),
    timeCell(finding.effectiveAt),
    // An email or an id copies exactly: a code span keeps GitHub from linking or mentioning it.
    markdownCode(finding.actor.name, 120),
    markdownCodeList(scopesShown(finding), CELL_SCOPES),
    sourceOf(finding.actor),
    markdownText(finding.actor.userAgent, 80)
  ]
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n')
}

/** A time for a table cell: ISO 8601 in UTC, or - when the event carries none. */
export function timeCell(seconds: number | undefined): string {
  return seconds === undefined ? '-' : isoTime(seconds, true)
}

/** Markdown as a medium: prose as inert text, ids as code spans. */
export const MARKDOWN: Medium = { text: markdownText, id: markdownCode }

/** A key's owner in Markdown, or "not said". */
export function ownerText(owner: KeyOwner): string {
  return ownerWords(owner, MARKDOWN) ?? 'not said'
}

/** When a found key was last used, in Markdown, or "not said" (`ago` for a report read at once, `earlier` for text read later). */
export function lastUsedText(info: FoundKey, words: 'ago' | 'earlier'): string {
  return lastUseWords(info, words === 'ago' ? 'ago' : 'before the lookup') ?? 'not said'
}
