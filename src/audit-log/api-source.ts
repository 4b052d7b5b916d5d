// The live source: the organization's audit logs through the official `openai` SDK.
import OpenAI from 'openai'
import { KEY_EVENT_TYPES } from './event.js'
import { newStatus, type AuditLogSource, type SourcedEvent } from './source.js'

export interface ApiSourceOptions {
  adminKey: string
  baseURL: string
  /** [since, until) in Unix seconds. */
  since: number
  until: number
  projectIds: readonly string[]
}

export class AdminApiSource implements AuditLogSource {
  readonly label: string
  readonly status = newStatus()
  private readonly client: OpenAI

  constructor(private readonly options: ApiSourceOptions) {
    this.label = `OpenAI Admin API (${options.baseURL})`
    this.client = new OpenAI({ adminAPIKey: options.adminKey, apiKey: null, baseURL: options.baseURL })
  }

  async *events(): AsyncIterable<SourcedEvent> {
    const { since, until, projectIds } = this.options
    const first = await this.client.admin.organization.auditLogs.list({
      effective_at: { gte: since, lt: until },
      event_types: [...KEY_EVENT_TYPES],
      ...(projectIds.length > 0 ? { project_ids: [...projectIds] } : {}),
      limit: 100
    })
    for await (const page of first.iterPages()) {
      this.status.pages++
      const where = `page ${this.status.pages}`
      for (const raw of page.getPaginatedItems()) yield { raw, where }
    }
  }
}
