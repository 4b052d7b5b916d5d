// Who acted in an audit-log event, and what was done to a key: shared by the window's key
// events and an identity's history.

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
  /** The autonomous system of the IP address, when the event names one. */
  asn?: string
  city?: string
  region?: string
  ja3?: string
  ja4?: string
}
