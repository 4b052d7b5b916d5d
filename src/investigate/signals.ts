// The signals: what an identity's audit-log history says about one finding, each a pure
// function of the finding's event and the identity's events, one line of evidence each. A
// signal that cannot be judged (no user agent recorded, no history read) says so and does
// not count. The thresholds are issue 19's: 3 keys in 24 hours, 3 failed logins in the 24
// hours before, a deletion within 24 hours of creation.
import type { ActivityEvent, Actor, EvidencePart, HistoryRead, Signal, SignalName } from '../model/index.js'
import { span } from '../text.js'

const DAY = 86_400
export const BURST_KEYS = 3
export const FAILED_LOGINS = 3

export const SIGNAL_LABELS: Readonly<Record<SignalName, string>> = {
  'via-key': 'via another key',
  'scripted-client': 'scripted client',
  'new-source': 'new source',
  'first-key': 'first key',
  burst: 'burst',
  'failed-logins': 'failed logins',
  'short-lived': 'short-lived',
  'unknown-identity': 'unknown identity'
}

/**
 * User agents of scripts and tools rather than a browser: a dashboard session driven by one
 * is someone replaying a session cookie or token, not a person at the dashboard.
 */
const SCRIPTED =
  /\b(curl|wget|python-requests|python-urllib|aiohttp|httpx|postmanruntime|insomnia|go-http-client|axios|node-fetch|undici|got|okhttp|java|apache-httpclient|libwww-perl|ruby|powershell|httpie)\b/i

/** What a signal is judged on: the finding's event, the identity's events and how its history was read. */
export interface SignalInput {
  /** The finding's event (the key's latest of highest severity): id, time, actor, key, and whether it created the key. */
  event: { id: string; effectiveAt?: number; actor: Actor; keyId: string; created?: boolean }
  /** The identity's events known to this run: the history and the window's, each once, any order. */
  events: readonly ActivityEvent[]
  history: HistoryRead
}

function signal(name: SignalName, counts: boolean, ...evidence: EvidencePart[]): Signal {
  return { name, label: SIGNAL_LABELS[name], counts, evidence }
}

/** Every signal of a finding, those that count first. */
export function signalsOf(input: SignalInput): Signal[] {
  const { event, history } = input
  const at = event.effectiveAt
  const others = input.events.filter((other) => other.id !== event.id)
  const before =
    at === undefined ? [] : others.filter((other) => other.effectiveAt !== undefined && other.effectiveAt < at)
  const signals: Signal[] = []
  const add = (found: Signal | undefined): void => void (found && signals.push(found))
  add(viaKey(event.actor))
  add(scriptedClient(event.actor))
  if (history.status !== 'read') {
    const why = `not judged: ${history.reason ?? 'no history was read'}`
    signals.push(signal('new-source', false, why), signal('first-key', false, why))
  } else if (at === undefined) {
    const why = 'not judged: the event has no time to compare the history with'
    signals.push(signal('new-source', false, why), signal('first-key', false, why))
  } else if (before.length === 0) {
    signals.push(
      signal(
        'unknown-identity',
        true,
        `no history for this identity: no event of it in the ${span(at - (history.since ?? at))} before this one (${history.source ?? 'history'})`
      )
    )
  } else {
    // Its own login a minute before does not make an address familiar: the baseline is what
    // the identity did before the 24 hours leading up to the event, when the history has any.
    const older = before.filter((other) => other.effectiveAt! <= at - DAY)
    add(newSource(event.actor, older.length > 0 ? older : before))
    add(firstKey(before, history))
  }
  add(burst(event, others))
  add(failedLogins(event, before, history))
  add(shortLived(event, others))
  return [...signals.filter((found) => found.counts), ...signals.filter((found) => !found.counts)]
}

function viaKey(actor: Actor): Signal | undefined {
  if (actor.type !== 'api_key') return undefined
  const owner: EvidencePart[] = actor.serviceAccountId
    ? ['service account ', { id: actor.serviceAccountId }]
    : actor.email || actor.userId
      ? ['user ', { id: actor.email ?? actor.userId! }]
      : ['an owner the event does not name']
  return signal(
    'via-key',
    true,
    'made with API key ',
    { id: actor.apiKeyId ?? '(id not given)' },
    ' of ',
    ...owner,
    ': a credential to review or rotate too'
  )
}

function scriptedClient(actor: Actor): Signal | undefined {
  if (actor.type !== 'session') return undefined
  if (actor.userAgent === undefined)
    return signal('scripted-client', false, 'not judged: the event records no user agent')
  if (actor.userAgent.trim() === '')
    return signal('scripted-client', true, 'a dashboard session with an empty user agent')
  const tool = SCRIPTED.exec(actor.userAgent)
  if (!tool) return undefined
  return signal('scripted-client', true, 'a dashboard session whose user agent is a tool: ', { text: actor.userAgent })
}

