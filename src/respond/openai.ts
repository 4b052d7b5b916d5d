// The Admin API side of a revocation: where the key lives, as OpenAI says (never as an
// issue's text says), and the delete. Sources, in node_modules/openai (7.59.0):
// - the key's own events: `auditLogs.list` with `resource_ids` ("Return only events performed
//   on these targets", src/resources/admin/organization/audit-logs.ts:2313-2318) and
//   `tenant_only` for the admin keys' tenant-scoped events;
// - the key itself: `projects.apiKeys.retrieve` and `adminAPIKeys.retrieve`;
// - the delete: `projects.apiKeys.delete(keyId, { project_id })`, "Deletes an API key from the
//   project, including keys owned by service accounts. Requires permission to write project
//   API keys. Deleting a service-account key does not delete the service account or its other
//   keys." (projects/api-keys.ts:330-335, changed in 7.42.0: CHANGELOG "clarify
//   service-account API key deletion"), and `adminAPIKeys.delete(keyId)`, "Delete an
//   organization admin API key" (admin-api-keys.ts:291-310). OpenAI's OpenAPI description
//   (openai/openai-openapi, openapi.yaml, delete-project-api-key) still says the project-key
//   delete returns "an error if the key belonged to a service account", with a 400: both
//   answers are handled.
// The SDK retries a DELETE too (408, 409, 429 and 5xx: shouldRetry, src/client.ts:2144): a 404
// after a retried delete may be our own first attempt's success, so it is checked again.
import OpenAI from 'openai'
import type { AuditLogListParams } from 'openai/resources/admin/organization/audit-logs'
import { KEY_EVENT_TYPES, isObject, type KeyOwner } from '../model/index.js'
import { openAIAnswer, openAIFailureWords } from '../http/api-error.js'
import { adminReader, type AdminReader, type AdminReadOptions } from '../openai/client.js'
import { openAINotFound } from '../openai/not-found.js'
import { isoTime } from '../text.js'

/** A key OpenAI holds, where it holds it, and how the place was confirmed. */
export type HeldKey = {
  keyId: string
  name?: string
  redactedValue?: string
  owner: KeyOwner
  /** In words: "found in project proj_1, which its event audit_log-1 names". */
  how: string
} & ({ kind: 'project'; projectId: string } | { kind: 'admin' })

/** Where the key is, as OpenAI says: found, gone (its deletion recorded), or not known. */
export type KeyPlace =
  { status: 'found'; key: HeldKey } | { status: 'gone'; evidence: string } | { status: 'unknown'; reason: string }

/** The key's own events, as the list endpoint gives them; only what says where the key is. */
interface KeyEventSeen {
  id: string
  type: string
  effectiveAt: number
  projectId?: string
  /** Made by a person in the dashboard: the event's project is the key's own. */
  bySession: boolean
  actor?: string
}

/** A key's events read again: at most this many pages of 100 (a key has a handful). */
const MAX_PAGES = 10
/** The most projects its events name that a key is looked for in. */
const MAX_PROJECTS = 5

const TENANT_TYPES = KEY_EVENT_TYPES.filter((type) => type.startsWith('tenant.'))
const ORGANIZATION_TYPES = KEY_EVENT_TYPES.filter((type) => !type.startsWith('tenant.'))

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined

function eventSeen(raw: unknown, keyId: string): KeyEventSeen | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string' || typeof raw.id !== 'string') return undefined
  // resource_ids is the server's filter; a proxy that drops it must not lend another key's project.
  const payload = raw[raw.type]
  if (!isObject(payload) || payload.id !== keyId) return undefined
  const project = isObject(raw.project) ? text(raw.project.id) : undefined
  const actor = isObject(raw.actor) ? raw.actor : {}
  const session = isObject(actor.session) && isObject(actor.session.user) ? actor.session.user : undefined
  return {
    id: raw.id,
    type: raw.type,
    effectiveAt: typeof raw.effective_at === 'number' ? raw.effective_at : 0,
    projectId: project,
    bySession: actor.type === 'session',
    actor: text(session?.email) ?? text(session?.id)
  }
}

export class AdminApi {
  readonly client: OpenAI
  private readonly reader: AdminReader

  constructor(options: AdminReadOptions) {
    this.reader = adminReader(options)
    this.client = this.reader.client
  }

