// What the reading of an export comes to, kept as its reader goes: the events found, the
// records not understood, the parts lost. The reader returns it; the source concludes on
// it once, at the end, with one message for everything that was not read.
import type { SourceStatus } from '../model/index.js'
import { plural } from '../text.js'
import type { Format } from './export-format.js'
import { GZIP_ADVICE, type GzipError } from './gunzip.js'
import { newStatus, recordUnreadable } from './source.js'

/** What to do about an export the run could not read whole. */
export const EXPORT_AGAIN =
  'export the audit log again as UTF-8 (JSONL, a JSON array or a list response) and scan it again'

/** A gzip file the run could not read whole, in words: what was not read, what went wrong, and what to do. */
export function gzipProblem(error: GzipError): string {
  const what =
    error.problem === 'header'
      ? 'the whole file: '
      : error.problem === 'trailing'
        ? ''
        : 'everything after the events read: '
  return `${what}${error.message}; ${GZIP_ADVICE}`
}

export class ExportTally {
  /** What could not be read, in words: the parts of the one message the run gives. */
  private readonly problems: string[] = []
  /** Records that may be key events but could not be read, and the first few of them. */
  private notUnderstood = 0
  private readonly examples: string[] = []
  /** Events found: records with a type, and the lines skipped as not key events. */
  private events = 0
  /** Records that are not events, for the message when no event is found at all. */
  private strays = 0
  private readonly status = newStatus()

  /** Lines counted as events of the window without being parsed. */
  get prefiltered(): number {
    return this.status.prefiltered
  }

  /** Events found: `count` of them, handed on or skipped as not key events. */
  countEvents(count = 1): void {
    this.events += count
  }

  /** Events in the window that were counted without being parsed. */
  countPrefiltered(count: number): void {
    this.status.prefiltered += count
  }

  /** A record that is not an event and mentions none; listed as unreadable when `reason` is given. */
  countStray(where?: string, reason?: string): void {
    this.strays++
    if (where !== undefined && reason !== undefined) recordUnreadable(this.status, where, reason)
  }

  /** A record that could not be read, listed. */
  unreadable(where: string, reason: string): void {
    recordUnreadable(this.status, where, reason)
  }

  /** A record that may be a key event could not be read: listed, and counted for the message. */
  misread(where: string, reason: string): void {
    this.notUnderstood++
    if (this.examples.length < 3) this.examples.push(where)
    recordUnreadable(this.status, where, reason)
  }

  /** Part of the file could not be read: the run cannot say the file is clean (said once, at the end). */
  lose(what: string): void {
    this.problems.push(what)
  }

  /** NUL bytes from `offset` on: not UTF-8 text, and the rest is not read. */
  loseToNulBytes(offset: number): void {
    const from = offset === 0 ? 'the whole file' : `everything from byte ${offset}`
    this.lose(
      `${from}: it holds NUL bytes, so it is not UTF-8 text (UTF-16 without a byte-order mark, a binary file, ` +
        `or a file whose end was never written); ${EXPORT_AGAIN}`
    )
  }

  /** The status of the read of `label` (a file of `format`, `bytes` read): every part not read, and the records not understood. */
  conclude(label: string, format: Format | undefined, bytes: number): SourceStatus {
    const problems = [...this.problems]
    if (this.notUnderstood > 0) {
      const more = this.notUnderstood > this.examples.length ? ', ...' : ''
      problems.push(
        `${plural(this.notUnderstood, 'record')} that may be API key events could not be read ` +
          `(${this.examples.join(', ')}${more}; each is listed under the skipped records): ` +
          `fix ${this.notUnderstood === 1 ? 'it' : 'them'} or ${EXPORT_AGAIN}`
      )
    }
    if (problems.length === 0 && this.events === 0 && format !== 'empty') {
      // Like an empty file: an export that holds no event cannot say the window is clean.
      problems.push(
        this.strays === 0
          ? 'the whole file: it holds no events (an empty list)'
          : `the whole file: no record in it is an audit-log event (${plural(this.strays, 'record')} not understood; ` +
              `plain text, or an export in another format?): check that it is the audit-log export, then ${EXPORT_AGAIN}`
      )
    }
    return {
      ...this.status,
      complete: problems.length === 0,
      missing: problems.length === 0 ? [] : [`${label}, ${problems.join('; ')}`],
      bytes
    }
  }
}