/** The IP, and the country and ASN when the event names them, that no earlier event of the identity shows. */
function newSource(actor: Actor, before: readonly ActivityEvent[]): Signal | undefined {
  if (!actor.ip && !actor.country && !actor.asn)
    return signal('new-source', false, 'not judged: the event records no IP address')
  const parts: EvidencePart[] = []
  const seen = (field: 'ip' | 'country' | 'asn'): boolean => before.some((other) => other.actor[field] === actor[field])
  const known = (field: 'ip' | 'country' | 'asn'): boolean => before.some((other) => other.actor[field] !== undefined)
  if (actor.ip && !seen('ip')) parts.push('IP address ', { id: actor.ip })
  if (actor.country && known('country') && !seen('country'))
    parts.push(parts.length ? ', country ' : 'country ', { id: actor.country })
  if (actor.asn && known('asn') && !seen('asn')) parts.push(parts.length ? ', ASN ' : 'ASN ', { id: actor.asn })
  if (parts.length === 0) return undefined
  return signal('new-source', true, ...parts, ` not seen in the identity's ${before.length} earlier events`)
}

function firstKey(before: readonly ActivityEvent[], history: HistoryRead): Signal | undefined {
  if (before.some((other) => other.key?.action === 'created')) return undefined
  return signal(
    'first-key',
    true,
    `no key created by this identity before, in ${history.since !== undefined ? 'the history read' : 'the events read'}`
  )
}

/**
 * Keys created or given scopes by the identity: the most within any 24 hours that hold the
 * finding. One pass over the changes in time order (a backfill's identity can have thousands).
 */
function burst(event: SignalInput['event'], others: readonly ActivityEvent[]): Signal | undefined {
  if (event.effectiveAt === undefined) return undefined
  const at = event.effectiveAt
  const changes = others
    .filter((other) => other.key && other.key.action !== 'deleted' && other.effectiveAt !== undefined)
    .filter((other) => other.key!.action === 'created' || other.key!.scopes.length > 0 || other.key!.unrestricted)
    .filter((other) => Math.abs(other.effectiveAt! - at) < DAY)
    .map((other) => ({ at: other.effectiveAt!, keyId: other.key!.keyId }))
  changes.push({ at, keyId: event.keyId })
  changes.sort((a, b) => a.at - b.at)
  // Windows [start, start + 24h) that start at a change no later than the finding and hold it.
  let most = 0
  let end = 0
  const inWindow = new Map<string, number>()
  for (let start = 0; start < changes.length && changes[start]!.at <= at; start++) {
    while (end < changes.length && changes[end]!.at < changes[start]!.at + DAY) {
      const keyId = changes[end]!.keyId
      inWindow.set(keyId, (inWindow.get(keyId) ?? 0) + 1)
      end++
    }
    if (changes[start]!.at + DAY > at) most = Math.max(most, inWindow.size)
    const leaving = changes[start]!.keyId
    const left = inWindow.get(leaving)! - 1
    if (left === 0) inWindow.delete(leaving)
    else inWindow.set(leaving, left)
  }
  if (most < BURST_KEYS) return undefined
  return signal('burst', true, `${most} keys created or given scopes by this identity within 24 hours`)
}

function failedLogins(
  event: SignalInput['event'],
  before: readonly ActivityEvent[],
  history: HistoryRead
): Signal | undefined {
  if (event.actor.type !== 'session') return undefined
  if (history.status !== 'read' || !history.logins)
    return signal(
      'failed-logins',
      false,
      `not judged: ${history.status !== 'read' ? (history.reason ?? 'no history was read') : 'the history holds no login events'}`
    )
  const at = event.effectiveAt!
  const failed = before.filter((other) => other.type === 'login.failed' && other.effectiveAt! >= at - DAY)
  if (failed.length < FAILED_LOGINS) return undefined
  return signal('failed-logins', true, `${failed.length} failed logins (login.failed) in the 24 hours before`)
}

/** The key deleted within 24 hours of its creation by the identity that created it. */
function shortLived(event: SignalInput['event'], others: readonly ActivityEvent[]): Signal | undefined {
  // The creation by this identity: the finding itself, or an event of its history.
  const created = event.created
    ? event.effectiveAt
    : others.find((other) => other.key?.keyId === event.keyId && other.key.action === 'created')?.effectiveAt
  if (created === undefined) return undefined
  const deletion = others
    .filter(
      (other) => other.key?.keyId === event.keyId && other.key.action === 'deleted' && other.effectiveAt !== undefined
    )
    .find((other) => other.effectiveAt! >= created && other.effectiveAt! - created <= DAY)
  if (!deletion) return undefined
  return signal(
    'short-lived',
    true,
    `deleted by this identity ${span(deletion.effectiveAt! - created)} after creation (event `,
    { id: deletion.id },
    ')'
  )
}
