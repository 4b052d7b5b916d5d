// The keys with findings, looked up in the Admin API after the scan: whose key it is, when it
// was last used, whether the API still holds it. One request per key through the official
// SDK, in the order given (highest severity first), at most `maxLookups` a run. A lookup never
// fails the run: a refusal (403) stops the lookups of that kind and is noted once, a failure
// after the SDK's retries is noted, and a key that was not looked up says why. A 404 is "not
// found" only when it is OpenAI's own answer, in the key's own project; never proof that the
// key is gone.
import OpenAI from 'openai'
import {
  ACTION_VOICE,
  isObject,
  type Voice,
  type Finding,
  type KeyFindings,
  type KeyInfo,
  type KeyLookups,
  type KeyOwner
} from '../model/index.js'
import { duration, openAIAnswer, openAIFailureWords, serverMessage } from '../http/api-error.js'
import { plural } from '../text.js'
import { adminReader } from '../openai/client.js'
import { openAINotFound } from '../openai/not-found.js'

/** The most keys a run looks up; the rest are counted as not looked up. */
export const MAX_LOOKUPS = 50

/** What a refused lookup means, in the dashboard's words for the permission it lacks. */
export const LOOKUP_REFUSED = 'the admin key lacks permission to read API keys (API keys: Read)'

/** After this many lookups that failed after their retries, the rest are not tried. */
const MAX_FAILURES = 3

export interface KeyLookupOptions {
  adminKey: string
  baseURL: string
  maxLookups?: number
  /** Retries of one lookup after a 408/409/429/5xx or a connection error (the SDK's backoff). */
  maxRetries?: number
  requestTimeoutMs?: number
  /** Milliseconds all the lookups of a run may take together. */
  deadlineMs?: number
  warn?: (line: string) => void
  /** Secrets besides the key to scrub from every message (the GitHub token). */
  secrets?: readonly string[]
  /** The fetch to send requests with (through a proxy); the runtime's by default. */
  fetch?: typeof globalThis.fetch
  /** The clock, in milliseconds (tests fix it). */
  now?: () => number
  /** Told once, before the first request, how many keys are to be looked up; not at all when none is. */
  starting?: (keys: number) => void
  /** The caller's words for the inputs its notes name (enrich-keys); the action's by default. */
  voice?: Voice
}

export const DEFAULT_LOOKUP_LIMITS = { maxRetries: 5, requestTimeoutMs: 60_000, deadlineMs: 5 * 60_000 }

/**
 * Where a key is looked up: in a project, among the admin keys, or nowhere, and why. `own`:
 * the project is known to be the key's own, so that OpenAI's 404 there means the key is not
 * found. OpenAI's API reference (AuditLog.project): "Note that any admin actions taken via
 * Admin API keys are associated with the default project". An event made with an API key
 * names the default project, which need not be the key's; an event made by a person in the
 * dashboard (a session) names the project the key was made in.
 */
export type LookupTarget =
  { kind: 'project'; projectId: string; own: boolean } | { kind: 'admin' } | { kind: 'none'; reason: string }

/** An admin API key's events are `tenant.admin_api_key.*`; a project key is found in its project. */
export function lookupTarget(findings: Iterable<Finding>): LookupTarget {
  let own: string | undefined
  let named: string | undefined
  for (const finding of findings) {
    if (finding.eventType.startsWith('tenant.admin_api_key.')) return { kind: 'admin' }
    named ??= finding.projectId
    if (finding.actor.type === 'session') own ??= finding.projectId
  }
  if (own) return { kind: 'project', projectId: own, own: true }
  if (named) return { kind: 'project', projectId: named, own: false }
  return {
    kind: 'none',
    reason: 'the events name no project, and a project key can only be looked up in its own project'
  }
}

/** What is said of a 404 in a project named only by events made with an API key. */
export const NOT_OWN_PROJECT =
  "the Admin API answered 404 for it in the project its events name, but they were made with an API key, and OpenAI records such actions under the organization's default project, which need not be the key's own: the 404 says nothing about the key"

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined
const time = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

