// Raw audit-log events into the model's KeyEvent. One view over both shapes an event comes in:
// - the Admin API's, with the payload under a dotted key ("api_key.created") and
//   updates under `changes_requested`;
// - the flattened one log pipelines store (`api_key_created`, `data.scopes`).
// Everything read here is attacker-controlled text: it is copied, never interpreted.

import { createHash } from 'node:crypto'
import {
  isObject,
  KEY_EVENT_TYPES,
  type Actor,
  type EventReading,
  type Json,
  type KeyEventType
} from '../model/index.js'
import { keyTypeOf, looksLikeKeyType } from './key-types.js'

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

/**
 * value[key], and [next] inside that, each where it is an object's; undefined otherwise.
 * Two keys and no rest array: it runs a few dozen times an event.
 */
function child(value: unknown, key: string, next?: string): unknown {
  if (!isObject(value)) return undefined
  const found = value[key]
  if (next === undefined) return found
  return isObject(found) ? found[next] : undefined
}

/** Each key event type as a pipeline that cannot keep dots flattens it ("api_key_created"), made once. */
const FLATTENED = new Map<KeyEventType, string>(KEY_EVENT_TYPES.map((type) => [type, type.replaceAll('.', '_')]))

/**
 * The payload of a key event: under the dotted key of the API, the flattened key of a
 * pipeline, or the type as the event spells it (`written`), which may be neither.
 */
function payloadOf(raw: Json, type: KeyEventType, written: string): Json | undefined {
  const dotted = raw[type]
  if (isObject(dotted)) return dotted
  const flattened = raw[FLATTENED.get(type)!]
  if (isObject(flattened)) return flattened
  const asWritten = raw[written]
  if (isObject(asWritten)) return asWritten
  // A pipeline that renamed the type renamed the payload's key the same way, or another: any
  // key that spells the same type holds it.
  for (const [key, payload] of Object.entries(raw)) {
    if (key !== 'type' && isObject(payload) && keyTypeOf(key) === type) return payload
  }
  return undefined
}

/**
 * The scopes an event sets. Updates carry them under `changes_requested` in the API's
 * shape (the SDK's `APIKeyUpdated.changes_requested.scopes`) and under `data` in the
 * flattened one and in OpenAI's own list example; creations under `data`
 * (`APIKeyCreated.data.scopes`, "the payload used to create the API key"). `recorded`: a
 * scopes list is there at all. A scopes field that is not a list, or a list with entries
 * but no scope name among them, cannot be judged.
 */
function scopesOf(payload: Json): { scopes: string[]; recorded: boolean; malformed?: string } {
  const candidates = [child(payload, 'changes_requested', 'scopes'), child(payload, 'data', 'scopes')]
  const scopes: string[] = []
  let malformed: string | undefined
  let recorded = false
  let entries = 0
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null) continue
    if (!Array.isArray(candidate)) {
      malformed = `scopes is ${typeof candidate}, not a list`
      continue
    }
    recorded = true
    entries += candidate.length
    for (const scope of candidate) {
      if (typeof scope === 'string' && scope.trim() !== '' && !scopes.includes(scope)) scopes.push(scope)
    }
  }
  // One list read is enough; a scopes field that is not a list counts only when there is none.
  if (!recorded) return { scopes, recorded, malformed }
  return entries > 0 && scopes.length === 0
    ? { scopes, recorded, malformed: 'scopes lists no scope name' }
    : { scopes, recorded }
}

const MAX_SECONDS = 8.64e12

/**
 * An id for an event that has none, from its content: its issue marker must be its own. An
 * event nested too deep for JSON.stringify is named by its fields one level down.
 */
function unidentified(raw: Json): string {
  let text: string
  try {
    text = JSON.stringify(raw)
  } catch {
    text = JSON.stringify(Object.entries(raw).map(([key, value]) => [key, typeof value === 'object' ? null : value]))
  }
  return `no-id-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`
}

function effectiveAtOf(raw: Json): number | undefined {
  const value = raw.effective_at
  const seconds =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  // Past what a Date can hold, a time cannot be shown or compared: treated as absent.
  return Number.isFinite(seconds) && Math.abs(seconds) <= MAX_SECONDS ? seconds : undefined
}

