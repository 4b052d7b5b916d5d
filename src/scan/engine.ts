// The engine: events in, findings out. It takes what a source hands on (each event already
// read into the model), runs the rule, and keeps the findings and deletions (as text,
// outside the heap, spilling to a temporary file on big backfills: see kept.ts). The
// sources (API, files) and the reports (summary, issues) live elsewhere.
import {
  noSeverities,
  type Actor,
  type AuditLogSource,
  type Deletion,
  type Finding,
  type KeyEvent,
  type ReadSoFar,
  type ScanResult,
  type SourcedEvent,
  type SourceStatus,
  type TimeWindow
} from '../model/index.js'
import { findingFrom, verdictOf, type RuleOptions, type Verdict } from '../rules/api-key-anomalous-activity.js'
import { KeptList, KeptStore, type KeptForm } from './kept.js'
import type { ScanProgress } from './progress.js'
import { TextSet } from './text-log.js'

export interface ScanOptions {
  rule: RuleOptions
  window: TimeWindow
  /** Emails, user ids or service-account ids whose findings are suppressed (case-insensitive). */
  allowActors: readonly string[]
  /** Only key events of these projects count (admin key events always do); empty or absent: every project. */
  projectIds?: readonly string[]
  /** Told how far the scan has come as events arrive, for progress lines while it runs. */
  progress?: (progress: ScanProgress) => void
  /** Where kept findings spill to disk on big backfills; the system's temporary directory by default. */
  tempDir?: string
}

/** How many rejected records are kept with their reasons; the rest are only counted. */
export const MAX_LISTED_REJECTS = 100

export function inWindow(effectiveAt: number | undefined, window: TimeWindow): boolean {
  if (effectiveAt === undefined) return true
  if (window.since !== undefined && effectiveAt < window.since) return false
  if (window.until !== undefined && effectiveAt >= window.until) return false
  return true
}

/** Is the actor one of `allowActors` (lower-cased), by email, user id or service account id? No array made: it runs for every finding. */
function allowed(actor: Actor, allowActors: ReadonlySet<string>): boolean {
  if (allowActors.size === 0) return false
  const { email, userId, serviceAccountId } = actor
  return (
    (email !== undefined && allowActors.has(email.toLowerCase())) ||
    (userId !== undefined && allowActors.has(userId.toLowerCase())) ||
    (serviceAccountId !== undefined && allowActors.has(serviceAccountId.toLowerCase()))
  )
}

/** A key event the rule matched, and the rule's verdict on it: what a finding is made of. */
type Match = [event: KeyEvent, verdict: Verdict]

/**
 * A finding is kept as the event and the verdict it is made of, and made again when a report
 * reads it (findingFrom is a function of the two): the scan writes half the text, and builds
 * no title or alert context for a finding it only counts.
 */
const AS_MATCH: KeptForm<Match, Finding> = {
  encode: (match) => JSON.stringify(match),
  decode: (text) => {
    const [event, verdict] = JSON.parse(text) as Match
    return findingFrom(event, verdict)
  }
}

/** What the scan counts and keeps as it goes: everything of a ScanResult but the source's status. */
type Tally = Omit<ScanResult, 'source' | 'findings' | 'suppressed' | 'deletions'> & {
  findings: KeptList<Finding, Match>
  suppressed: KeptList<Finding, Match>
  deletions: KeptList<Deletion>
}

