// The shared model: what every stage reads and writes. Types, and the vocabulary they share
// (severity.ts); no I/O, and no imports but its own.
import type { Severity } from './severity.js'

export * from './json.js'
export * from './repository.js'
export * from './severity.js'

/**
 * The audit-log event types about keys, as the `openai` SDK lists them
 * (src/resources/admin/organization/audit-logs.ts, `AuditLogListParams.event_types`):
 * project API keys, and the organization's admin API keys (`tenant.admin_api_key.*`).
 */
export const KEY_EVENT_TYPES = [
  'api_key.created',
  'api_key.updated',
  'api_key.deleted',
  'tenant.project_api_key.created',
  'tenant.admin_api_key.created',
  'tenant.admin_api_key.updated',
  'tenant.admin_api_key.deleted'
] as const
export type KeyEventType = (typeof KEY_EVENT_TYPES)[number]

/** What happened to the key. */
export type KeyAction = 'created' | 'updated' | 'deleted'

export interface Actor {
  /** `session` (a person in the dashboard), `api_key` (a key acting for a user or service account), or `unknown`. */
  type: 'session' | 'api_key' | 'unknown'
  /** Who acted, in words: an email, a user id, a service account, or "unknown actor". */
  name: string
  email?: string
  userId?: string
  serviceAccountId?: string
  /** The key the actor used, for `api_key` actors. */
  apiKeyId?: string
  apiKeyType?: string
  ip?: string
  userAgent?: string
  country?: string
  city?: string
  region?: string
  ja3?: string
  ja4?: string
}

/** An API key event, read from either shape of the audit log. Its text is attacker-controlled. */
export interface KeyEvent {
  id: string
  type: KeyEventType
  action: KeyAction
  /** A project API key, or an admin API key (organization-wide administration). */
  keyKind: 'project' | 'admin'
  /** Unix seconds; undefined when the event carries none. */
  effectiveAt?: number
  keyId: string
  keyName?: string
  /** The scopes the event sets, as written (string entries only, in order). */
  scopes: string[]
  /**
   * The key has every permission: created with no scopes recorded, or updated to none.
   * That is how OpenAI records an "All permissions" key.
   */
  unrestricted: boolean
  projectId?: string
  projectName?: string
  actor: Actor
}

/** Panther's alert context: flat, JSON-ready. */
export type AlertContext = Record<string, string | string[] | number | null>

/** A key event the rule matched, with every field the reports show, computed when it matched. */
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

/** A key deleted in the window: never a finding, shown next to the key's findings. */
export interface Deletion {
  keyId: string
  eventId: string
  eventType: KeyEventType
  effectiveAt?: number
  actor: Actor
}

/**
 * A list read in order or by position. A scan's findings and deletions are kept as text
 * outside the heap and read back one at a time; an array is one too.
 */
export interface Listed<T> extends Iterable<T> {
  readonly length: number
  at(index: number): T | undefined
}

/** A key's findings and deletions: the unit of triage (one issue per key). */
export interface KeyFindings {
  keyId: string
  /** The highest severity among the key's findings. */
  severity: Severity
  /** Highest severity first, then newest first; every event kept. */
  findings: Listed<Finding>
  /** Deletions of this key seen in the window. */
  deletions: Listed<Deletion>
  /** What the Admin API said about the key after the scan; absent when keys were not looked up. */
  info?: KeyInfo
}

/** Who owns a key, as the Admin API says: a user (email, role) or a service account (name, id). */
export interface KeyOwner {
  type: 'user' | 'service_account' | 'unknown'
  id?: string
  name?: string
  email?: string
  role?: string
}

/**
 * A key as the Admin API describes it when looked up after the scan: as it is now, not found
 * (OpenAI's own 404 for the key, in the key's own project: `projectId`, absent for an admin
 * key), or not looked up, and why. Not found is no proof that the key is gone, and closes
 * nothing. Names and emails are attacker-controlled text.
 */
export type KeyInfo =
  | {
      status: 'found'
      /** Unix seconds of the lookup: "how long ago" is measured from it. */
      lookedUpAt: number
      name?: string
      redactedValue?: string
      owner: KeyOwner
      createdAt?: number
      /** Unix seconds; null when the key was never used; absent when the API does not say. */
      lastUsedAt?: number | null
      /** Unix seconds; null when it never expires; absent when the API does not say. */
      expiresAt?: number | null
    }
  | { status: 'not-found'; lookedUpAt: number; projectId?: string }
  | { status: 'not-looked-up'; reason: string }

/** A key the Admin API described when it was looked up. */
export type FoundKey = Extract<KeyInfo, { status: 'found' }>

/** What the key lookups of a run did, for the summary and the report. */
export interface KeyLookups {
  /** Why no key was looked up (enrich-keys is false, an export was scanned); absent when lookups ran. */
  off?: string
  /** Requests made to the key endpoints. */
  requests: number
  /** Keys looked up (found or not found) and keys not looked up. */
  lookedUp: number
  notLookedUp: number
  /** What the summary must say: lookups refused, failed or over the cap, each once with its count. */
  notes: string[]
}

/** [since, until) in Unix seconds; either bound may be open. */
export interface TimeWindow {
  since?: number
  until?: number
}

/** A record that could not be used, and why. */
export interface Rejected {
  /** Where the record was: "line 12", "event audit_log-abc", "page 3". */
  where: string
  reason: string
}

/**
 * HTTP_PROXY, HTTPS_PROXY and NO_PROXY, the lower-case form first as curl and undici read
 * them; '' when unset. Both the Admin API and GitHub are reached through it.
 */
export interface ProxySettings {
  httpProxy: string
  httpsProxy: string
  noProxy: string
}