  /** A failed request in words, scrubbed of the secrets. */
  failure(error: unknown): string {
    return openAIFailureWords(error, this.reader.limits, this.reader.secrets)
  }

  answer(error: InstanceType<typeof OpenAI.APIError>): string {
    return openAIAnswer(error, this.reader.secrets)
  }

  /** The key's own events of one request (the organization's, or the tenant-scoped ones). */
  private async eventsOf(keyId: string, tenant: boolean): Promise<KeyEventSeen[]> {
    const seen: KeyEventSeen[] = []
    let page = await this.client.admin.organization.auditLogs.list({
      resource_ids: [keyId],
      event_types: [...(tenant ? TENANT_TYPES : ORGANIZATION_TYPES)] as NonNullable<AuditLogListParams['event_types']>,
      limit: 100,
      ...(tenant ? { tenant_only: true } : {})
    })
    for (let pages = 1; ; pages++) {
      for (const raw of page.data) {
        const event = eventSeen(raw, keyId)
        if (event) seen.push(event)
      }
      if (!page.hasNextPage() || pages >= MAX_PAGES) return seen
      page = await page.getNextPage()
    }
  }

  /**
   * The key's events, read again by resource_ids. The tenant-scoped request may be refused
   * (400 or 403: OpenAI has not said how every organization answers it); then only the
   * organization's are known, and an admin key is told by its lookup instead.
   */
  async keyEvents(keyId: string): Promise<KeyEventSeen[]> {
    const organization = await this.eventsOf(keyId, false)
    let tenant: KeyEventSeen[] = []
    try {
      tenant = await this.eventsOf(keyId, true)
    } catch (error) {
      if (!(error instanceof OpenAI.BadRequestError || error instanceof OpenAI.PermissionDeniedError)) throw error
    }
    return [...organization, ...tenant].sort((a, b) => b.effectiveAt - a.effectiveAt)
  }

  /** The key in `projectId`, or undefined for OpenAI's own 404; any other failure is thrown. */
  async projectKey(keyId: string, projectId: string, how: string): Promise<HeldKey | undefined> {
    try {
      const key = await this.client.admin.organization.projects.apiKeys.retrieve(keyId, { project_id: projectId })
      const owner = key.owner ?? {}
      const account = owner.service_account
      const user = owner.user
      return {
        kind: 'project',
        projectId,
        keyId,
        name: text(key.name),
        redactedValue: text(key.redacted_value),
        owner:
          owner.type === 'service_account' || (!owner.type && account)
            ? { type: 'service_account', id: text(account?.id), name: text(account?.name) }
            : owner.type === 'user' || user
              ? { type: 'user', id: text(user?.id), name: text(user?.name), email: text(user?.email) }
              : { type: 'unknown' },
        how
      }
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError && openAINotFound(error)) return undefined
      throw error
    }
  }

  /** The admin API key, or undefined for OpenAI's own 404. */
  async adminKey(keyId: string, how: string): Promise<HeldKey | undefined> {
    try {
      const key = await this.client.admin.organization.adminAPIKeys.retrieve(keyId)
      return {
        kind: 'admin',
        keyId,
        name: text(key.name),
        redactedValue: text(key.redacted_value),
        owner: { type: 'user', id: text(key.owner?.id), name: text(key.owner?.name) },
        how
      }
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError && openAINotFound(error)) return undefined
      throw error
    }
  }
}

/** The projects a key's events name, the ones a person's dashboard session made first (those name the key's own). */
function projectsNamed(events: readonly KeyEventSeen[]): { projectId: string; event: KeyEventSeen }[] {
  const named = new Map<string, KeyEventSeen>()
  for (const event of [...events.filter((e) => e.bySession), ...events.filter((e) => !e.bySession)])
    if (event.projectId && !named.has(event.projectId)) named.set(event.projectId, event)
  return [...named].slice(0, MAX_PROJECTS).map(([projectId, event]) => ({ projectId, event }))
}

function deletionOf(events: readonly KeyEventSeen[]): string | undefined {
  const deletion = events.find((event) => event.type.endsWith('.deleted'))
  if (!deletion) return undefined
  return `the audit log records its deletion: ${deletion.type} at ${isoTime(deletion.effectiveAt, true)}${deletion.actor ? ` by ${deletion.actor}` : ''} (event ${deletion.id})`
}

