// Port of Panther's rule OpenAI.API.Key.Anomalous.Activity: a handful of pure
// functions of one event, next to the metadata its YAML spec carries
// (rules/openai_api_key_anomalous_activity.yml; a test keeps the two equal). It reads the
// model only: turning a raw event into a KeyEvent is the audit-log stage's work.
import type { AlertContext, Finding, KeyEvent, Severity } from '../model/index.js'

export interface RuleOptions {
  /**
   * Scope patterns that make a created or updated key a finding: compared case-insensitively,
   * `*` standing for any run of characters (`api.*.write`).
   */
  elevatedScopes: readonly string[]
  /** Elevated scope patterns that make the finding HIGH; the others are MEDIUM. */
  highScopes: readonly string[]
}

/**
 * Panther's words, which no OpenAI source uses, and OpenAI's own scopes for the same powers
 * (the README's tuning section gives the source of each): `all` is also what a key with no
 * scopes recorded has, `admin` what an admin API key has.
 */
export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  elevatedScopes: [
    'all',
    'models:write',
    'organization:write',
    'api_keys:write',
    'admin',
    'api.management.write',
    'api.organization.*.write',
    'api.fine_tuning.jobs.write'
  ],
  highScopes: ['all', 'admin', 'api.management.write']
}

/** The effective scope of a key created or updated with no scopes recorded: every permission. */
const UNRESTRICTED = 'all'
/** The effective scope of an admin API key: the organization's administration. */
const ADMIN_KEY = 'admin'

export interface MitreTechnique {
  tactic: string
  technique: string
  name: string
}

export const RULE = {
  id: 'OpenAI.API.Key.Anomalous.Activity',
  displayName: 'OpenAI Anomalous API Key Activity',
  description:
    'Detects anomalous OpenAI API key activity indicative of potential key compromise,\n' +
    'unauthorized access, or preparation for malicious misuse (e.g., C2, phishing, automation).\n' +
    'OpenAI API keys provide programmatic access to powerful LLM capabilities. Abuse or\n' +
    'compromise of these keys enables attackers to blend malicious activity into legitimate\n' +
    'cloud traffic, bypassing traditional network-based detections.\n' +
    'This rule alerts on:\n' +
    '- API keys created or updated with elevated or unrestricted permissions (all, models:write, organization:write, api_keys:write, admin)\n',
  reference: 'https://platform.openai.com/docs/api-reference/audit-logs',
  defaultSeverity: 'MEDIUM' as Severity,
  dedupPeriodMinutes: 60,
  logTypes: ['OpenAI.Audit'],
  runbook: [
    'Validate the identity responsible for the API key activity. Confirm whether the user or service account is authorized to manage API keys and if the action aligns with an approved business process (e.g., onboarding, rotation).',
    "Review the key's scopes/permissions for elevated or unrestricted access. Check recent API usage, source IP address, geolocation, and TLS fingerprints for unusual client patterns or concurrent suspicious activities.",
    'If suspicious activity is confirmed, immediately revoke or rotate the affected API key. Review all API keys created by the same identity, investigate potential account compromise, and escalate for further investigation.'
  ],
  mitre: [
    { tactic: 'TA0001', technique: 'T1078', name: 'Valid Accounts' },
    { tactic: 'TA0003', technique: 'T1098', name: 'Account Manipulation' },
    { tactic: 'TA0005', technique: 'T1550', name: 'Use Alternate Authentication Material' },
    { tactic: 'TA0011', technique: 'T1071', name: 'Application Layer Protocol (for C2)' }
  ] as MitreTechnique[]
} as const

const TACTIC_NAMES: Record<string, string> = {
  TA0001: 'Initial Access',
  TA0003: 'Persistence',
  TA0005: 'Stealth',
  TA0011: 'Command and Control'
}

export function tacticName(tactic: string): string {
  return TACTIC_NAMES[tactic] ?? tactic
}

type Matcher = (scope: string) => boolean

const matchers = new WeakMap<readonly string[], Matcher>()

/** One test for a list of scope patterns, made once per list. */
function matcherOf(patterns: readonly string[]): Matcher {
  let matcher = matchers.get(patterns)
  if (!matcher) {
    const exact = new Set<string>()
    const wild: string[][] = []
    for (const pattern of patterns.map((item) => item.trim().toLowerCase())) {
      if (!pattern.includes('*')) exact.add(pattern)
      else wild.push(pattern.split('*'))
    }
    matcher = (scope) => {
      const name = scope.trim().toLowerCase()
      return exact.has(name) || wild.some((parts) => globMatches(parts, name))
    }
    matchers.set(patterns, matcher)
  }
  return matcher
}

