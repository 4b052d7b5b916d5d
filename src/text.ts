// Text every stage writes: untrusted text on one line, times, counts, error messages
// scrubbed of secrets, and the words every medium (Markdown, a terminal) uses for a key.
import type { Escalation, EvidencePart, Finding, FoundKey, KeyOwner } from './model/index.js'

/**
 * Untrusted text on one line: control characters (ANSI escapes, newlines, U+2028/2029)
 * become a space, and text-direction controls, which make text read differently from what
 * it is, are removed.
 */
export function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** Unix seconds as ISO 8601 in UTC; `short` drops zero milliseconds (2024-01-01T00:00:00Z). */
export function isoTime(seconds: number, short = false): string {
  const iso = new Date(seconds * 1000).toISOString()
  return short ? iso.replace('.000Z', 'Z') : iso
}

/** A span of time in words, rounded down: "45 seconds", "3 hours", "12 days". */
export function span(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 120) return plural(s, 'second')
  if (s < 7200) return plural(Math.floor(s / 60), 'minute')
  if (s < 172_800) return plural(Math.floor(s / 3600), 'hour')
  return plural(Math.floor(s / 86_400), 'day')
}

/** "1 key", "2 keys"; `many` for nouns that do not take an s. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`
}

// The admin key must never reach a log, an error, the summary, an issue or the report. Text
// from servers and libraries goes through this one redactor, always on the whole text and
// before any cut: a cut inside a key would leave the rest of it to print. The secrets given
// (the admin key, the GitHub token) are removed in either case, as a server may echo them
// upper-cased; then anything shaped like a key or a token, whatever comes before it
// (`Bearer%20sk-admin-...`, `tokensk-...`).
const KEY_SHAPED = new RegExp(
  [
    // A key of a known kind: sk-admin-, sk-proj-, sk-svcacct-, sk-None- (legacy user keys).
    '(sk-(?:admin|proj|svcacct|none)-)[A-Za-z0-9_-]{8,}',
    // Any sk- key at the start of a word.
    '(?<![A-Za-z0-9])(sk-)[A-Za-z0-9_-]{8,}',
    // A bare sk- key run into what comes before it: its 20 or more letters and digits.
    '(sk-)[A-Za-z0-9]{20,}',
    // GitHub's tokens: ghp_, gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_.
    '(gh[pousr]_)[A-Za-z0-9]{16,}',
    '(github_pat_)[A-Za-z0-9_]{16,}'
  ].join('|'),
  'gi'
)

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.replace(new RegExp(escapeRegExp(secret), 'gi'), '***')
  }
  return out.replace(KEY_SHAPED, (...groups: (string | undefined)[]) => `${groups.slice(1, 6).find(Boolean)}***`)
}

export function errorMessage(error: unknown, secrets: readonly string[] = []): string {
  const message = error instanceof Error ? error.message : String(error)
  return redact(message, secrets)
}

/**
 * How a medium shows text copied from a log or an API, each at most `max` characters: as
 * prose, and as an id (Markdown: inert text and code spans; a terminal: plain text for both).
 */
export interface Medium {
  text(value: unknown, max: number): string
  id(value: unknown, max: number): string
}

/**
 * A key's owner as the Admin API names it: a user's email and role, a service account's
 * name, id and role, or what it gives of another; undefined when it says nothing.
 */
export function ownerWords(owner: KeyOwner, medium: Medium): string | undefined {
  if (owner.type === 'user') {
    const role = owner.role ? ` (${medium.text(owner.role, 40)})` : ''
    // An email or an id copies exactly (a code span in Markdown); a name is prose.
    return `user ${owner.email || owner.id ? medium.id(owner.email ?? owner.id, 120) : medium.text(owner.name, 120)}${role}`
  }
  if (owner.type === 'service_account') {
    const role = owner.role ? `, ${medium.text(owner.role, 40)}` : ''
    return `service account ${medium.text(owner.name, 120)} (${medium.id(owner.id, 80)}${role})`
  }
  return owner.id || owner.name ? medium.text(owner.name ?? owner.id, 120) : undefined
}

/**
 * When a found key was last used: "never used", or the time and how long `before` the
 * lookup ("ago" for a report read at once, "before the lookup" for text read later);
 * undefined when the API does not say.
 */
export function lastUseWords(key: FoundKey, before: 'ago' | 'before the lookup'): string | undefined {
  if (key.lastUsedAt === null) return 'never used'
  if (key.lastUsedAt === undefined) return undefined
  return `${isoTime(key.lastUsedAt, true)} (${span(key.lookedUpAt - key.lastUsedAt)} ${before})`
}

/** The scopes a finding shows: those recorded; for a key with none recorded, what it was judged to have (all, admin). */
export function scopesShown(finding: Finding): string[] {
  return finding.scopes.length > 0 ? finding.scopes : finding.elevatedScopes
}

/** Evidence of a signal in a medium: our words as they are, ids as ids, copied prose as text. */
export function evidenceWords(parts: readonly EvidencePart[], medium: Medium): string {
  return parts
    .map((part) =>
      typeof part === 'string' ? part : 'id' in part ? medium.id(part.id, 120) : medium.text(part.text, 120)
    )
    .join('')
}

/** "HIGH → CRITICAL: scripted client, new source": the one line that says why a finding went up. */
export function escalationWords(escalation: Escalation): string {
  return `${escalation.from} → ${escalation.to}: ${escalation.because.join(', ')}`
}
