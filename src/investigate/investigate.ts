// A run's investigations, as pure computation: each key with findings gets its identity, the
// signals of its finding (the key's latest of highest severity, the one its alert context
// shows), the escalation they earn, and the identity's other keys. The histories and the
// usage are read by the adapters (audit-log/history.ts, usage.ts) and handed in.
import {
  severityRank,
  type ActivityEvent,
  type Deletion,
  type Finding,
  type HistoryRead,
  type IdentityKey,
  type Investigation,
  type KeyFindings,
  type KeyUsage,
  type Severity
} from '../model/index.js'
import { escalationOf } from './escalate.js'
import { identityKeysOf, identityOf } from './identity.js'
import { signalsOf } from './signals.js'

/** Keys investigated a run at most, worst first: a backfill can have thousands, each judged against its identity's events. */
export const MAX_INVESTIGATED_KEYS = 100

/** The window's findings of a key, and deletions, read at most. */
const FINDINGS_PER_KEY = 50
const MAX_WINDOW_EVENTS = 10_000
/** The identity's other keys an investigation lists at most. */
const MAX_OTHER_KEYS = 20

function* first<T>(items: Iterable<T>, max: number): Generator<T> {
  let count = 0
  for (const item of items) {
    if (count++ >= max) return
    yield item
  }
}

/** An identity's history as read (or not): its events and how the read went. */
export interface IdentityHistory {
  read: HistoryRead
  events: readonly ActivityEvent[]
}

export interface InvestigationInput {
  keys: readonly KeyFindings[]
  /** The window's deletions, of every key. */
  deletions: Iterable<Deletion>
  /** The histories by identity key. */
  histories: ReadonlyMap<string, IdentityHistory>
  /** What the history of an identity not in `histories` is said to be. */
  notRead: (identityKey: string) => HistoryRead
  usage: ReadonlyMap<string, KeyUsage>
  escalateSignals: number
}

/** A finding or a deletion of the window as an event of its actor's history. */
export function findingEvent(finding: Finding): ActivityEvent {
  return {
    id: finding.eventId,
    type: finding.eventType,
    effectiveAt: finding.effectiveAt,
    actor: finding.actor,
    key: {
      keyId: finding.keyId,
      action: finding.eventType.endsWith('.updated') ? 'updated' : 'created',
      keyKind: finding.eventType.startsWith('tenant.admin_api_key.') ? 'admin' : 'project',
      scopes: finding.scopes,
      unrestricted: finding.scopes.length === 0,
      projectId: finding.projectId,
      projectName: undefined
    }
  }
}

export function deletionEvent(deletion: Deletion): ActivityEvent {
  return {
    id: deletion.eventId,
    type: deletion.eventType,
    effectiveAt: deletion.effectiveAt,
    actor: deletion.actor,
    key: {
      keyId: deletion.keyId,
      action: 'deleted',
      keyKind: deletion.eventType.startsWith('tenant.admin_api_key.') ? 'admin' : 'project',
      scopes: [],
      unrestricted: false
    }
  }
}

/** The identity's events: its history and the window's findings and deletions, each once. */
function eventsOf(history: readonly ActivityEvent[], window: readonly ActivityEvent[]): ActivityEvent[] {
  const seen = new Set(history.map((event) => event.id))
  return [...history, ...window.filter((event) => !seen.has(event.id))]
}

/** The keys an identity created or widened besides `keyId`, newest first, at most MAX_OTHER_KEYS. */
export function identityKeys(
  keyId: string,
  events: readonly ActivityEvent[],
  severities: ReadonlyMap<string, Severity>,
  windowIds: ReadonlySet<string>
): IdentityKey[] {
  const deleted = new Set(events.filter((event) => event.key?.action === 'deleted').map((event) => event.key!.keyId))
  const latest = new Map<string, ActivityEvent>()
  for (const event of events) {
    if (!event.key || event.key.action === 'deleted' || event.key.keyId === keyId) continue
    const known = latest.get(event.key.keyId)
    if (!known || (event.effectiveAt ?? 0) > (known.effectiveAt ?? 0)) latest.set(event.key.keyId, event)
  }
  const keys = [...latest.values()]
    .sort((a, b) => (b.effectiveAt ?? 0) - (a.effectiveAt ?? 0))
    .map((event): IdentityKey => ({
      keyId: event.key!.keyId,
      severity: severities.get(event.key!.keyId),
      scopes: event.key!.scopes,
      unrestricted: event.key!.unrestricted,
      at: event.effectiveAt,
      state: deleted.has(event.key!.keyId) ? 'deleted' : 'unknown',
      projectName: event.key!.projectName,
      where: windowIds.has(event.id) ? 'window' : 'history'
    }))
  return keys.slice(0, MAX_OTHER_KEYS)
}

/** Each key with its investigation and its severity escalated when the signals say so. */
export function investigate(input: InvestigationInput): KeyFindings[] {
  const deletions = [...first(input.deletions, MAX_WINDOW_EVENTS)].map(deletionEvent)
  // The window's events of every key with findings (its newest few: a backfill's key can
  // hold thousands, kept off the heap), found by their actors below.
  const window: ActivityEvent[] = [
    ...input.keys.flatMap((key) => [...first(key.findings, FINDINGS_PER_KEY)].map(findingEvent)),
    ...deletions
  ]
  const windowIds = new Set(window.map((event) => event.id))
  // The window's events by the identities they answer to, found once.
  const byIdentity = new Map<string, ActivityEvent[]>()
  for (const event of window) {
    for (const key of identityKeysOf(event.actor)) {
      const list = byIdentity.get(key)
      if (list) list.push(event)
      else byIdentity.set(key, [event])
    }
  }
  // First the signals and escalation of every key, then each key's list of the others,
  // which shows their severities as escalated.
  const judged = input.keys.slice(0, MAX_INVESTIGATED_KEYS).map((key) => {
    const top = key.findings.at(0)!
    const identity = identityOf(top.actor)
    const history = input.histories.get(identity.key)
    const read = history?.read ?? input.notRead(identity.key)
    const mine = byIdentity.get(identity.key) ?? []
    const events = eventsOf(history?.events ?? [], mine)
    const signals = signalsOf({
      event: {
        id: top.eventId,
        effectiveAt: top.effectiveAt,
        actor: top.actor,
        keyId: key.keyId,
        created: top.eventType.endsWith('.created')
      },
      events,
      history: read
    })
    const escalation = escalationOf(key.severity, signals, input.escalateSignals)
    return { key, identity, read, events, signals, escalation }
  })
  const severities = new Map(judged.map(({ key, escalation }) => [key.keyId, escalation?.to ?? key.severity]))
  const investigated = judged.map(({ key, identity, read, events, signals, escalation }): KeyFindings => {
    const investigation: Investigation = {
      identity,
      history: read,
      signals,
      ...(escalation ? { escalation } : {}),
      otherKeys: identityKeys(key.keyId, events, severities, windowIds),
      ...(input.usage.has(key.keyId) ? { usage: input.usage.get(key.keyId)! } : {})
    }
    return { ...key, severity: escalation?.to ?? key.severity, investigation }
  })
  // Highest severity first, as escalated; otherwise in the order given (a stable sort). The
  // keys past the cap are left as the scan grouped them.
  return [...investigated, ...input.keys.slice(MAX_INVESTIGATED_KEYS)].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity)
  )
}
