// The live source: the organization's audit logs through the official `openai` SDK.
// The SDK sends the bracket query parameters, pages with the `after` cursor and retries
// 408/409/429/5xx with backoff, honouring retry-after(-ms). This module bounds all of it
// (retries, each request, the whole read, a cursor that goes round in circles) and fails
// closed: a page that cannot be read leaves the run incomplete, naming the part of the
// window that is missing. The client takes nothing from the environment: the key, the base
// URL, the organization and the project are the inputs' (OPENAI_ORG_ID, OPENAI_PROJECT_ID,
// OPENAI_BASE_URL and OPENAI_CUSTOM_HEADERS are often set for other steps of a job).
import OpenAI from 'openai'
import type { AuditLogListParams } from 'openai/resources/admin/organization/audit-logs'
import {
  ACTION_VOICE,
  isObject,
  KEY_EVENT_TYPES,
  named,
  type Voice,
  type AuditLogSource,
  type ReadSoFar,
  type SourcedEvent,
  type SourceStatus
} from '../model/index.js'
import { describeBody, duration, openAIAnswer, openAIFailure } from '../http/api-error.js'
import { isoTime, redact } from '../text.js'
import { keyAdvice } from '../openai/admin-key.js'
import { createAdminClient } from '../openai/client.js'
import { readEvent } from './normalize.js'
import { newStatus } from './source.js'

export interface ApiLimits {
  /** Retries of one page after a 408/409/429/5xx or a connection error or timeout. */
  maxRetries: number
  /** Milliseconds one request may take, body included. */
  requestTimeoutMs: number
  /** Milliseconds the whole read may take, retries and waits included. */
  deadlineMs: number
}

/** The action's limits: a page gets 5 retries (about 15 s of backoff, longer when the API says
 *  retry-after), a request 60 s, and the whole read 15 minutes. */
export const DEFAULT_API_LIMITS: ApiLimits = { maxRetries: 5, requestTimeoutMs: 60_000, deadlineMs: 15 * 60_000 }

export interface ApiSourceOptions extends Partial<ApiLimits> {
  adminKey: string
  baseURL: string
  /** [since, until) in Unix seconds. */
  since: number
  until: number
  projectIds: readonly string[]
  /** Where the SDK's own warnings go (scrubbed of the key); nowhere by default. */
  warn?: (line: string) => void
  /** Secrets besides the key to scrub from every message (the GitHub token). */
  secrets?: readonly string[]
  /** The fetch to send requests with (through a proxy); the runtime's by default. */
  fetch?: typeof globalThis.fetch
  /** The caller's words for the inputs its messages name (the key, openai-base-url); the action's by default. */
  voice?: Voice
}

/** A key, a base URL or an answer the run cannot go on with: one clear message. */
export class AdminApiError extends Error {
  override name = 'AdminApiError'
}

/** Type of a page as the SDK builds it, with the parts of the answer it keeps to itself. */
interface PageView {
  data?: unknown
  response?: Response
  body?: unknown
}

/** The cursor the SDK would read the next page with, if it reads one. */
function nextCursor(page: { hasNextPage(): boolean; nextPageRequestOptions(): unknown }): string | undefined {
  if (!page.hasNextPage()) return undefined
  const after = (page.nextPageRequestOptions() as { query?: { after?: unknown } } | null)?.query?.after
  return typeof after === 'string' ? after : undefined
}

/**
 * The key event types read with `tenant_only=true`. The spec (openapi.yaml, and the SDK's
 * `AuditLogListParams.tenant_only`) says of it: "Return only tenant-scoped events associated
 * with this organization. Required for tenant-scoped events such as `role.bound_to_resource`
 * and `role.unbound_from_resource`. When `true`, all supplied event types must be
 * tenant-scoped." Admin API keys exist only as `tenant.admin_api_key.*`, and
 * `tenant.project_api_key.created` is tenant-scoped too: read without it, they may never come.
 */
export const TENANT_KEY_EVENT_TYPES = KEY_EVENT_TYPES.filter((type) => type.startsWith('tenant.'))
/** The other key event types: one request of their own, without tenant_only. */
export const ORGANIZATION_KEY_EVENT_TYPES = KEY_EVENT_TYPES.filter((type) => !type.startsWith('tenant.'))

