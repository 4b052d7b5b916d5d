// A stand-in for OpenAI's audit-log endpoint on 127.0.0.1, close enough to the real one
// that the real SDK cannot tell: GET /v1/organization/audit_logs with bracket query
// parameters and every filter, newest first, the `after`/`before` cursors, `has_more`,
// `first_id`/`last_id`, Bearer auth and OpenAI's error bodies; and the two key endpoints,
// GET /v1/organization/projects/{project_id}/api_keys/{key_id} and
// GET /v1/organization/admin_api_keys/{key_id}, 404 for a key they do not hold, and their
// DELETEs (see FakeOptions.deleteMode). Tenant-scoped
// events are served as a lenient API would, as the spec reads (strict), or not at all
// (refuse): see FakeOptions.tenant. Faults are
// scripted per request, in order: each request takes the next one, then `always` (if set)
// applies; `alwaysOn` sets a standing fault for the requests of some paths only, and
// `alwaysOnTenant` one for the tenant-scoped requests (tenant_only=true), `alwaysWith` one
// for the requests with a query parameter (actor_ids[]: an identity's history). The usage
// endpoints, GET /v1/organization/usage/completions and /v1/organization/costs, serve daily
// buckets of `usage` filtered by api_key_ids[] and grouped by group_by[] (the bracket forms
// the SDK sends), paged by `next_page`; costs refuse group_by model, as the SDK's types allow.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export interface AuditLogEvent {
  id: string
  type: string
  effective_at: number
  project?: { id: string; name?: string }
  actor?: {
    type: string
    session?: { user?: { id?: string; email?: string } }
    api_key?: { id?: string; type?: string; user?: { id?: string; email?: string }; service_account?: { id?: string } }
  } | null
  [payload: string]: unknown
}

export type Fault =
  /** No fault: the request is answered as usual (to fault a later one in the queue). */
  | { pass: true }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { html: string; status?: number }
  | { hang: true }
  | { json: unknown }
  /** A body of `raw` text as it is, under a content type (application/json by default). */
  | { raw: string; status?: number; contentType?: string }
  /** A valid list page of at least `bytes` bytes of events, written as the client reads it; `declare`: with a Content-Length. */
  | { huge: number; declare?: boolean }
  /** The headers, then one byte of the body every `everyMs`, never finishing. */
  | { drip: { everyMs: number } }

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  authorization?: string
  headers: IncomingMessage['headers']
}

export interface FakeOpenAI {
  /** The base URL the SDK takes: http://127.0.0.1:PORT/v1 */
  baseURL: string
  requests: RecordedRequest[]
  /** Faults for the next requests, one each, in order. */
  fault(...faults: Fault[]): void
  /** A fault for every request once the queued ones are used up. */
  always(fault: Fault | undefined): void
  /** A fault for every request whose path matches, before the queued ones. */
  alwaysOn(path: RegExp, fault: Fault | undefined): void
  /** A fault for every audit-log request with tenant_only=true, before the queued ones. */
  alwaysOnTenant(fault: Fault | undefined): void
  /** A fault for every request whose query has this parameter (actor_ids[]: the history reads), before the queued ones. */
  alwaysWith(parameter: string, fault: Fault | undefined): void
  close(): Promise<void>
}

/** A project API key as GET /organization/projects/{project_id}/api_keys/{key_id} returns it. */
export interface ProjectKey {
  object: 'organization.project.api_key'
  id: string
  name: string
  redacted_value: string
  created_at: number
  last_used_at: number | null
  owner_project_access?: 'active' | 'inactive'
  owner: {
    type: 'user' | 'service_account'
    user?: { id: string; email: string; name: string; role: string; created_at: number }
    service_account?: { id: string; name: string; role: string; created_at: number }
  }
}

/** An admin API key as GET /organization/admin_api_keys/{key_id} returns it. */
export interface AdminKey {
  object: 'organization.admin_api_key'
  id: string
  name: string
  redacted_value: string
  created_at: number
  last_used_at: number | null
  expires_at: number | null
  owner: { type: string; id: string; name: string; role: string; created_at?: number }
}

