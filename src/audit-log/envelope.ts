// Events as log pipelines store them: each in an envelope ({"data": event}, {"event": event},
// Elasticsearch's {"_source": event}), or many in a wrapper ({"events": [...]},
// {"object": "list", "items": [...]}, an array). This finds the events inside, so that an
// export in such a shape is read, not reported clean with its events unread.
import { KEY_EVENT_TYPES } from '../model/index.js'

/** Keys under which a pipeline stores one event. Arrays of objects are searched under any key. */
const ENVELOPE_KEYS = new Set([
  'data',
  'event',
  '_source',
  'detail',
  'record',
  'payload',
  'body',
  'log',
  'message',
  'hits',
  'result',
  'value',
  'audit_log',
  'auditLog'
])

/** How deep envelopes are searched: {"hits": {"hits": [{"_source": event}]}} is four levels. */
const MAX_DEPTH = 5

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function isKeyEventType(type: unknown): boolean {
  return typeof type === 'string' && (KEY_EVENT_TYPES as readonly string[]).includes(type)
}

/** Does this object (of another type) carry a key event one level down, in an envelope or an array? */
function wrapsKeyEvent(value: Json): boolean {
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child)) {
      if (child.some((item) => isObject(item) && isKeyEventType(item.type))) return true
    } else if (ENVELOPE_KEYS.has(key) && isObject(child) && isKeyEventType(child.type)) return true
  }
  return false
}

/** One record found in a parsed value, and where in it ("" for the value itself, " item 3" in an array). */
export interface Found {
  raw: unknown
  at: string
}

/**
 * The records in a parsed value. An object with a `type` is an event (unless its type is not
 * a key event's and it wraps one); an array gives its items; any other object gives the
 * events in its envelope keys and in its arrays of objects. A value with nothing of the
 * kind is given as it is: the caller judges it.
 */
export function* recordsIn(value: unknown, at = '', depth = 0): Generator<Found> {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      yield* recordsIn(value[index], `${at} item ${index + 1}`, depth + 1)
    }
    return
  }
  if (!isObject(value) || depth >= MAX_DEPTH) {
    yield { raw: value, at }
    return
  }
  if (isOneEvent(value)) {
    yield { raw: value, at }
    return
  }
  // A list response holds its events in `data` (or `items`), none at all on an empty page.
  let found = value.object === 'list' && (Array.isArray(value.data) || Array.isArray(value.items))
  for (const [key, child] of Object.entries(value)) {
    if (Array.isArray(child) ? child.some(isObject) : isObject(child) && ENVELOPE_KEYS.has(key)) {
      found = true
      yield* recordsIn(child, at, depth + 1)
    }
  }
  if (!found) yield { raw: value, at }
}

/** A value that is one event, not a wrapper of others: the common case, told without a search. */
export function isOneEvent(value: unknown): boolean {
  if (!isObject(value) || typeof value.type !== 'string') return false
  return isKeyEventType(value.type) || !wrapsKeyEvent(value)
}

/** An audit-log event as the scan reads one: an object with a type. */
export function isEvent(raw: unknown): boolean {
  return isObject(raw) && typeof raw.type === 'string'
}

/**
 * Text that may spell an API key event: every key event type holds "api_key", and a JSON
 * escape (\u005f) can spell any of its letters.
 */
export function mayMentionKeyEvent(text: string): boolean {
  return text.includes('api_key') || text.includes('\\u')
}