/** One request of the read, paged to its end: its event types, and how its pages are named. */
interface Part {
  types: readonly string[]
  tenantOnly: boolean
  /** project_ids[]: only for the project key events; tenant-scoped ones are the organization's. */
  projectIds: readonly string[]
  /** What the part reads, for messages: "events", "tenant-scoped key events (...)". */
  what: string
  /** "page 3", "tenant-scoped page 3". */
  pageName(page: number): string
}

/** What one part's read came to: its pages, and what it could not read, if anything. */
interface PartRead {
  pages: number
  /** The part of the window not read, in words. */
  missing?: string
  /** The event types the API refused to give at all, in words. */
  notRead?: string
}

export class AdminApiSource implements AuditLogSource {
  readonly label: string
  private readonly client: OpenAI
  private readonly limits: ApiLimits
  /** "openai-base-url" or "--base-url", as the caller names it. */
  private readonly baseUrlInput: string
  private readonly voice: Voice

  constructor(private readonly options: ApiSourceOptions) {
    this.label = `OpenAI Admin API (${options.baseURL})`
    this.voice = options.voice ?? ACTION_VOICE
    this.baseUrlInput = named(this.voice, 'openai-base-url')
    this.limits = {
      maxRetries: options.maxRetries ?? DEFAULT_API_LIMITS.maxRetries,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_API_LIMITS.requestTimeoutMs,
      deadlineMs: options.deadlineMs ?? DEFAULT_API_LIMITS.deadlineMs
    }
    this.client = createAdminClient({
      adminKey: options.adminKey,
      baseURL: options.baseURL,
      maxRetries: this.limits.maxRetries,
      requestTimeoutMs: this.limits.requestTimeoutMs,
      warn: options.warn,
      secrets: options.secrets,
      fetch: options.fetch
    })
  }

  /**
   * The key events of the window in two requests, as the spec asks: the project key events,
   * then the tenant-scoped ones with tenant_only=true. An event the API gives to both is
   * handed on twice; the scan counts a key event once by its id.
   */
  async *events(
    progress?: (read: ReadSoFar) => void
  ): AsyncGenerator<readonly SourcedEvent[], SourceStatus, undefined> {
    const deadline = AbortSignal.timeout(this.limits.deadlineMs)
    const tell = (pages: number): void => progress?.({ pages, bytes: 0, prefiltered: 0 })
    const organization = yield* this.read(
      {
        types: ORGANIZATION_KEY_EVENT_TYPES,
        tenantOnly: false,
        projectIds: this.options.projectIds,
        what: 'events',
        pageName: (page) => `page ${page}`
      },
      { deadline, pagesBefore: 0, tell }
    )
    // Admin keys are the organization's, whatever project-ids says: they are always read.
    const tenant = yield* this.read(
      {
        types: TENANT_KEY_EVENT_TYPES,
        tenantOnly: true,
        projectIds: [],
        what: `tenant-scoped key events (${TENANT_KEY_EVENT_TYPES.join(', ')})`,
        pageName: (page) => `tenant-scoped page ${page}`
      },
      { deadline, pagesBefore: organization.pages, tell }
    )
    const parts = [organization, tenant]
    const missing = parts.flatMap((part) => (part.missing === undefined ? [] : [part.missing]))
    return {
      ...newStatus(),
      complete: missing.length === 0,
      missing,
      notRead: parts.flatMap((part) => (part.notRead === undefined ? [] : [part.notRead])),
      pages: organization.pages + tenant.pages
    }
  }