/** A key owned by a user, in `projectId`. */
export function userKey(
  id: string,
  options: { project?: string; email?: string; lastUsedAt?: number | null; createdAt?: number } = {}
): ProjectKey & { project_id: string } {
  return {
    project_id: options.project ?? 'proj_main',
    object: 'organization.project.api_key',
    id,
    name: `Key ${id}`,
    redacted_value: 'sk-proj-****abcd',
    created_at: options.createdAt ?? 1_790_000_000,
    last_used_at: options.lastUsedAt === undefined ? 1_790_000_600 : options.lastUsedAt,
    owner_project_access: 'active',
    owner: {
      type: 'user',
      user: {
        id: 'user-owner1',
        email: options.email ?? 'owner@example.com',
        name: 'Owner One',
        role: 'owner',
        created_at: 1_700_000_000
      }
    }
  }
}

/** A key owned by a service account, in `projectId`. */
export function serviceAccountKey(
  id: string,
  options: { project?: string; lastUsedAt?: number | null } = {}
): ProjectKey & { project_id: string } {
  return {
    project_id: options.project ?? 'proj_main',
    object: 'organization.project.api_key',
    id,
    name: `Key ${id}`,
    redacted_value: 'sk-svcacct-****wxyz',
    created_at: 1_790_000_000,
    last_used_at: options.lastUsedAt === undefined ? null : options.lastUsedAt,
    owner_project_access: 'active',
    owner: {
      type: 'service_account',
      service_account: { id: 'svc_acct_deploybot', name: 'deploybot', role: 'member', created_at: 1_700_000_000 }
    }
  }
}

export interface FakeOptions {
  /** The one admin key the server accepts. */
  key: string
  events: AuditLogEvent[]
  /** Each page after the first repeats this many events from the end of the previous one,
   *  as a real API does when events arrive while a client pages. */
  overlap?: number
  /** Ignore effective_at filters, as a buggy proxy might: the client must enforce the window itself. */
  ignoreWindow?: boolean
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string }
  /** The project API keys the key endpoint holds, each with its project. */
  projectKeys?: (ProjectKey & { project_id: string })[]
  /** The admin API keys. */
  adminKeys?: AdminKey[]
  /** Ignore the `after` cursor, as a cache keyed on the path alone would: every page is the first. */
  ignoreCursor?: boolean
  /**
   * How tenant-scoped events (tenant.*, role.bound_to_resource, role.unbound_from_resource)
   * are served. The spec says of `tenant_only`: "Required for tenant-scoped events ... When
   * `true`, all supplied event types must be tenant-scoped."
   * - lenient (the default): to every request; tenant_only=true gives only them;
   * - strict: the spec read literally: only to tenant_only=true, which refuses (400) any
   *   other event type;
   * - refuse: as strict, but tenant_only=true is refused with this status (400 or 403).
   */
  tenant?: 'lenient' | 'strict' | { refuse: 400 | 403 }
  /** Ignore `event_types[]`, as a proxy that drops the query's arrays might: every type is served. */
  ignoreTypes?: boolean
  /**
   * How the two DELETE endpoints answer (projects/{project_id}/api_keys/{key_id},
   * admin_api_keys/{key_id}); a key not held is 404 whatever the mode:
   * - ok (the default): deleted, the key gone from then on, and its deletion event recorded;
   * - forbidden: 403, as for an admin key without the permission to write API keys;
   * - service-account-400: a service account's key refused with 400, as OpenAI's API
   *   reference says ("an error if the key belonged to a service account"); others deleted;
   * - retried: deleted, but answered 500, so that the SDK's retry gets 404.
   */
  deleteMode?: 'ok' | 'forbidden' | 'service-account-400' | 'retried'
  /**
   * What GET /organization/usage/completions and /organization/costs hold: daily results per
   * key (and model), served as daily buckets filtered by api_key_ids[] and grouped as asked,
   * `limit` buckets a page with `next_page` (both endpoints page; the SDK does not follow it).
   */
  usage?: UsageRecord[]
}

/** One day's use of a key: what the usage and costs endpoints aggregate. */
export interface UsageRecord {
  keyId: string
  /** Unix seconds, any time in the day. */
  day: number
  model?: string
  requests: number
  inputTokens: number
  outputTokens: number
  /** In USD. */
  cost: number
}

const DAY = 86_400

