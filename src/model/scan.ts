// What a scan of a window comes to: the counts, the findings and deletions it kept, and
// what its source said of the read.
import type { Deletion, Finding, Rejected } from './events.js'
import type { Listed } from './listed.js'
import type { Severity } from './severity.js'
import type { SourceStatus } from './source.js'

export interface ScanResult {
  /** What the source said when its read ended: complete or not, what is missing, what it skipped. */
  source: SourceStatus
  /** Events inside the window that were looked at (key events and all others). */
  eventsScanned: number
  keyEvents: number
  findings: Listed<Finding>
  /** The findings by severity, for the counts and the gate. */
  severities: Record<Severity, number>
  suppressed: Listed<Finding>
  deletions: Listed<Deletion>
  /** Events that parsed but could not be judged (no type, scopes not a list). */
  malformed: Rejected[]
  malformedCount: number
  /** Malformed events whose type says they are API key events: blind spots, so the gate fails. */
  malformedKeyEvents: number
  /** Key events seen more than once (by id). */
  duplicates: number
  /** Key events of projects outside `projectIds`. */
  otherProjects: number
  outsideWindow: number
}
