// Events as log pipelines store them: each in an envelope ({"data": event}, Elasticsearch's
// {"_source": event}, Datadog's {"id", "type": "log", "attributes": {"attributes": event}}),
// or many in a wrapper ({"events": [...]}, {"object": "list", "data": [...]},
// {"export": {"org": {"events": [...]}}}, an array). This finds the events inside however
// they are nested, so that an export in such a shape is read, not reported clean with its
// events unread:
// - an object whose type is a key event's is an event;
// - an object of another type is an event, unless a key event is somewhere inside it: then
//   it is an envelope, and what it holds is read (a wrapper's own type is not OpenAI's);
// - any other object, and an array, are looked into;
// - an item of an array that is no event, and a value with no event anywhere in it, are
//   handed on as they are: the caller judges them.
// It walks with a stack of its own, to MAX_NESTING levels: a record nested deeper is
// reported as such, never a crash of the whole scan.
import { isObject, type Json } from '../model/index.js'
import { keyTypeOf, looksLikeKeyType, mentionsKeyType } from './key-types.js'

/** How deep a record is looked into: an event is six levels deep, a pipeline's envelopes a few more. */
export const MAX_NESTING = 64

/** A type that names an API key event, read as one or counted as unjudged. */
export function isKeyEventType(type: unknown): boolean {
  return typeof type === 'string' && (keyTypeOf(type) !== undefined || looksLikeKeyType(type))
}

/** What a parsed value holds: an event, something that is not one, or a part too deep to read. */
export type Found =
  | { kind: 'event'; raw: Json; at: string }
  | { kind: 'stray'; raw: unknown; at: string }
  | { kind: 'too-deep'; at: string }

/**
 * Is there an object with a key event's type anywhere in `value` (itself excluded)?
 * 'too-deep' when it nests past the bound: what is below cannot be known.
 */
function holdsKeyEvent(value: Json, depth: number): boolean | 'too-deep' {
  const stack: [unknown, number][] = []
  for (const child of Object.values(value))
    if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  while (stack.length > 0) {
    const [node, level] = stack.pop()!
    if (level > MAX_NESTING) return 'too-deep'
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push([item, level + 1])
      continue
    }
    if (isKeyEventType((node as Json).type)) return true
    for (const child of Object.values(node as Json)) {
      if (typeof child === 'object' && child !== null) stack.push([child, level + 1])
    }
  }
  return false
}

/** A value that is one event, not a wrapper of others: the common case, told without a search of the rest. */
export function isOneEvent(value: unknown): boolean {
  if (!isObject(value) || typeof value.type !== 'string') return false
  return isKeyEventType(value.type) || holdsKeyEvent(value, 0) === false
}

/** An audit-log event as the scan reads one: an object with a type. */
export function isEvent(raw: unknown): boolean {
  return isObject(raw) && typeof raw.type === 'string'
}

/** The records in a parsed value, in order, with where in it each is (" item 3"; "" for the value itself). */
export function* recordsIn(value: unknown): Generator<Found> {
  // Each entry: a value, where it is, its depth, and whether it is an item of an array.
  const stack: { node: unknown; at: string; depth: number; item: boolean }[] = [
    { node: value, at: '', depth: 0, item: false }
  ]
  let found = 0
  // A value holding an array that could hold events (empty, or of objects: an empty list
  // page, {"events": []}) is a wrapper with nothing in it, not a stray.
  let wrappers = 0
  while (stack.length > 0) {
    const { node, at, depth, item } = stack.pop()!
    if (depth > MAX_NESTING) {
      found++
      yield { kind: 'too-deep', at }
      continue
    }
    if (Array.isArray(node)) {
      // The items of the value itself or of an array are records whatever they are; under
      // a key, only objects and arrays are (["all"] is a list of scopes, not of events).
      const all = depth === 0 || item
      if (node.length === 0 || node.some((entry) => typeof entry === 'object' && entry !== null)) wrappers++
      // Pushed last item first, so that items come out in order.
      for (let index = node.length - 1; index >= 0; index--) {
        const entry = node[index]
        if (all || (typeof entry === 'object' && entry !== null)) {
          // Where it is, to a few levels: deeper places are named by the item they are in.
          const place = at.split(' item ').length > 4 ? at : `${at} item ${index + 1}`
          stack.push({ node: entry, at: place, depth: depth + 1, item: true })
        }
      }
      continue
    }
    if (isObject(node) && typeof node.type === 'string') {
      const inside = isKeyEventType(node.type) ? false : holdsKeyEvent(node, depth)
      if (inside === 'too-deep') {
        found++
        yield { kind: 'too-deep', at }
        continue
      }
      if (!inside) {
        found++
        yield { kind: 'event', raw: node, at }
        continue
      }
    }
    if (isObject(node)) {
      // An item of an array with nothing in it is a record all the same.
      if (item && !holdsRecords(node, depth)) {
        found++
        yield { kind: 'stray', raw: node, at }
        continue
      }
      // Looked into: its objects and arrays, in order.
      const children = Object.values(node).filter((child) => typeof child === 'object' && child !== null)
      for (let index = children.length - 1; index >= 0; index--) {
        stack.push({ node: children[index], at, depth: depth + 1, item: false })
      }
      continue
    }
    if (item) {
      found++
      yield { kind: 'stray', raw: node, at }
    }
  }
  // Nothing in it at all: the value as it is, for the caller to judge.
  if (found === 0 && wrappers === 0) yield { kind: 'stray', raw: value, at: '' }
}

/** Does an object without a type hold an event (an object with a type), or an array of objects, inside? */
function holdsRecords(value: Json, depth: number): boolean {
  const stack: [unknown, number][] = Object.values(value).map((child) => [child, depth + 1])
  while (stack.length > 0) {
    const [node, level] = stack.pop()!
    if (level > MAX_NESTING) return true
    if (Array.isArray(node)) {
      for (const entry of node) if (typeof entry === 'object' && entry !== null) return true
      continue
    }
    if (!isObject(node)) continue
    if (typeof node.type === 'string') return true
    for (const child of Object.values(node)) stack.push([child, level + 1])
  }
  return false
}

/**
 * Does a value mention a key event type in a spelling the scan reads, in any key or string
 * inside it? For a record that is not an event: one that mentions one may be an event the
 * scan cannot read. Walks to MAX_NESTING levels; deeper is taken as a mention.
 */
export function mentionsKeyEvent(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [node, level] = stack.pop()!
    if (typeof node === 'string') {
      if (mentionsKeyType(node)) return true
      continue
    }
    if (typeof node !== 'object' || node === null) continue
    if (level > MAX_NESTING) return true
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, level + 1])
      continue
    }
    for (const [key, child] of Object.entries(node)) {
      if (mentionsKeyType(key)) return true
      stack.push([child, level + 1])
    }
  }
  return false
}

/**
 * Text that may spell an API key event: a key event type in a spelling the scan reads, or a
 * JSON escape (\u005f), which can spell any of its letters.
 */
export function mayMentionKeyEvent(text: string): boolean {
  return mentionsKeyType(text) || text.includes('\\u')
}
