// Audit-log events read into the model, the findings the rule makes of them, the deletions
// next to them, and a key's share of both: the unit of triage.
import type { Severity } from './severity.js'
import type { KeyInfo } from './keys.js'
import type { Listed } from './listed.js'
import type { Actor, KeyAction } from './actor.js'
import type { Investigation } from './investigation.js'

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
  /** The project's name, when the event carries it (`project.name`, "The project title."). */
  projectName?: string
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
  /** Who did it, what the history shows, the escalation, the identity's keys, the key's usage; absent when not investigated. */
  investigation?: Investigation
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