  /** One part of the read, paged to its end or to its failure; what it came to. */
  private async *read(
    part: Part,
    run: { deadline: AbortSignal; pagesBefore: number; tell: (pages: number) => void }
  ): AsyncGenerator<readonly SourcedEvent[], PartRead, undefined> {
    const { since, until } = this.options
    let oldest: number | undefined
    // The cursors read with, and the pages read (first id, last id, count): a server or a
    // cache that ignores `after` would otherwise be followed until the deadline.
    const cursors = new Set<string>()
    const pages = new Map<string, number>()
    let cursor: string | undefined
    let read = 0
    // The page being read or asked for, from 1: the one a failure names.
    let page = 1
    try {
      const first = this.client.admin.organization.auditLogs.list(
        {
          effective_at: { gte: since, lt: until },
          event_types: [...part.types] as NonNullable<AuditLogListParams['event_types']>,
          ...(part.projectIds.length > 0 ? { project_ids: [...part.projectIds] } : {}),
          ...(part.tenantOnly ? { tenant_only: true } : {}),
          limit: 100
        },
        { signal: run.deadline }
      )
      for await (const answer of (await first).iterPages()) {
        const at = part.pageName(page)
        this.checkPage(answer as unknown as PageView, at)
        const items = answer.getPaginatedItems() as unknown[]
        const signature = JSON.stringify([
          (items[0] as { id?: unknown } | null)?.id,
          (items.at(-1) as { id?: unknown } | null)?.id,
          items.length
        ])
        const seen = pages.get(signature)
        if (seen !== undefined && items.length > 0) {
          throw new AdminApiError(
            `${at} repeats ${part.pageName(seen)} (the same events), read with the cursor after=${cursor}: ` +
              `the API, or a proxy or cache in front of it, ignores the cursor. Check ${this.baseUrlInput} and what stands between the runner and the API`
          )
        }
        pages.set(signature, page)
        oldest = oldestOf(items, at, oldest, this.voice)
        read++
        run.tell(run.pagesBefore + read)
        if (items.length > 0) yield items.map((raw) => ({ reading: readEvent(raw), where: at }))
        cursor = this.nextOf(answer, at, cursor, cursors)
        page++
      }
      return { pages: read }
    } catch (error) {
      if (part.tenantOnly && read === 0) {
        const notRead = this.refusedTenantOnly(error)
        if (notRead !== undefined) return { pages: read, notRead }
      }
      const missing = this.failed(error, {
        part,
        page,
        deadline: run.deadline,
        oldest,
        readBefore: run.pagesBefore + read
      })
      return { pages: read, missing }
    }
  }

  /** The cursor of the page after `answer`, checked: one the read would go round in circles with is an error. */
  private nextOf(
    answer: { hasNextPage(): boolean; nextPageRequestOptions(): unknown },
    at: string,
    cursor: string | undefined,
    cursors: Set<string>
  ): string | undefined {
    // The SDK stops quietly when a page says has_more but gives no cursor to go on with.
    const body = (answer as unknown as PageView).body as { has_more?: unknown } | undefined
    const next = nextCursor(answer)
    if (body?.has_more === true && next === undefined) {
      throw new AdminApiError(`${at} says there are more events but gives no cursor to read them`)
    }
    if (next !== undefined && (next === cursor || cursors.has(next))) {
      throw new AdminApiError(
        `${at} gives the cursor after=${next}, ${next === cursor ? 'the one it was read with' : 'which was read with already'}: ` +
          'the read would go round in circles. The API, or a proxy or cache in front of it, ignores the cursor: ' +
          `check ${this.baseUrlInput} and what stands between the runner and the API`
      )
    }
    if (next !== undefined) cursors.add(next)
    return next
  }

  /**
   * The API refused the request with tenant_only=true (400 or 403) before any page of it was
   * read: the tenant-scoped key events were not asked for at all. Said once, as a warning
   * with what to check; the events of the first request stand as read. Undefined for any
   * other error.
   */
  private refusedTenantOnly(error: unknown): string | undefined {
    if (!(error instanceof OpenAI.BadRequestError || error instanceof OpenAI.PermissionDeniedError)) return undefined
    const answer = openAIAnswer(error, this.secrets)
    const check =
      error.status === 403
        ? "Check that the admin key may read the organization's tenant-scoped audit-log events (an admin key with Audit Logs: Read, made by an organization owner)"
        : `Check that ${this.baseUrlInput} is the API (https://api.openai.com/v1), and no proxy that drops or refuses the parameter stands in front of it`
    return (
      `Tenant-scoped key events were not read: ${TENANT_KEY_EVENT_TYPES.join(', ')} ` +
      '(admin API keys, and project keys made through the organization). ' +
      `The API refused the request with tenant_only=true, which OpenAI's spec requires for them (${answer}). ` +
      `${check}; until then, scan an audit-log export for them (${named(this.voice, 'audit-log-file')}).`
    )
  }