/**
 * A pattern cut at its `*`s, against a scope from the audit log (attacker-controlled, of any
 * length): the first part starts it, the last ends it, and the others follow in order, each
 * found leftmost. Linear in the scope's length, where a regular expression with several `.*`
 * backtracks polynomially on a long scope that does not match.
 */
function globMatches(parts: readonly string[], name: string): boolean {
  const first = parts[0]!
  const last = parts.at(-1)!
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false
  let at = first.length
  const end = name.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at)
    if (found === -1 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}

/** Read-only scopes: `api.all.read` (OpenAI's "Read Only" keys) and every `*.read`. */
function readOnly(scopes: readonly string[]): boolean {
  return scopes.length > 0 && scopes.every((scope) => /\.read$/i.test(scope.trim()))
}

/**
 * The scopes the event gives the key, each with how it is shown: the recorded scopes, `all`
 * for a key with no scopes recorded, `admin` (and any recorded scope) for an admin API key
 * unless its recorded scopes are read-only.
 */
function effectiveScopes(event: KeyEvent): { scope: string; shown: string }[] {
  const recorded = event.scopes.map((scope) => ({ scope, shown: scope }))
  if (event.keyKind === 'admin')
    return readOnly(event.scopes) ? [] : [{ scope: ADMIN_KEY, shown: `${ADMIN_KEY} (admin API key)` }, ...recorded]
  if (event.unrestricted) return [{ scope: UNRESTRICTED, shown: `${UNRESTRICTED} (unrestricted: no scopes recorded)` }]
  return recorded
}

/** What the rule says of an event it matches: the elevated scopes as shown, and the severity. */
export interface Verdict {
  shown: string[]
  severity: Severity
}

/** What the rule says of an event: the elevated scopes as shown and the severity, or undefined. */
export function verdictOf(event: KeyEvent, options: RuleOptions = DEFAULT_RULE_OPTIONS): Verdict | undefined {
  if (event.action === 'deleted') return undefined
  const isElevated = matcherOf(options.elevatedScopes)
  const hits = effectiveScopes(event).filter(({ scope }) => isElevated(scope))
  if (hits.length === 0) return undefined
  const isHigh = matcherOf(options.highScopes)
  return {
    shown: hits.map(({ shown }) => shown),
    severity: hits.some(({ scope }) => isHigh(scope)) ? 'HIGH' : 'MEDIUM'
  }
}

function title(event: KeyEvent, elevated: readonly string[]): string {
  const kind = event.keyKind === 'admin' ? 'admin API key' : 'API key'
  return `OpenAI ${kind} ${event.keyId} ${event.action} with elevated scopes [${elevated.join(', ')}] by ${event.actor.name}`
}

/** One alert per key within Panther's dedup period. */
function dedupOf(event: KeyEvent): string {
  return `openai-api-key:${event.keyId}`
}

function alertContext(event: KeyEvent, elevated: string[]): AlertContext {
  const { actor } = event
  return {
    event_type: event.type,
    event_id: event.id,
    effective_at: event.effectiveAt ?? null,
    key_id: event.keyId,
    key_name: event.keyName ?? null,
    scopes: event.scopes,
    elevated_scopes: elevated,
    project_id: event.projectId ?? null,
    actor_type: actor.type,
    actor: actor.name,
    actor_email: actor.email ?? null,
    actor_id: actor.userId ?? actor.serviceAccountId ?? null,
    actor_api_key_id: actor.apiKeyId ?? null,
    source_ip: actor.ip ?? null,
    user_agent: actor.userAgent ?? null,
    country: actor.country ?? null,
    city: actor.city ?? null,
    ja3: actor.ja3 ?? null,
    ja4: actor.ja4 ?? null
  }
}

/** The finding for a key event, every field computed once; undefined when the rule does not match. */
export function findingOf(event: KeyEvent, options: RuleOptions = DEFAULT_RULE_OPTIONS): Finding | undefined {
  const verdict = verdictOf(event, options)
  return verdict && findingFrom(event, verdict)
}

/**
 * The finding the rule's verdict on an event makes: a function of the two alone, so that a
 * scan may keep the event and the verdict and make the finding when a report reads it.
 */
export function findingFrom(event: KeyEvent, verdict: Verdict): Finding {
  return {
    severity: verdict.severity,
    title: title(event, verdict.shown),
    dedup: dedupOf(event),
    keyId: event.keyId,
    keyName: event.keyName,
    eventId: event.id,
    eventType: event.type,
    effectiveAt: event.effectiveAt,
    scopes: event.scopes,
    elevatedScopes: verdict.shown,
    projectId: event.projectId,
    projectName: event.projectName,
    actor: event.actor,
    alertContext: alertContext(event, verdict.shown)
  }
}