export function readActor(raw: unknown): Actor {
  const actor = child(raw, 'actor')
  const session = child(actor, 'session')
  const apiKey = child(actor, 'api_key')
  const type = text(child(actor, 'type'))
  if (isObject(session) && type !== 'api_key') {
    const email = text(child(session, 'user', 'email'))
    const userId = text(child(session, 'user', 'id'))
    const details = child(session, 'ip_address_details')
    const userAgent = child(session, 'user_agent')
    return {
      type: 'session',
      name: email ?? userId ?? 'unknown user',
      email,
      userId,
      ip: text(child(session, 'ip_address')),
      // An empty user agent is kept as such: the scripted-client signal counts it.
      userAgent: typeof userAgent === 'string' ? userAgent : undefined,
      country: text(child(details, 'country')),
      asn: text(child(details, 'asn')),
      city: text(child(details, 'city')),
      region: text(child(details, 'region')),
      ja3: text(child(session, 'ja3')),
      ja4: text(child(session, 'ja4'))
    }
  }
  if (isObject(apiKey)) {
    const apiKeyId = text(child(apiKey, 'id'))
    const apiKeyType = text(child(apiKey, 'type'))
    const email = text(child(apiKey, 'user', 'email'))
    const userId = text(child(apiKey, 'user', 'id'))
    const serviceAccountId = text(child(apiKey, 'service_account', 'id'))
    const via = apiKeyId ? ` via API key ${apiKeyId}` : ' via an API key'
    const owner =
      serviceAccountId !== undefined || apiKeyType === 'service_account'
        ? `service account ${serviceAccountId ?? '(id not given)'}`
        : (email ?? userId ?? 'unknown user')
    return { type: 'api_key', name: `${owner}${via}`, email, userId, serviceAccountId, apiKeyId, apiKeyType }
  }
  return { type: 'unknown', name: 'unknown actor' }
}

/** A key event that cannot be judged, and why. */
function unjudgeable(id: string | undefined, type: KeyEventType, reason: string): EventReading {
  return { kind: 'malformed', id, reason: `${type} event ${reason}`, keyEvent: true }
}

/** Reads one raw event. Never throws: what cannot be read is `malformed`, with the reason. */
export function readEvent(raw: unknown): EventReading {
  if (!isObject(raw)) return { kind: 'malformed', reason: 'event is not a JSON object' }
  const id = text(raw.id)
  const written = text(raw.type)
  if (written === undefined) return { kind: 'malformed', id, reason: 'event has no type' }
  // OpenAI's type however a pipeline spelled it ("api_key_created"); one that names a key
  // event in no spelling of OpenAI's cannot be judged, and is never taken for another type.
  const keyType = keyTypeOf(written)
  if (keyType === undefined) {
    if (looksLikeKeyType(written)) {
      return {
        kind: 'malformed',
        id,
        reason: `event type "${written.slice(0, 100)}" names an API key event, but none OpenAI records: it cannot be judged`,
        keyEvent: true
      }
    }
    return {
      kind: 'other',
      id,
      type: written,
      effectiveAt: effectiveAtOf(raw),
      ...(isObject(raw.actor) ? { actor: readActor(raw) } : {})
    }
  }
  const type = keyType
  const action = keyType.endsWith('.deleted') ? 'deleted' : keyType.endsWith('.updated') ? 'updated' : 'created'
  const keyKind = keyType.startsWith('tenant.admin_api_key.') ? 'admin' : 'project'
  const payload = payloadOf(raw, keyType, written)
  // A creation or update without its payload says nothing of the key or its permissions.
  if (!payload && action !== 'deleted')
    return unjudgeable(id, type, `has no payload (no "${type}" object): its key and permissions are unknown`)
  const { scopes, recorded, malformed } = payload ? scopesOf(payload) : { scopes: [], recorded: false }
  if (malformed) return unjudgeable(id, type, malformed)
  const keyId = text(payload?.id)
  // Without the key's id an event is about no key in particular: it cannot be told apart from
  // another key's, looked up, or tracked in an issue. A creation or an update is then a key
  // event that cannot be judged (the run fails, and lists it); a deletion is no evidence
  // about any key, and closes nothing.
  if (keyId === undefined) {
    return action === 'deleted'
      ? { kind: 'malformed', id, reason: `${type} event has no key id: it is not matched to any key or issue` }
      : unjudgeable(
          id,
          type,
          'has no key id: its key cannot be told apart from others, looked up or tracked in an issue'
        )
  }
  // OpenAI records an "All permissions" project key as one created with no scopes (the
  // Terraform provider's acceptance tests: full permissions send and read back no scopes);
  // an update sets them to none only when its recorded change says so. A rename is no change.
  const unrestricted =
    keyKind === 'project' && scopes.length === 0 && (action === 'created' || (action === 'updated' && recorded))
  return {
    kind: 'key',
    event: {
      id: id ?? unidentified(raw),
      type: keyType,
      action,
      keyKind,
      effectiveAt: effectiveAtOf(raw),
      keyId,
      keyName: text(child(payload, 'data', 'name')) ?? text(child(payload, 'changes_requested', 'name')),
      scopes,
      unrestricted,
      projectId: text(child(raw, 'project', 'id')),
      projectName: text(child(raw, 'project', 'name')),
      actor: readActor(raw)
    }
  }
}