function ownerOf(raw: unknown): KeyOwner {
  const owner = isObject(raw) ? raw : {}
  const user = isObject(owner.user) ? owner.user : undefined
  const account = isObject(owner.service_account) ? owner.service_account : undefined
  if (owner.type === 'service_account' || (!owner.type && account)) {
    return {
      type: 'service_account',
      id: str(account?.id ?? owner.id),
      name: str(account?.name ?? owner.name),
      role: str(account?.role ?? owner.role)
    }
  }
  if (owner.type === 'user' || user) {
    // A project key's owner carries the user; an admin key's owner is the user itself.
    const who = user ?? owner
    return { type: 'user', id: str(who.id), name: str(who.name), email: str(who.email), role: str(who.role) }
  }
  return { type: 'unknown', id: str(owner.id), name: str(owner.name), role: str(owner.role) }
}

/** The key as the API describes it (ProjectAPIKey or AdminAPIKey). */
function keyInfoOf(raw: unknown, lookedUpAt: number): KeyInfo {
  const key = isObject(raw) ? raw : {}
  return {
    status: 'found',
    lookedUpAt,
    name: str(key.name),
    redactedValue: str(key.redacted_value),
    owner: ownerOf(key.owner),
    createdAt: time(key.created_at),
    lastUsedAt: key.last_used_at === null ? null : time(key.last_used_at),
    ...(key.expires_at === null || time(key.expires_at) !== undefined
      ? { expiresAt: time(key.expires_at) ?? null }
      : {})
  }
}

/** The keys' infos by key id, and what the lookups did. */
export interface LookedUp {
  infos: Map<string, KeyInfo>
  lookups: KeyLookups
}

/**
 * Looks up each key, one request each, in the order given. Keys over `maxLookups`, keys of a
 * kind the API refused, and keys after repeated failures or past the deadline are not looked up.
 */