  /**
   * The SDK reads a body that is not JSON, or JSON without `data`, as an empty last page:
   * "no events" where nothing was read. Such an answer is an error here.
   */
  private checkPage(page: PageView, at: string): void {
    const type = page.response?.headers.get('content-type') ?? ''
    const body = page.body
    if (typeof body === 'string' || !/json/i.test(type)) {
      // Redacted before describeBody cuts it.
      const text = this.scrub(typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body)))
      throw new AdminApiError(
        `${at} came back as ${type.split(';')[0] || 'an unknown type'}, not JSON ` +
          `(${describeBody(text)}): check that ${this.baseUrlInput} is the API (https://api.openai.com/v1), ` +
          'not a web page, and that no proxy answers in its place.'
      )
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data)) {
      throw new AdminApiError(
        `${at} is JSON but not an audit-log list (no "data" array): ` +
          `check that ${this.baseUrlInput} is the API (https://api.openai.com/v1).`
      )
    }
  }

  /**
   * A page could not be read: a wrong key is refused outright (an AdminApiError); otherwise
   * the part of the window that is missing, in words.
   */
  private failed(
    error: unknown,
    at: { part: Part; page: number; deadline: AbortSignal; oldest: number | undefined; readBefore: number }
  ): string {
    const { since, until } = this.options
    // A wrong key is refused outright; a key revoked in the middle of a read leaves what was
    // read so far to report, and the rest of the window missing.
    const refused = error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError
    if (refused && at.readBefore === 0) {
      const what = error.status === 401 ? 'did not accept the key' : 'refused the key access to audit logs'
      throw new AdminApiError(
        `The OpenAI Admin API ${what} (${openAIAnswer(error, this.secrets)}). ${keyAdvice(this.voice.adminKey.passIn)}`
      )
    }
    const page = at.part.pageName(at.page)
    const failure = openAIFailure(error, this.limits, this.secrets)
    let reason: string
    if (at.deadline.aborted) {
      reason = `the read took longer than its limit of ${duration(this.limits.deadlineMs)}`
    } else if (refused) {
      reason = `the API refused the key (${openAIAnswer(error, this.secrets)}). ${keyAdvice(this.voice.adminKey.passIn)}`
    } else if (failure !== undefined) {
      const notFound = (error as { status?: unknown }).status === 404
      reason = notFound ? `${failure}: check that ${this.baseUrlInput} is the API (https://api.openai.com/v1)` : failure
    } else if (error instanceof AdminApiError) {
      reason = this.scrub(error.message)
    } else if (error instanceof SyntaxError) {
      reason = `${page} was not valid JSON (${this.scrub(error.message).slice(0, 200)}): check that ${this.baseUrlInput} is the API (https://api.openai.com/v1)`
    } else {
      reason = this.scrub(error instanceof Error ? error.message : String(error))
    }
    // Events come newest first: what is missing runs from the window's start up to the
    // oldest event read (that second included: it may hold more events than were read).
    const missingUntil =
      at.oldest === undefined ? `${isoTime(until)} (the whole window)` : `${isoTime(at.oldest)} inclusive`
    return `${at.part.what} from ${isoTime(since)} to ${missingUntil} were not read: ${page} failed, ${reason}`
  }

  private get secrets(): string[] {
    return [this.options.adminKey, ...(this.options.secrets ?? [])]
  }

  private scrub(text: string): string {
    return redact(text, this.secrets)
  }
}

/**
 * The oldest effective_at among a page's items and `oldest`. The SDK hands on whatever the
 * page holds: an item that is not an object cannot be an event, and fails the page.
 */
function oldestOf(items: readonly unknown[], at: string, oldest: number | undefined, voice: Voice): number | undefined {
  for (let index = 0; index < items.length; index++) {
    const raw = items[index]
    if (!isObject(raw)) {
      throw new AdminApiError(
        `${at} item ${index + 1} is ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}, not an audit-log event: ` +
          `the answer is malformed. Run the same window again (${named(voice, 'since')}, ${named(voice, 'until')}); ` +
          `if it happens again, check ${named(voice, 'openai-base-url')} and any proxy in front of the API`
      )
    }
    const effectiveAt = raw.effective_at
    if (typeof effectiveAt === 'number' && (oldest === undefined || effectiveAt < oldest)) oldest = effectiveAt
  }
  return oldest
}
