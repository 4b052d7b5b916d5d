// What every source of audit-log events (the Admin API, an exported file) provides.

export interface SourcedEvent {
  raw: unknown
  /** Where the event came from, for messages: "line 12", "page 3". */
  where: string
}

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

export interface AuditLogSource {
  /** What is read, for the summary: "file audit.jsonl", "OpenAI Admin API (https://...)". */
  readonly label: string
  readonly status: SourceStatus
  events(): AsyncIterable<SourcedEvent>
}

export function newStatus(): SourceStatus {
  return {
    complete: true,
    missing: [],
    notRead: [],
    unreadable: [],
    unreadableCount: 0,
    prefiltered: 0,
    pages: 0,
    bytes: 0
  }
}

export const MAX_LISTED_UNREADABLE = 100

export function recordUnreadable(status: SourceStatus, where: string, reason: string): void {
  status.unreadableCount++
  if (status.unreadable.length < MAX_LISTED_UNREADABLE) status.unreadable.push({ where, reason })
}
