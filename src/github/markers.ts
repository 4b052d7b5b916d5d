// The hidden markers that make the issues idempotent: an issue body names its key, each
// body or comment names the events it records, and the comment that closes an issue for a
// revoked key says so, so a run that reads them again writes nothing twice.
import { createHash } from 'node:crypto'
import type { Deletion, Finding } from '../model/index.js'

const MARKER = 'openai-keywatch'

const HASHED = 'sha256-'

/**
 * An id as it goes into a hidden marker: verbatim when it is short and plain, a hash
 * otherwise. Either way it cannot close the HTML comment or forge another marker. The two
 * forms never meet: an id that begins like a hash ("sha256-...") is hashed too, so no key or
 * event can take the marker of another.
 */
export function markerId(id: string): string {
  if (/^[A-Za-z0-9_.:]([A-Za-z0-9_.:-]{0,62}[A-Za-z0-9_.:])?$/.test(id) && !id.includes('--') && !id.startsWith(HASHED))
    return id
  return `${HASHED}${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`
}

export function keyMarker(keyId: string): string {
  return `<!-- ${MARKER}:key=${markerId(keyId)} -->`
}

export function eventMarker(eventId: string): string {
  return `<!-- ${MARKER}:event=${markerId(eventId)} -->`
}

/** The marker of the comment that closed an issue because its key was deleted. */
export function closedMarker(): string {
  return `<!-- ${MARKER}:closed=revoked -->`
}

/** The marker of the comment that records a key's revocation from its issue (respond/). */
export function revokedMarker(keyId: string): string {
  return `<!-- ${MARKER}:revoked=${markerId(keyId)} -->`
}

// Markers count only on a line of their own: every piece of log text is rendered after
// a prefix on one line, so none can make a line that reads as a marker.
const KEY_MARKER = new RegExp(`^<!-- ${MARKER}:key=([A-Za-z0-9_.:-]{1,80}) -->$`, 'm')
const EVENT_MARKER = new RegExp(`^<!-- ${MARKER}:event=([A-Za-z0-9_.:-]{1,80}) -->$`, 'gm')

const CLOSED_MARKER = new RegExp(`^<!-- ${MARKER}:closed=revoked -->$`, 'm')

/** Whether a comment is the one that closed its issue because the key was deleted. */
export function markedClosed(body: string | null | undefined): boolean {
  return body ? CLOSED_MARKER.test(body) : false
}

/** The key (as markerId) an issue body is about, if it is one of ours. */
export function markedKey(body: string | null | undefined): string | undefined {
  return body ? KEY_MARKER.exec(body)?.[1] : undefined
}

/** The events (as markerId) a body or comment records. */
export function markedEvents(body: string | null | undefined): string[] {
  return body ? [...body.matchAll(EVENT_MARKER)].map((match) => match[1]!) : []
}

/** The ids of the events a key's issue records: its findings, then its deletions, each once. */
export function eventIds(findings: Iterable<Finding>, deletions: Iterable<Deletion>): string[] {
  const ids: string[] = []
  for (const finding of findings) ids.push(finding.eventId)
  for (const deletion of deletions) ids.push(deletion.eventId)
  return ids
}