/** The usage or costs endpoint: daily buckets in [start_time, end_time), `limit` a page, `page` the index to start at. */
function usagePage(options: FakeOptions, query: URLSearchParams, costs: boolean) {
  for (const name of query.keys()) {
    if (
      !/^(start_time|end_time|bucket_width|limit|page|(api_key_ids|group_by|project_ids|models|user_ids|line_items)\[\])$/.test(
        name
      )
    )
      throw error(400, `Unrecognized request argument supplied: ${name}`, 'invalid_request_error', null, name)
  }
  const start = int(query, 'start_time')
  if (start === undefined)
    throw error(400, "Missing required parameter: 'start_time'.", 'invalid_request_error', null, 'start_time')
  const end = int(query, 'end_time') ?? start + 7 * DAY
  const groups = query.getAll('group_by[]')
  if (costs && groups.includes('model'))
    throw error(400, 'Invalid group_by: model is not supported for costs.', 'invalid_request_error', null, 'group_by')
  const keys = query.getAll('api_key_ids[]')
  const limit = int(query, 'limit') ?? 7
  const from = Number(query.get('page') ?? 0)
  const days: number[] = []
  for (let day = Math.floor(start / DAY) * DAY; day < end; day += DAY) days.push(day)
  const shown = days.slice(from, from + limit)
  const data = shown.map((day) => {
    const records = (options.usage ?? []).filter(
      (record) => record.day >= day && record.day < day + DAY && (keys.length === 0 || keys.includes(record.keyId))
    )
    const grouped = new Map<string, UsageRecord[]>()
    for (const record of records) {
      const group = [
        groups.includes('api_key_id') ? record.keyId : '',
        !costs && groups.includes('model') ? (record.model ?? '') : ''
      ].join('|')
      grouped.set(group, [...(grouped.get(group) ?? []), record])
    }
    const results = [...grouped.values()].map((list) => {
      const first = list[0]!
      const sum = (field: 'requests' | 'inputTokens' | 'outputTokens' | 'cost') =>
        list.reduce((total, record) => total + record[field], 0)
      return costs
        ? {
            object: 'organization.costs.result',
            amount: { value: sum('cost'), currency: 'usd' },
            line_item: groups.includes('line_item') ? 'completions' : null,
            api_key_id: groups.includes('api_key_id') ? first.keyId : null,
            project_id: null
          }
        : {
            object: 'organization.usage.completions.result',
            input_tokens: sum('inputTokens'),
            output_tokens: sum('outputTokens'),
            num_model_requests: sum('requests'),
            api_key_id: groups.includes('api_key_id') ? first.keyId : null,
            model: groups.includes('model') ? (first.model ?? null) : null
          }
    })
    return { object: 'bucket', start_time: day, end_time: day + DAY, results }
  })
  const more = from + limit < days.length
  return { object: 'page', data, has_more: more, next_page: more ? String(from + limit) : null }
}

/** The spec's tenant-scoped event types: the tenant.* ones, and its two examples without the prefix. */
export function isTenantScoped(type: string): boolean {
  return type.startsWith('tenant.') || type === 'role.bound_to_resource' || type === 'role.unbound_from_resource'
}

