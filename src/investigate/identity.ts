// Who is behind a finding, and which events are theirs. The identity is the session's user,
// or, when the actor was an API key, the user or service account that owns the key (the key
// itself when the event names neither). Pure.
import type { Actor, HistoryFilter, Identity } from '../model/index.js'

/**
 * The identity behind an actor, and the filters its history is read by. The SDK's
 * `actor_ids` "Can be a user ID, a service account ID, or an api key tracking ID"
 * (openai/src/resources/admin/organization/audit-logs.ts, AuditLogListParams.actor_ids);
 * `actor_emails` is "users with these emails". A user is read by id when the event gives it,
 * else by email; a key's owner by its own id and by the key's, each a chain of its own.
 */
export function identityOf(actor: Actor): Identity {
  const filters: HistoryFilter[] = []
  const ids = (...values: (string | undefined)[]): void => {
    for (const value of values) if (value) filters.push({ param: 'actor_ids', value })
  }
  if (actor.serviceAccountId) {
    ids(actor.serviceAccountId, actor.apiKeyId)
    return {
      key: `service_account:${actor.serviceAccountId}`,
      kind: 'service_account',
      name: `service account ${actor.serviceAccountId}`,
      filters
    }
  }
  if (actor.userId) {
    ids(actor.userId, actor.apiKeyId)
    return { key: `user:${actor.userId}`, kind: 'user', name: actor.email ?? actor.userId, filters }
  }
  if (actor.email) {
    filters.push({ param: 'actor_emails', value: actor.email })
    ids(actor.apiKeyId)
    return { key: `email:${actor.email.toLowerCase()}`, kind: 'user', name: actor.email, filters }
  }
  if (actor.apiKeyId) {
    ids(actor.apiKeyId)
    return { key: `api_key:${actor.apiKeyId}`, kind: 'api_key', name: `API key ${actor.apiKeyId}`, filters }
  }
  return { key: 'unknown', kind: 'unknown', name: 'unknown actor', filters }
}

/**
 * The identity keys an actor answers to: its identity's, and a user's email too (an identity
 * known only by its email is the same user in an event that gives both). None for an unknown actor.
 */
export function identityKeysOf(actor: Actor): string[] {
  const identity = identityOf(actor)
  if (identity.kind === 'unknown') return []
  const keys = [identity.key]
  if (actor.email && identity.key !== `email:${actor.email.toLowerCase()}`)
    keys.push(`email:${actor.email.toLowerCase()}`)
  return keys
}

/** Whether an event's actor is this identity: the same user, service account or key. */
export function actedAs(identity: Identity, actor: Actor): boolean {
  return identity.kind !== 'unknown' && identityKeysOf(actor).includes(identity.key)
}
