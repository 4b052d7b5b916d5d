// The engine: events in, findings out. Pure computation over whatever a source yields;
// the sources (API, files) and the reports (summary, issues) live elsewhere.
import { readEvent, type Actor, type KeyEventType } from './audit-log/event.js'
import type { AuditLogSource } from './audit-log/source.js'
import { KeptDeletion, KeptEvents, KeptFinding } from './kept-events.js'
import {
  matches,
  severityOf,
  type AlertContext,
  type RuleOptions,
  type Severity
} from './rules/api-key-anomalous-activity.js'
import { TextSet } from './text-log.js'

export interface Finding {
  severity: Severity
  title: string
  dedup: string
  keyId: string
  keyName?: string
  eventId: string
  eventType: KeyEventType
  effectiveAt?: number
  scopes: string[]
  elevatedScopes: string[]
  projectId?: string
  actor: Actor
  alertContext: AlertContext
}

export interface Deletion {
  keyId: string
  eventId: string
  effectiveAt?: number
  actor: Actor
}

export interface Rejected {
  /** Where the record was: "line 12", "event audit_log-abc", "page 3". */
  where: string
  reason: string
}

/** [since, until) in Unix seconds; either bound may be open. */
export interface TimeWindow {
  since?: number
  until?: number
}

export interface ScanOptions {
  rule: RuleOptions
  window: TimeWindow
  /** Emails, user ids or service-account ids whose findings are suppressed (case-insensitive). */
  allowActors: readonly string[]
  /** Only key events of these projects count; empty or absent: every project. */
  projectIds?: readonly string[]
  /** Counted up as events arrive, for progress lines while the scan runs. */
  progress?: { eventsRead: number }
}

export interface ScanResult {
  /** Events inside the window that were looked at (key events and all others). */
  eventsScanned: number
  keyEvents: number
  findings: Finding[]
  suppressed: Finding[]
  deletions: Deletion[]
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

/** How many rejected records are kept with their reasons; the rest are only counted. */
export const MAX_LISTED_REJECTS = 100

export function inWindow(effectiveAt: number | undefined, window: TimeWindow): boolean {
  if (effectiveAt === undefined) return true
  if (window.since !== undefined && effectiveAt < window.since) return false
  if (window.until !== undefined && effectiveAt >= window.until) return false
  return true
}

function allowed(actor: Actor, allowActors: ReadonlySet<string>): boolean {
  return [actor.email, actor.userId, actor.serviceAccountId].some(
    (id) => id !== undefined && allowActors.has(id.toLowerCase())
  )
}

export async function scan(source: AuditLogSource, options: ScanOptions): Promise<ScanResult> {
  const allowActors = new Set(options.allowActors.map((actor) => actor.toLowerCase()))
  // What the scan keeps is stored as text outside the heap (text-log.ts): memory follows
  // the bytes of the key events kept, not thousands of objects.
  const seen = new TextSet()
  const kept = new KeptEvents(options.rule)
  const projectIds = options.projectIds?.length ? new Set(options.projectIds) : undefined
  const result: ScanResult = {
    eventsScanned: 0,
    keyEvents: 0,
    findings: [],
    suppressed: [],
    deletions: [],
    malformed: [],
    malformedCount: 0,
    malformedKeyEvents: 0,
    duplicates: 0,
    otherProjects: 0,
    outsideWindow: 0
  }
  const reject = (where: string, reason: string): void => {
    result.malformedCount++
    if (result.malformed.length < MAX_LISTED_REJECTS) result.malformed.push({ where, reason })
  }

  for await (const { raw, where } of source.events()) {
    if (options.progress) options.progress.eventsRead++
    const reading = readEvent(raw)
    if (reading.kind === 'malformed') {
      reject(reading.id ? `${where} (event ${reading.id})` : where, reading.reason)
      if (reading.keyEvent) result.malformedKeyEvents++
      continue
    }
    const effectiveAt = reading.kind === 'key' ? reading.event.effectiveAt : reading.effectiveAt
    if (!inWindow(effectiveAt, options.window)) {
      result.outsideWindow++
      continue
    }
    if (reading.kind !== 'key') {
      result.eventsScanned++
      continue
    }
    const event = reading.event
    // Pages overlap when events arrive while paging, and exports get concatenated. Only key
    // events are remembered: memory follows them, not the size of the log.
    if (!seen.add(event.id)) {
      result.duplicates++
      continue
    }
    if (projectIds && !(event.projectId !== undefined && projectIds.has(event.projectId))) {
      result.otherProjects++
      continue
    }
    result.eventsScanned++
    result.keyEvents++
    if (event.type === 'api_key.deleted') {
      result.deletions.push(new KeptDeletion(kept, kept.push(event)))
      continue
    }
    if (!matches(event, options.rule)) continue
    const finding = new KeptFinding(kept, kept.push(event), severityOf(event, options.rule))
    ;(allowed(event.actor, allowActors) ? result.suppressed : result.findings).push(finding)
  }
  result.eventsScanned += source.status.prefiltered
  return result
}
