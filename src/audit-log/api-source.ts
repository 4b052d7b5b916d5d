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
import { isObject, KEY_EVENT_TYPES } from '../model/index.js'
import { describeBody, duration, openAIAnswer, openAIFailure } from '../http/api-error.js'
import { isoTime, redact } from '../text.js'
import { createAdminClient } from './openai-client.js'
import { newStatus, type AuditLogSource, type SourcedEvent } from './source.js'

/** What to do about a key the API refuses; said for a wrong key shape too. */
export const KEY_ADVICE =
  'Use an OpenAI Admin API key (sk-admin-...) with read permission on audit logs ' +
  '(OpenAI dashboard: Organization settings > Admin keys), pass it in openai-admin-key from a secret, ' +
  "and make sure audit logging is switched on in the organization's settings (Data controls)."

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
}

/** A key, a base URL or an answer the run cannot go on with: one clear message. */
export class AdminApiError extends Error {
  override name = 'AdminApiError'
}

/** Refuses, before any request, a key that cannot be an Admin API key. */
export function checkAdminKey(key: string): void {
  const kind = /^sk-proj-/.test(key)
    ? 'a project API key (sk-proj-...)'
    : /^sk-svcacct-/.test(key)
      ? 'a service account API key (sk-svcacct-...)'
      : /^sk-(?!admin-)/.test(key)
        ? 'a user API key (sk-...)'
        : undefined
  if (kind) {
    throw new AdminApiError(`Input openai-admin-key is ${kind}, which cannot read audit logs. ${KEY_ADVICE}`)
  }
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

export class AdminApiSource implements AuditLogSource {
  readonly label: string
  readonly status = newStatus()
  private readonly client: OpenAI
  private readonly limits: ApiLimits
  /** The page being read or asked for, from 1 in each part: the one a failure names. */
  private page = 0

  constructor(private readonly options: ApiSourceOptions) {
    checkAdminKey(options.adminKey)
    this.label = `OpenAI Admin API (${options.baseURL})`
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
  async *events(): AsyncIterable<SourcedEvent> {
    const deadline = AbortSignal.timeout(this.limits.deadlineMs)
    yield* this.read(
      {
        types: ORGANIZATION_KEY_EVENT_TYPES,
        tenantOnly: false,
        projectIds: this.options.projectIds,
        what: 'events',
        pageName: (page) => `page ${page}`
      },
      deadline
    )
    // Admin keys are the organization's, whatever project-ids says: they are always read.
    yield* this.read(
      {
        types: TENANT_KEY_EVENT_TYPES,
        tenantOnly: true,
        projectIds: [],
        what: `tenant-scoped key events (${TENANT_KEY_EVENT_TYPES.join(', ')})`,
        pageName: (page) => `tenant-scoped page ${page}`
      },
      deadline
    )
  }

  private async *read(part: Part, deadline: AbortSignal): AsyncGenerator<SourcedEvent> {
    const { since, until } = this.options
    let oldest: number | undefined
    // The cursors read with, and the pages read (first id, last id, count): a server or a
    // cache that ignores `after` would otherwise be followed until the deadline.
    const cursors = new Set<string>()
    const pages = new Map<string, number>()
    let cursor: string | undefined
    let read = 0
    try {
      this.page = 1
      const first = this.client.admin.organization.auditLogs.list(
        {
          effective_at: { gte: since, lt: until },
          event_types: [...part.types] as NonNullable<AuditLogListParams['event_types']>,
          ...(part.projectIds.length > 0 ? { project_ids: [...part.projectIds] } : {}),
          ...(part.tenantOnly ? { tenant_only: true } : {}),
          limit: 100
        },
        { signal: deadline }
      )
      for await (const page of (await first).iterPages()) {
        const at = part.pageName(this.page)
        this.checkPage(page as unknown as PageView, at)
        const items = page.getPaginatedItems() as unknown[]
        const signature = JSON.stringify([
          (items[0] as { id?: unknown } | null)?.id,
          (items.at(-1) as { id?: unknown } | null)?.id,
          items.length
        ])
        const seen = pages.get(signature)
        if (seen !== undefined && items.length > 0) {
          throw new AdminApiError(
            `${at} repeats ${part.pageName(seen)} (the same events), read with the cursor after=${cursor}: ` +
              'the API, or a proxy or cache in front of it, ignores the cursor. Check openai-base-url and what stands between the runner and the API'
          )
        }
        pages.set(signature, this.page)
        for (let index = 0; index < items.length; index++) {
          const raw = items[index]
          // The SDK hands on whatever the page holds; an event must be an object to be read.
          if (!isObject(raw)) {
            throw new AdminApiError(
              `${at} item ${index + 1} is ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}, not an audit-log event: ` +
                'the answer is malformed. Run the same window again (since, until); if it happens again, check openai-base-url and any proxy in front of the API'
            )
          }
          const effectiveAt = raw.effective_at
          if (typeof effectiveAt === 'number' && (oldest === undefined || effectiveAt < oldest)) oldest = effectiveAt
        }
        this.status.pages++
        read++
        for (const raw of items) yield { raw, where: at }
        // The SDK stops quietly when a page says has_more but gives no cursor to go on with.
        const body = (page as unknown as PageView).body as { has_more?: unknown } | undefined
        const next = nextCursor(page)
        if (body?.has_more === true && next === undefined) {
          throw new AdminApiError(`${at} says there are more events but gives no cursor to read them`)
        }
        if (next !== undefined && (next === cursor || cursors.has(next))) {
          throw new AdminApiError(
            `${at} gives the cursor after=${next}, ${next === cursor ? 'the one it was read with' : 'which was read with already'}: ` +
              'the read would go round in circles. The API, or a proxy or cache in front of it, ignores the cursor: ' +
              'check openai-base-url and what stands between the runner and the API'
          )
        }
        if (next !== undefined) cursors.add(next)
        cursor = next
        this.page++
      }
    } catch (error) {
      if (part.tenantOnly && read === 0 && this.refusedTenantOnly(error)) return
      this.failed(error, part, deadline, oldest)
    }
  }

  /**
   * The API refused the request with tenant_only=true (400 or 403) before any page of it was
   * read: the tenant-scoped key events were not asked for at all. Said once, as a warning
   * with what to check; the events of the first request stand as read.
   */
  private refusedTenantOnly(error: unknown): boolean {
    if (!(error instanceof OpenAI.BadRequestError || error instanceof OpenAI.PermissionDeniedError)) return false
    const answer = openAIAnswer(error, this.secrets)
    const check =
      error.status === 403
        ? "Check that the admin key may read the organization's tenant-scoped audit-log events (an admin key with Audit Logs: Read, made by an organization owner)"
        : 'Check that openai-base-url is the API (https://api.openai.com/v1), and no proxy that drops or refuses the parameter stands in front of it'
    this.status.notRead.push(
      `Tenant-scoped key events were not read: ${TENANT_KEY_EVENT_TYPES.join(', ')} ` +
        '(admin API keys, and project keys made through the organization). ' +
        `The API refused the request with tenant_only=true, which OpenAI's spec requires for them (${answer}). ` +
        `${check}; until then, scan an audit-log export for them (audit-log-file).`
    )
    return true
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
          `(${describeBody(text)}): check that openai-base-url is the API (https://api.openai.com/v1), ` +
          'not a web page, and that no proxy answers in its place.'
      )
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data)) {
      throw new AdminApiError(
        `${at} is JSON but not an audit-log list (no "data" array): ` +
          'check that openai-base-url is the API (https://api.openai.com/v1).'
      )
    }
  }

  /** A page could not be read: refuse a wrong key outright; otherwise record what is missing. */
  private failed(error: unknown, part: Part, deadline: AbortSignal, oldest: number | undefined): void {
    const { since, until } = this.options
    // A wrong key is refused outright; a key revoked in the middle of a read leaves what was
    // read so far to report, and the rest of the window missing.
    const refused = error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError
    if (refused && this.status.pages === 0) {
      const what = error.status === 401 ? 'did not accept the key' : 'refused the key access to audit logs'
      throw new AdminApiError(`The OpenAI Admin API ${what} (${openAIAnswer(error, this.secrets)}). ${KEY_ADVICE}`)
    }
    const page = part.pageName(this.page)
    const failure = openAIFailure(error, this.limits, this.secrets)
    let reason: string
    if (deadline.aborted) {
      reason = `the read took longer than its limit of ${duration(this.limits.deadlineMs)}`
    } else if (refused) {
      reason = `the API refused the key (${openAIAnswer(error, this.secrets)}). ${KEY_ADVICE}`
    } else if (failure !== undefined) {
      const notFound = (error as { status?: unknown }).status === 404
      reason = notFound ? `${failure}: check that openai-base-url is the API (https://api.openai.com/v1)` : failure
    } else if (error instanceof AdminApiError) {
      reason = this.scrub(error.message)
    } else if (error instanceof SyntaxError) {
      reason = `${page} was not valid JSON (${this.scrub(error.message).slice(0, 200)}): check that openai-base-url is the API (https://api.openai.com/v1)`
    } else {
      reason = this.scrub(error instanceof Error ? error.message : String(error))
    }
    // Events come newest first: what is missing runs from the window's start up to the
    // oldest event read (that second included: it may hold more events than were read).
    const missingUntil = oldest === undefined ? `${isoTime(until)} (the whole window)` : `${isoTime(oldest)} inclusive`
    this.status.complete = false
    this.status.missing.push(
      `${part.what} from ${isoTime(since)} to ${missingUntil} were not read: ${page} failed, ${reason}`
    )
  }

  private get secrets(): string[] {
    return [this.options.adminKey, ...(this.options.secrets ?? [])]
  }

  private scrub(text: string): string {
    return redact(text, this.secrets)
  }
}
