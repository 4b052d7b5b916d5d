// What the investigation of a finding comes to: who is behind it (the identity), what its
// audit-log history shows (the signals), how that changes the severity (the escalation),
// the identity's other keys, and what the key has done since (its usage).
import type { Actor, KeyAction } from './actor.js'
import type { Severity } from './severity.js'

/**
 * One filter of the audit-log list endpoint (`AuditLogListParams.actor_ids` / `actor_emails`
 * in openai/src/resources/admin/organization/audit-logs.ts). Each is read as a request chain
 * of its own: neither the spec nor the SDK says whether the two combine as AND or OR.
 */
export interface HistoryFilter {
  param: 'actor_ids' | 'actor_emails'
  value: string
}

/**
 * Who is behind a finding: the session's user, or, for an API key actor, the user or the
 * service account that owns the key (the key itself when neither is named).
 */
export interface Identity {
  /** What identities are told apart by: "user:user-abc", "email:a@b.c", "service_account:svc_1", "api_key:key_1". */
  key: string
  kind: 'user' | 'service_account' | 'api_key' | 'unknown'
  /** In words: the email, the user id, "service account svc_1", "API key key_1". Attacker-controlled. */
  name: string
  /** The filters its history is read by, one request chain each; none for an unknown actor. */
  filters: HistoryFilter[]
}

/** An event of an identity's history, read into the model. */
export interface ActivityEvent {
  id: string
  type: string
  effectiveAt?: number
  /** Null in the SDK's type (`AuditLogListResponse.actor`): read as an unknown actor. */
  actor: Actor
  /** For an API key event: the key and what was done to it. */
  key?: {
    keyId: string
    action: KeyAction
    keyKind: 'project' | 'admin'
    scopes: string[]
    unrestricted: boolean
    projectId?: string
    projectName?: string
  }
}

export type SignalName =
  | 'via-key'
  | 'scripted-client'
  | 'new-source'
  | 'first-key'
  | 'burst'
  | 'failed-logins'
  | 'short-lived'
  | 'unknown-identity'

/** Evidence in parts: our own words, an id/email/IP (a code span in Markdown), or copied prose. */
export type EvidencePart = string | { id: string } | { text: string }

/** One line of evidence. `counts`: false when it could not be judged (and then `evidence` says why). */
export interface Signal {
  name: SignalName
  /** Its name in words: "scripted client". */
  label: string
  counts: boolean
  evidence: EvidencePart[]
}

/** A finding raised one level for its signals. */
export interface Escalation {
  from: Severity
  to: Severity
  /** The labels of the signals that counted. */
  because: string[]
}

/** A key the same identity created or widened, in the window or the history. */
export interface IdentityKey {
  keyId: string
  /** Its severity in this run, when it has findings. */
  severity?: Severity
  scopes: string[]
  unrestricted: boolean
  /** Its latest creation or update by the identity, Unix seconds. */
  at?: number
  /** Deleted: a deletion of it is known (window or history); unknown otherwise. */
  state: 'deleted' | 'unknown'
  projectName?: string
  where: 'window' | 'history'
}

/** What the Usage API said of a key since its creation (or over the last days). */
export type KeyUsage =
  | {
      status: 'read'
      /** [since, until) Unix seconds, whole days. */
      since: number
      until: number
      requests: number
      inputTokens: number
      outputTokens: number
      /** Summed over the cost results that name an amount; absent when none did. */
      cost?: { value: number; currency: string }
      models: string[]
    }
  | { status: 'not-read'; reason: string }

/** Where an identity's history came from, and what it came to. */
export interface HistoryRead {
  /** "OpenAI Admin API", "file audit.jsonl", or none. */
  source?: string
  status: 'read' | 'not-read'
  /** Why it was not read, or what it could not show (an export's history holds its key events only). */
  reason?: string
  /** Events of the identity read. */
  events: number
  /** Unix seconds: the start of the look-back. */
  since?: number
  /** Pages cut short by the bound: the history is the newest part only. */
  cut?: boolean
  /** Whether login events are part of it (an export's history holds key events only). */
  logins: boolean
}

/** The investigation of a key's finding. */
export interface Investigation {
  identity: Identity
  history: HistoryRead
  signals: Signal[]
  escalation?: Escalation
  /** The identity's other keys, newest first. */
  otherKeys: IdentityKey[]
  usage?: KeyUsage
}

/** What the investigations of a run did, for the summary and the report. */
export interface Investigations {
  /** Why none ran (history is 0 and escalate-signals 0...); absent when they ran. */
  off?: string
  /** Where the histories came from. */
  source?: string
  identities: number
  /** Identities whose history was read, and those left out (over the cap), by name. */
  read: number
  leftOut: string[]
  requests: number
  /** One note per failure or refusal (history, usage). */
  notes: string[]
}