/**
 * Where OpenAI holds the key. With `projectId` (the CLI's --project), there only. Without,
 * from the key's own events: an admin key by its tenant.admin_api_key.* events, a project key
 * in the projects its events name, each confirmed by OpenAI holding the key there. A project
 * is never guessed: when none holds it, the key is gone only if its deletion is recorded.
 */
export async function placeOfKey(api: AdminApi, keyId: string, projectId?: string): Promise<KeyPlace> {
  if (projectId !== undefined) {
    const key = await api.projectKey(keyId, projectId, `found in project ${projectId}, as --project named it`)
    return key
      ? { status: 'found', key }
      : { status: 'unknown', reason: `OpenAI holds no key ${keyId} in project ${projectId} (its own 404)` }
  }
  const events = await api.keyEvents(keyId)
  const deleted = deletionOf(events)
  if (events.some((event) => event.type.startsWith('tenant.admin_api_key.'))) {
    const key = await api.adminKey(keyId, 'an admin API key, as its tenant.admin_api_key events say')
    if (key) return { status: 'found', key }
    return deleted
      ? { status: 'gone', evidence: deleted }
      : { status: 'unknown', reason: 'OpenAI holds no admin API key of that id, and the audit log records no deletion' }
  }
  const projects = projectsNamed(events)
  for (const { projectId: project, event } of projects) {
    const key = await api.projectKey(keyId, project, `found in project ${project}, which its event ${event.id} names`)
    if (key) return { status: 'found', key }
  }
  if (deleted) return { status: 'gone', evidence: deleted }
  if (events.length === 0) {
    // Its tenant-scoped events may not have been readable: an admin key is found without a project.
    const key = await api.adminKey(keyId, 'an admin API key, found among the admin keys')
    if (key) return { status: 'found', key }
    return {
      status: 'unknown',
      reason:
        'the audit log holds no event of this key, so nothing says which project it is in, and it is no admin API key'
    }
  }
  return {
    status: 'unknown',
    reason: `OpenAI does not hold it in ${projects.length > 0 ? `the projects its events name (${projects.map((p) => p.projectId).join(', ')})` : 'any project its events name: they name none'}, and the audit log records no deletion`
  }
}

/** What the delete came to. */
export type DeleteAnswer =
  | { status: 'deleted'; answer: string }
  | { status: 'refused'; answer: string }
  | { status: 'service-account'; answer: string }
  | { status: 'failed'; answer: string }

/** Deletes the key where it was found; a 404 is checked again (the SDK may have retried a delete that had been done). */
export async function deleteKey(api: AdminApi, key: HeldKey): Promise<DeleteAnswer> {
  const { organization } = api.client.admin
  try {
    const answer =
      key.kind === 'admin'
        ? await organization.adminAPIKeys.delete(key.keyId)
        : await organization.projects.apiKeys.delete(key.keyId, { project_id: key.projectId })
    const words = JSON.stringify({ id: answer.id, object: answer.object, deleted: answer.deleted })
    return answer.deleted === true
      ? { status: 'deleted', answer: words }
      : { status: 'failed', answer: `OpenAI answered ${words}: the key was not deleted` }
  } catch (error) {
    if (error instanceof OpenAI.PermissionDeniedError) return { status: 'refused', answer: api.answer(error) }
    if (error instanceof OpenAI.BadRequestError && key.kind === 'project' && key.owner.type === 'service_account')
      return { status: 'service-account', answer: api.answer(error) }
    if (error instanceof OpenAI.NotFoundError) return againAfter404(api, key, error)
    return { status: 'failed', answer: api.failure(error) }
  }
}

async function againAfter404(
  api: AdminApi,
  key: HeldKey,
  error: InstanceType<typeof OpenAI.NotFoundError>
): Promise<DeleteAnswer> {
  try {
    const still =
      key.kind === 'admin' ? await api.adminKey(key.keyId, '') : await api.projectKey(key.keyId, key.projectId, '')
    if (!still) {
      return {
        status: 'deleted',
        answer: `${api.answer(error)} to the delete, and OpenAI no longer holds the key where it held it a moment before (a retried delete whose first attempt had done it)`
      }
    }
    return { status: 'failed', answer: `${api.answer(error)} to the delete, yet OpenAI still holds the key` }
  } catch (again) {
    return { status: 'failed', answer: `${api.answer(error)} to the delete, then ${api.failure(again)}` }
  }
}