function error(status: number, message: string, type: string, code: string | null, param: string | null = null) {
  return { status, body: { error: { message, type, param, code } } }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

function int(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  if (!/^\d+$/.test(value))
    throw error(400, `Invalid '${name}': expected an integer.`, 'invalid_request_error', null, name)
  return Number(value)
}

function list(options: FakeOptions, query: URLSearchParams) {
  const limit = int(query, 'limit') ?? 20
  if (limit < 1 || limit > 100) {
    throw error(400, `Invalid 'limit': must be between 1 and 100.`, 'invalid_request_error', 'invalid_value', 'limit')
  }
  for (const name of query.keys()) {
    // The real endpoint only knows the bracket forms the SDKs send.
    if (
      !/^(effective_at\[(gt|gte|lt|lte)\]|(event_types|project_ids|actor_ids|actor_emails|resource_ids)\[\]|limit|after|before|tenant_only)$/.test(
        name
      )
    ) {
      throw error(400, `Unrecognized request argument supplied: ${name}`, 'invalid_request_error', null, name)
    }
  }
  const tenantOnly = query.get('tenant_only')
  if (tenantOnly !== null && tenantOnly !== 'true' && tenantOnly !== 'false') {
    throw error(400, `Invalid 'tenant_only': expected a boolean.`, 'invalid_request_error', null, 'tenant_only')
  }
  const tenantMode = options.tenant ?? 'lenient'
  if (tenantOnly === 'true' && typeof tenantMode === 'object') {
    throw tenantMode.refuse === 403
      ? error(403, 'You do not have access to tenant-scoped audit logs.', 'invalid_request_error', null)
      : error(400, 'Unrecognized request argument supplied: tenant_only', 'invalid_request_error', null, 'tenant_only')
  }
  if (tenantOnly === 'true' && tenantMode === 'strict') {
    const other = query.getAll('event_types[]').find((type) => !isTenantScoped(type))
    if (other !== undefined) {
      throw error(
        400,
        `Invalid 'event_types': ${other} is not tenant-scoped; when tenant_only is true, all supplied event types must be tenant-scoped.`,
        'invalid_request_error',
        'invalid_value',
        'event_types'
      )
    }
  }
  const gt = int(query, 'effective_at[gt]')
  const gte = int(query, 'effective_at[gte]')
  const lt = int(query, 'effective_at[lt]')
  const lte = int(query, 'effective_at[lte]')
  const types = query.getAll('event_types[]')
  const projects = query.getAll('project_ids[]')
  const actorIds = query.getAll('actor_ids[]')
  const actorEmails = query.getAll('actor_emails[]')
  const resources = query.getAll('resource_ids[]')
  const actorOf = (event: AuditLogEvent) => event.actor?.session?.user ?? event.actor?.api_key?.user ?? {}
  // actor_ids: "a user ID, a service account ID, or an api key tracking ID" (AuditLogListParams.actor_ids).
  const actorIdsOf = (event: AuditLogEvent) =>
    [actorOf(event).id, event.actor?.api_key?.id, event.actor?.api_key?.service_account?.id].filter(Boolean)
  const resourceOf = (event: AuditLogEvent) => (event[event.type] as { id?: string } | undefined)?.id
  const matching = options.events
    .filter(
      (event) =>
        options.ignoreWindow ||
        ((gt === undefined || event.effective_at > gt) &&
          (gte === undefined || event.effective_at >= gte) &&
          (lt === undefined || event.effective_at < lt) &&
          (lte === undefined || event.effective_at <= lte))
    )
    .filter((event) => options.ignoreTypes || types.length === 0 || types.includes(event.type))
    .filter((event) =>
      tenantOnly === 'true' ? isTenantScoped(event.type) : tenantMode === 'lenient' || !isTenantScoped(event.type)
    )
    .filter((event) => projects.length === 0 || (event.project && projects.includes(event.project.id)))
    .filter((event) => actorIds.length === 0 || actorIdsOf(event).some((id) => actorIds.includes(id!)))
    .filter((event) => actorEmails.length === 0 || actorEmails.includes(actorOf(event).email ?? ''))
    .filter((event) => resources.length === 0 || resources.includes(resourceOf(event) ?? ''))
    // Newest first; ties in a stable order.
    .sort((a, b) => b.effective_at - a.effective_at || (a.id < b.id ? 1 : -1))
  let start = 0
  let end = matching.length
  const after = options.ignoreCursor ? null : query.get('after')
  const before = query.get('before')
  if (after !== null) {
    const at = matching.findIndex((event) => event.id === after)
    if (at === -1) throw error(400, `Invalid 'after': no such audit log.`, 'invalid_request_error', null, 'after')
    start = at + 1
    // The same cursor on a later page: events that arrived since push earlier ones down.
    const overlap = Math.min(options.overlap ?? 0, start)
    start -= overlap
  }
  if (before !== null) {
    const at = matching.findIndex((event) => event.id === before)
    if (at === -1) throw error(400, `Invalid 'before': no such audit log.`, 'invalid_request_error', null, 'before')
    end = at
    start = Math.max(0, end - limit)
  }
  const data = matching.slice(start, Math.min(end, start + limit))
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: start + data.length < end
  }
}

/** A list page of login events, at least `bytes` long, written at the pace the client reads it. */
async function writeHuge(response: ServerResponse, bytes: number, declare: boolean): Promise<void> {
  const event = (n: number): string => JSON.stringify(otherEvent(n, 1_790_000_000))
  const head = '{"object":"list","data":['
  const tail = '],"first_id":null,"last_id":null,"has_more":false}'
  const each = event(0).length + 1
  const count = Math.ceil(bytes / each)
  const total = head.length + tail.length + count * each - 1
  response.writeHead(200, {
    'content-type': 'application/json',
    ...(declare ? { 'content-length': String(total) } : {})
  })
  let closed = false
  response.on('close', () => (closed = true))
  if (!response.write(head)) await once(response, 'drain')
  let batch: string[] = []
  for (let n = 0; n < count && !closed; n++) {
    batch.push(event(n))
    if (batch.length === 1000 || n === count - 1) {
      const text = batch.join(',') + (n === count - 1 ? '' : ',')
      batch = []
      if (!response.write(text)) await Promise.race([once(response, 'drain'), once(response, 'close')])
    }
  }
  if (!closed) response.end(tail)
}

