// What a source of audit-log events (the Admin API, an export) hands the scan: each event
// read into the model, where it was, and, once the read ends, what the read came to.
import type { Actor } from './actor.js'
import type { KeyEvent } from './events.js'

/** What reading one event gave: a key event, an event of another type, or a malformed one. */
export type EventReading =
  | { kind: 'key'; event: KeyEvent }
  /** `actor`: who acted, when the event names one (an identity's history reads it). */
  | { kind: 'other'; id?: string; type: string; effectiveAt?: number; actor?: Actor }
  /** `keyEvent`: the type says it is an API key event, but it cannot be judged. */
  | { kind: 'malformed'; id?: string; reason: string; keyEvent?: boolean }

export interface SourcedEvent {
  reading: EventReading
  /** Where the event came from, for messages: "line 12", "page 3". */
  where: string
}

/** What a source's read came to, returned when it ends. */
export interface SourceStatus {
  /** False when part of the window could not be read: such a run never reports clean. */
  complete: boolean
  /** The parts of the window (or file) that could not be read, in words. */
  missing: string[]
  /**
   * Event types the source could not ask for at all (the API refused the request for them),
   * each a sentence that names them and says what to check: a warning, shown wherever the
   * window is, never a quiet "read completely".
   */
  notRead: string[]
  /** Records that could not be parsed (listed up to a cap; all counted). */
  unreadable: { where: string; reason: string }[]
  unreadableCount: number
  /** Events in the window that the source recognised as not key events without handing them on. */
  prefiltered: number
  /** Pages (API) or bytes (file) read, for progress and the report. */
  pages: number
  bytes: number
}

/** How far a read has come, as a source tells it while it reads: what progress lines show. */
export interface ReadSoFar {
  pages: number
  bytes: number
  /** Events counted without being handed on (not key events, told from their bytes). */
  prefiltered: number
}

export interface AuditLogSource {
  /** What is read, for the summary: "file audit.jsonl", "OpenAI Admin API (https://...)". */
  readonly label: string
  /**
   * The events, in the order read, in batches: what one read gave (a chunk of a file, a page
   * of the API), so that the generators take a step a batch, not one an event. The generator
   * returns the read's status when it ends. `progress`, when given, is told how far the read
   * has come each time that changes.
   */
  events(progress?: (read: ReadSoFar) => void): AsyncGenerator<readonly SourcedEvent[], SourceStatus, undefined>
}