/** The judge of one window's events: each event in, counted and kept in `tally`. */
function judgeOf(options: ScanOptions, tally: Tally, seen: TextSet): (sourced: SourcedEvent) => void {
  const allowActors = new Set(options.allowActors.map((actor) => actor.toLowerCase()))
  const projectIds = options.projectIds?.length ? new Set(options.projectIds) : undefined
  // Admin API keys are the organization's, not a project's (an event's project is not the
  // key's: the spec says admin actions "are associated with the default project"): they
  // are judged whatever project-ids says.
  const ofOtherProject = (event: KeyEvent): boolean =>
    projectIds !== undefined &&
    event.keyKind !== 'admin' &&
    !(event.projectId !== undefined && projectIds.has(event.projectId))
  return ({ reading, where }) => {
    if (reading.kind === 'malformed') {
      tally.malformedCount++
      const place = reading.id ? `${where} (event ${reading.id})` : where
      if (tally.malformed.length < MAX_LISTED_REJECTS) tally.malformed.push({ where: place, reason: reading.reason })
      if (reading.keyEvent) tally.malformedKeyEvents++
      return
    }
    const effectiveAt = reading.kind === 'key' ? reading.event.effectiveAt : reading.effectiveAt
    if (!inWindow(effectiveAt, options.window)) {
      tally.outsideWindow++
      return
    }
    if (reading.kind !== 'key') {
      tally.eventsScanned++
      return
    }
    const event = reading.event
    // Pages overlap when events arrive while paging, and exports get concatenated. Only key
    // events are remembered: memory follows them, not the size of the log.
    if (!seen.add(event.id)) {
      tally.duplicates++
      return
    }
    if (ofOtherProject(event)) {
      tally.otherProjects++
      return
    }
    tally.eventsScanned++
    tally.keyEvents++
    if (event.action === 'deleted') {
      tally.deletions.push({
        keyId: event.keyId,
        eventId: event.id,
        eventType: event.type,
        effectiveAt,
        actor: event.actor
      })
      return
    }
    const verdict = verdictOf(event, options.rule)
    if (!verdict) return
    if (allowed(event.actor, allowActors)) {
      tally.suppressed.push([event, verdict])
      return
    }
    tally.findings.push([event, verdict])
    tally.severities[verdict.severity]++
  }
}

export async function scan(source: AuditLogSource, options: ScanOptions): Promise<ScanResult> {
  // What the scan keeps is stored as text outside the heap (text-log.ts): memory follows
  // the bytes of the findings kept, not thousands of objects.
  const kept = new KeptStore(options.tempDir)
  const tally: Tally = {
    eventsScanned: 0,
    keyEvents: 0,
    findings: new KeptList(kept, AS_MATCH),
    severities: noSeverities(),
    suppressed: new KeptList(kept, AS_MATCH),
    deletions: new KeptList(kept),
    malformed: [],
    malformedCount: 0,
    malformedKeyEvents: 0,
    duplicates: 0,
    otherProjects: 0,
    outsideWindow: 0
  }
  const judge = judgeOf(options, tally, new TextSet(options.tempDir))
  const status = await readAll(source, judge, options.progress)
  // The events the source counted without handing them on are events of the window too.
  return { ...tally, eventsScanned: tally.eventsScanned + status.prefiltered, source: status }
}

/** Hands every event of the source to `judge`, telling `progress` as it goes; the source's status at the end. */
async function readAll(
  source: AuditLogSource,
  judge: (sourced: SourcedEvent) => void,
  progress: ScanOptions['progress']
): Promise<SourceStatus> {
  let read: ReadSoFar = { pages: 0, bytes: 0, prefiltered: 0 }
  let handedOn = 0
  const tell = progress
    ? (): void => progress({ events: handedOn + read.prefiltered, pages: read.pages, bytes: read.bytes })
    : undefined
  const events = source.events(
    tell &&
      ((now) => {
        read = now
        tell()
      })
  )
  let done = false
  try {
    for (;;) {
      const next = await events.next()
      if (next.done) {
        done = true
        // The last word from the source's own count: the closing progress line is exact.
        progress?.({ events: handedOn + next.value.prefiltered, pages: next.value.pages, bytes: next.value.bytes })
        return next.value
      }
      for (const sourced of next.value) {
        handedOn++
        tell?.()
        judge(sourced)
      }
    }
  } finally {
    // Stopped early (the judge threw): the source closes what it opened.
    if (!done) await events.return(undefined as never)
  }
}
