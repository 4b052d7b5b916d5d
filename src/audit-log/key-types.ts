// The spellings of API key event types the scan reads. OpenAI writes them dotted
// ("api_key.created", "tenant.admin_api_key.created"); log pipelines that cannot keep dots
// store them flattened ("api_key_created", "tenant_admin_api_key_created"), and others
// upper-case or camel-case them. Each of these is read as OpenAI's type. A type that names
// an API key being created, updated or deleted in a way no OpenAI type does
// ("org_api_key_created") cannot be judged, and is counted as such: never dropped.
//
// The JSONL prefilter (line-sorter.ts) must hand on every line that may hold one of these,
// so what is read here is bounded by what it can see in the bytes cheaply: "key" written
// key, KEY or Key, then separators, then created, updated or deleted in any case.
import { KEY_EVENT_TYPES, type KeyEventType } from '../model/index.js'

/** What separates the words of a type: OpenAI's dots, and what pipelines put in their place. */
export const SEPARATOR_BYTES = new Set([0x2e, 0x5f, 0x2d, 0x3a, 0x2f, 0x20])
/** The most separators read between "key" and its verb. */
export const MAX_SEPARATORS = 8
/** How "key" is written in a type the scan reads: the three forms the prefilter searches bytes for. */
export const KEY_SPELLINGS = ['key', 'KEY', 'Key'] as const
/** The verbs of key event types, in lower case; the prefilter compares them in any case. */
export const KEY_VERBS = ['created', 'updated', 'deleted'] as const

/**
 * "key" then a verb, separators between: what every spelling read holds, and all the
 * prefilter looks for. Linear: no repetition in it can backtrack.
 */
const KEY_THEN_VERB =
  /(?:key|KEY|Key)[._\-:/ ]{0,8}(?:[cC][rR][eE][aA][tT][eE][dD]|[uU][pP][dD][aA][tT][eE][dD]|[dD][eE][lL][eE][tT][eE][dD])/

/** A type with its separators removed and in lower case: "apikeycreated". */
function squeezed(type: string): string {
  return type
    .trim()
    .replace(/[._\-:/ ]/g, '')
    .toLowerCase()
}

const BY_SPELLING = new Map<string, KeyEventType>(KEY_EVENT_TYPES.map((type) => [squeezed(type), type]))

/** OpenAI's key event type for `type` in any spelling read as one, or undefined. */
export function keyTypeOf(type: unknown): KeyEventType | undefined {
  if (typeof type !== 'string') return undefined
  if ((KEY_EVENT_TYPES as readonly string[]).includes(type)) return type as KeyEventType
  return type.length <= 200 && KEY_THEN_VERB.test(type) ? BY_SPELLING.get(squeezed(type)) : undefined
}

/**
 * A type that names an API key being created, updated or deleted but is none of OpenAI's in
 * any spelling read ("org_api_key_created"): its event cannot be judged, and must not pass
 * as an event of another type.
 */
export function looksLikeKeyType(type: string): boolean {
  return type.length <= 200 && /api/i.test(type) && KEY_THEN_VERB.test(type) && keyTypeOf(type) === undefined
}

/** Text that may spell a key event type in a spelling the scan reads (keys and strings of a value, a record that could not be parsed). */
export function mentionsKeyType(text: string): boolean {
  return KEY_THEN_VERB.test(text)
}