export async function startFakeOpenAI(options: FakeOptions): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = []
  const queued: Fault[] = []
  let standing: Fault | undefined
  const standingOn: { path: RegExp; fault: Fault }[] = []
  let tenantFault: Fault | undefined
  const withParameter = new Map<string, Fault>()
  const sockets = new Set<Socket>()

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: request.headers.authorization,
      headers: request.headers
    })
    const next =
      [...withParameter].find(([name]) => url.searchParams.has(name))?.[1] ??
      (url.searchParams.get('tenant_only') === 'true' ? tenantFault : undefined) ??
      standingOn.find((entry) => entry.path.test(url.pathname))?.fault ??
      queued.shift() ??
      standing
    const fault = next && 'pass' in next ? undefined : next
    if (fault && 'hang' in fault) return // never answers: the client's timeout must end it
    if (fault && 'html' in fault) {
      response.writeHead(fault.status ?? 200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(fault.html)
      return
    }
    if (fault && 'json' in fault) return send(response, 200, fault.json)
    if (fault && 'raw' in fault) {
      response.writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'application/json' })
      response.end(fault.raw)
      return
    }
    if (fault && 'huge' in fault) return void writeHuge(response, fault.huge, fault.declare ?? false)
    if (fault && 'drip' in fault) {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"object":"list","data":[')
      const timer = setInterval(() => response.write(' '), fault.drip.everyMs)
      response.on('close', () => clearInterval(timer))
      return
    }
    if (fault) {
      const body = fault.body ?? {
        error: {
          message: 'The server had an error while processing your request.',
          type: 'server_error',
          param: null,
          code: null
        }
      }
      return send(response, fault.status, body, fault.headers)
    }
    const keyPath =
      /^\/v1\/organization\/projects\/([^/]+)\/api_keys\/([^/]+)$/.exec(url.pathname) ??
      /^\/v1\/organization\/admin_api_keys\/([^/]+)$/.exec(url.pathname)
    const deleting = request.method === 'DELETE' && keyPath !== null
    const usagePath = /^\/v1\/organization\/(usage\/completions|costs)$/.exec(url.pathname)
    if (
      (request.method !== 'GET' && !deleting) ||
      (url.pathname !== '/v1/organization/audit_logs' && !keyPath && !usagePath)
    ) {
      const { status, body } = error(
        404,
        `Invalid URL (${request.method} ${url.pathname})`,
        'invalid_request_error',
        null
      )
      return send(response, status, body)
    }
    const token = /^Bearer (.*)$/.exec(request.headers.authorization ?? '')?.[1]
    if (token !== options.key) {
      // OpenAI echoes (part of) the key it was given; the client must scrub it.
      const { status, body } = error(
        401,
        `Incorrect API key provided: ${token}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key'
      )
      return send(response, status, body)
    }
    if (keyPath) {
      const [project, id] =
        keyPath.length === 3
          ? [decodeURIComponent(keyPath[1]!), decodeURIComponent(keyPath[2]!)]
          : [undefined, decodeURIComponent(keyPath[1]!)]
      const key =
        project === undefined
          ? options.adminKeys?.find((candidate) => candidate.id === id)
          : options.projectKeys?.find((candidate) => candidate.id === id && candidate.project_id === project)
      if (!key) {
        const { status, body } = error(404, `No such API key: ${id}`, 'invalid_request_error', null)
        return send(response, status, body)
      }
      if (deleting) return deleteKey(options, response, key, project)
      const answer: Record<string, unknown> = { ...key }
      delete answer.project_id
      return send(response, 200, answer, { 'x-request-id': `req_${requests.length}` })
    }
    try {
      const answer = usagePath
        ? usagePage(options, url.searchParams, usagePath[1] === 'costs')
        : list(options, url.searchParams)
      send(response, 200, answer, { 'x-request-id': `req_${requests.length}` })
    } catch (failure) {
      const { status, body } = failure as { status: number; body: unknown }
      send(response, status, body)
    }
  }
  const server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1`,
    requests,
    fault: (...faults) => queued.push(...faults),
    always: (fault) => (standing = fault),
    alwaysOnTenant: (fault) => (tenantFault = fault),
    alwaysWith: (parameter, fault) =>
      void (fault ? withParameter.set(parameter, fault) : withParameter.delete(parameter)),
    alwaysOn: (path, fault) => {
      const at = standingOn.findIndex((entry) => entry.path.source === path.source)
      if (at >= 0) standingOn.splice(at, 1)
      if (fault) standingOn.push({ path, fault })
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** DELETE of a key the fake holds, as `options.deleteMode` says. */
function deleteKey(
  options: FakeOptions,
  response: ServerResponse,
  key: ProjectKey | AdminKey,
  project: string | undefined
): void {
  const mode = options.deleteMode ?? 'ok'
  const refusal =
    mode === 'forbidden'
      ? error(403, 'You have insufficient permissions for this operation.', 'invalid_request_error', null)
      : mode === 'service-account-400' && key.owner.type === 'service_account'
        ? error(400, 'API keys owned by a service account cannot be deleted.', 'invalid_request_error', null)
        : undefined
  if (refusal) return send(response, refusal.status, refusal.body)
  if (project === undefined) options.adminKeys = options.adminKeys?.filter((candidate) => candidate !== key)
  else options.projectKeys = options.projectKeys?.filter((candidate) => candidate !== key)
  const type = project === undefined ? 'tenant.admin_api_key.deleted' : 'api_key.deleted'
  const latest = Math.max(0, ...options.events.map((event) => event.effective_at))
  options.events.push({
    id: `audit_log-deleted-${key.id}`,
    type,
    effective_at: latest + 1,
    ...(project ? { project: { id: project, name: 'Main' } } : {}),
    actor: { type: 'api_key', api_key: { id: 'key_revoker', user: { id: 'user-revoker' } } },
    [type]: { id: key.id }
  })
  if (mode === 'retried') {
    const { status, body } = error(500, 'The server had an error while processing your request.', 'server_error', null)
    return send(response, status, body)
  }
  send(response, 200, {
    id: key.id,
    object: project === undefined ? 'organization.admin_api_key.deleted' : 'organization.project.api_key.deleted',
    deleted: true
  })
}

/** Audit-log events like the real ones: key events with scopes, and the other types around them. */
export function keyEvent(
  n: number,
  effectiveAt: number,
  scopes: string[] = ['all'],
  type: 'api_key.created' | 'api_key.updated' | 'api_key.deleted' = 'api_key.created',
  projectId = 'proj_main'
): AuditLogEvent {
  const payload =
    type === 'api_key.created'
      ? { id: `key_${n}`, data: { scopes } }
      : type === 'api_key.updated'
        ? { id: `key_${n}`, changes_requested: { scopes } }
        : { id: `key_${n}` }
  return {
    id: `audit_log-${String(n).padStart(6, '0')}`,
    type,
    effective_at: effectiveAt,
    project: { id: projectId, name: 'Main' },
    actor: { type: 'session', session: { user: { id: `user-${n}`, email: `person${n}@example.com` } } },
    [type]: payload
  }
}

/**
 * An admin API key event (tenant-scoped): organization-wide, its project the default one or
 * none. Created and updated admin keys are findings whatever their payload says.
 */
export function adminKeyEvent(
  n: number,
  effectiveAt: number,
  type:
    | 'tenant.admin_api_key.created'
    | 'tenant.admin_api_key.updated'
    | 'tenant.admin_api_key.deleted' = 'tenant.admin_api_key.created',
  project?: string
): AuditLogEvent {
  return {
    id: `audit_log-a${String(n).padStart(6, '0')}`,
    type,
    effective_at: effectiveAt,
    ...(project ? { project: { id: project, name: 'Default project' } } : {}),
    actor: { type: 'session', session: { user: { id: `user-admin${n}`, email: `admin${n}@example.com` } } },
    [type]: {
      id: `key_admin${n}`,
      ...(type === 'tenant.admin_api_key.created' ? { data: { name: `Admin ${n}` } } : {})
    }
  }
}

export function otherEvent(n: number, effectiveAt: number, type = 'login.succeeded'): AuditLogEvent {
  return {
    id: `audit_log-o${String(n).padStart(6, '0')}`,
    type,
    effective_at: effectiveAt,
    actor: { type: 'session', session: { user: { id: `user-${n}`, email: `person${n}@example.com` } } },
    [type]: {}
  }
}
