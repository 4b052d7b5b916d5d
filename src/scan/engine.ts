// The engine: events in, findings out. It reads whatever a source yields, normalises each
// event, runs the rule, and keeps the findings and deletions (as text, outside the heap,
// spilling to a temporary file on big backfills: see kept.ts). The sources (API, files)
// and the reports (summary, issues) live elsewhere.
import type { AuditLogSource } from '../audit-log/source.js'
import { readEvent } from '../audit-log/normalize.js'
import {
  noSeverities,
  type Actor,
  type Deletion,
  type Finding,
  type Rejected,
  type Severity,
  type TimeWindow
} from '../model/index.js'
import { findingOf, type RuleOptions } from '../rules/api-key-anomalous-activity.js'
import { KeptList, KeptStore } from './kept.js'
import { TextSet } from './text-log.js'

export interface ScanOptions {
  rule: RuleOptions
  window: TimeWindow
  /** Emails, user ids or service-account ids whose findings are suppressed (case-insensitive). */
  allowActors: readonly string[]
  /** Only key events of these projects count (admin key events always do); empty or absent: every project. */
  projectIds?: readonly string[]
  /** Counted up as events arrive, for progress lines while the scan runs. */
  progress?: { eventsRead: number }
  /** Where kept findings spill to disk on big backfills; the system's temporary directory by default. */
  tempDir?: string
}

export interface ScanResult {
  /** Events inside the window that were looked at (key events and all others). */
  eventsScanned: number
  keyEvents: number
  findings: KeptList<Finding>
  /** The findings by severity, for the counts and the gate. */
  severities: Record<Severity, number>
  suppressed: KeptList<Finding>
  deletions: KeptList<Deletion>
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
  // the bytes of the findings kept, not thousands of objects.
  const seen = new TextSet(options.tempDir)
  const kept = new KeptStore(options.tempDir)
  const projectIds = options.projectIds?.length ? new Set(options.projectIds) : undefined
  const result: ScanResult = {
    eventsScanned: 0,
    keyEvents: 0,
    findings: new KeptList(kept),
    severities: noSeverities(),
    suppressed: new KeptList(kept),
    deletions: new KeptList(kept),
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
    // Admin API keys are the organization's, not a project's (an event's project is not the
    // key's: the spec says admin actions "are associated with the default project"): they
    // are judged whatever project-ids says.
    if (
      projectIds &&
      event.keyKind !== 'admin' &&
      !(event.projectId !== undefined && projectIds.has(event.projectId))
    ) {
      result.otherProjects++
      continue
    }
    result.eventsScanned++
    result.keyEvents++
    if (event.action === 'deleted') {
      result.deletions.push({
        keyId: event.keyId,
        eventId: event.id,
        eventType: event.type,
        effectiveAt,
        actor: event.actor
      })
      continue
    }
    const finding = findingOf(event, options.rule)
    if (!finding) continue
    if (allowed(event.actor, allowActors)) {
      result.suppressed.push(finding)
      continue
    }
    result.findings.push(finding)
    result.severities[finding.severity]++
  }
  result.eventsScanned += source.status.prefiltered
  return result
}