export async function lookUpKeys(keys: readonly KeyFindings[], options: KeyLookupOptions): Promise<LookedUp> {
  const limits = { ...DEFAULT_LOOKUP_LIMITS, ...dropUndefined(options) }
  const maxLookups = options.maxLookups ?? MAX_LOOKUPS
  const now = options.now ?? Date.now
  const { client, secrets } = adminReader({ ...options, ...limits })
  const deadline = AbortSignal.timeout(limits.deadlineMs)
  const infos = new Map<string, KeyInfo>()
  const refused = new Set<'project' | 'admin'>()
  let requests = 0
  let failures = 0
  let refusal: string | undefined
  // Each key's target once: it reads the key's findings back from where the scan keeps them.
  const targets = keys.map((key) => lookupTarget(key.findings))
  for (const [at, key] of keys.entries()) {
    const notLookedUp = (reason: string): void => void infos.set(key.keyId, { status: 'not-looked-up', reason })
    const target = targets[at]!
    if (target.kind === 'none') {
      notLookedUp(target.reason)
      continue
    }
    if (requests >= maxLookups) {
      notLookedUp(`at most ${maxLookups} keys are looked up a run, those of highest severity first`)
      continue
    }
    if (refused.has(target.kind)) {
      notLookedUp(LOOKUP_REFUSED)
      continue
    }
    if (failures >= MAX_FAILURES) {
      notLookedUp(`the lookups stopped after ${MAX_FAILURES} of them failed`)
      continue
    }
    if (deadline.aborted) {
      notLookedUp(`the lookups took longer than their limit of ${duration(limits.deadlineMs)}`)
      continue
    }
    if (requests === 0) options.starting?.(toLookUp(targets, maxLookups))
    requests++
    try {
      const raw =
        target.kind === 'admin'
          ? await client.admin.organization.adminAPIKeys.retrieve(key.keyId, { signal: deadline })
          : await client.admin.organization.projects.apiKeys.retrieve(
              key.keyId,
              { project_id: target.projectId },
              { signal: deadline }
            )
      infos.set(key.keyId, keyInfoOf(raw, Math.floor(now() / 1000)))
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError && !/^Invalid URL\b/.test(serverMessage(error, secrets))) {
        // A 404 for the route itself ("Invalid URL") is a failure, below. Any other is the key
        // not found only when OpenAI itself says so, in the key's own project; a 404 closes
        // nothing either way (only a deletion in the audit log does).
        if (!openAINotFound(error)) {
          notLookedUp(
            `the Admin API's 404 for it is not OpenAI's answer for a key it does not hold ` +
              `(${serverMessage(error, secrets)}): something in front of the API may have answered`
          )
        } else if (target.kind === 'project' && !target.own) notLookedUp(NOT_OWN_PROJECT)
        else {
          infos.set(key.keyId, {
            status: 'not-found',
            lookedUpAt: Math.floor(now() / 1000),
            ...(target.kind === 'project' ? { projectId: target.projectId } : {})
          })
        }
      } else if (error instanceof OpenAI.PermissionDeniedError || error instanceof OpenAI.AuthenticationError) {
        // Every other lookup of this kind would be refused too: one refused request, not fifty.
        refused.add(target.kind)
        refusal ??= openAIAnswer(error, secrets)
        notLookedUp(LOOKUP_REFUSED)
      } else {
        // Only the API's failures count towards stopping; an id the client refuses to put
        // in a path (the SDK rejects "..") is this key's problem alone.
        if (error instanceof OpenAI.APIError) failures++
        notLookedUp(failureReason(error, limits, deadline, secrets))
      }
    }
  }
  const lookups: KeyLookups = {
    requests,
    lookedUp: [...infos.values()].filter((info) => info.status !== 'not-looked-up').length,
    notLookedUp: [...infos.values()].filter((info) => info.status === 'not-looked-up').length,
    notes: notesOf(infos, refusal, options.voice ?? ACTION_VOICE)
  }
  return { infos, lookups }
}

function dropUndefined(options: KeyLookupOptions): Partial<typeof DEFAULT_LOOKUP_LIMITS> {
  const { maxRetries, requestTimeoutMs, deadlineMs } = options
  return Object.fromEntries(
    Object.entries({ maxRetries, requestTimeoutMs, deadlineMs }).filter(([, value]) => value !== undefined)
  )
}

function failureReason(
  error: unknown,
  limits: typeof DEFAULT_LOOKUP_LIMITS,
  deadline: AbortSignal,
  secrets: readonly string[]
): string {
  if (deadline.aborted) return `the lookups took longer than their limit of ${duration(limits.deadlineMs)}`
  return openAIFailureWords(error, limits, secrets)
}

/** How many of the keys' `targets` are somewhere to look them up, at most `maxLookups`: what the lookups set out to do. */
function toLookUp(targets: readonly LookupTarget[], maxLookups: number): number {
  return Math.min(maxLookups, targets.filter((target) => target.kind !== 'none').length)
}

/** One note per reason, with how many keys it left without a lookup; the refusal first. */

function notesOf(infos: ReadonlyMap<string, KeyInfo>, refusal: string | undefined, voice: Voice): string[] {
  const counts = new Map<string, number>()
  for (const info of infos.values()) {
    if (info.status === 'not-looked-up') counts.set(info.reason, (counts.get(info.reason) ?? 0) + 1)
  }
  return [...counts.entries()]
    .sort(([a], [b]) => Number(b === LOOKUP_REFUSED) - Number(a === LOOKUP_REFUSED))
    .map(([reason, count]) =>
      reason === LOOKUP_REFUSED
        ? `${plural(count, 'key')} not looked up: ${reason}. Give the admin key that permission to see ` +
          `owners and last use, or set ${voice.set('enrich-keys', 'false')} (the API answered ${refusal})`
        : `${plural(count, 'key')} not looked up: ${reason}.`
    )
}
