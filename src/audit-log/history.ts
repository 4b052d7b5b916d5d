// An identity's audit-log history: its events over the look-back, read from the Admin API by
// `actor_ids` / `actor_emails` (one request chain per filter: the spec does not say whether
// the two combine as AND or OR), bounded in pages and time; or, for an export, from the file
// itself. The history is evidence, not the window: a read that is refused or fails is one
// note, and never changes whether the window was read completely.
import OpenAI from 'openai'
import type {
  ActivityEvent,
  AuditLogSource,
  EventReading,
  HistoryFilter,
  HistoryRead,
  KeyEvent
} from '../model/index.js'
import { openAIAnswer, openAIFailureWords } from '../http/api-error.js'
import { adminReader, type AdminReader, type AdminReadOptions } from '../openai/client.js'
import { readActor, readEvent } from './normalize.js'

/** At most this many pages of 100 events per filter: the newest 500 events of an identity. */
export const HISTORY_PAGES = 5

/** A key event as a history holds it: the event, with what it did to which key. */
function keyActivity(event: KeyEvent): ActivityEvent {
  return {
    id: event.id,
    type: event.type,
    effectiveAt: event.effectiveAt,
    actor: event.actor,
    key: {
      keyId: event.keyId,
      action: event.action,
      keyKind: event.keyKind,
      scopes: event.scopes,
      unrestricted: event.unrestricted,
      projectId: event.projectId,
      projectName: event.projectName
    }
  }
}

/** One raw event of a history into the model: any type, with its actor (null in the SDK's type reads as unknown). */
export function readActivity(raw: unknown): ActivityEvent | undefined {
  const reading = readEvent(raw)
  // An event that names no actor (none, or null) is an unknown actor's: readActor of it says so.
  return activityOf(reading.kind === 'other' && !reading.actor ? { ...reading, actor: readActor(raw) } : reading)
}

export type HistoryOptions = AdminReadOptions & {
  /** Pages of 100 events per filter, at most: HISTORY_PAGES by default. */
  pages?: number
}

/** What one history read came to: the events, the requests made, and the failure or refusal, if any. */
export interface HistoryAnswer {
  events: ActivityEvent[]
  requests: number
  cut: boolean
  /** A refusal (401/403): every other history read would be refused too. */
  refused?: string
  failed?: string
}

/** Reads the Admin API's history of an identity through its filters, [since, until). */
export class AdminApiHistory {
  readonly label = 'OpenAI Admin API'
  private readonly reader: AdminReader

  constructor(private readonly options: HistoryOptions) {
    this.reader = adminReader(options)
  }

  async read(filters: readonly HistoryFilter[], since: number, until: number): Promise<HistoryAnswer> {
    const events = new Map<string, ActivityEvent>()
    const answer: HistoryAnswer = { events: [], requests: 0, cut: false }
    const pages = this.options.pages ?? HISTORY_PAGES
    try {
      for (const filter of filters) {
        // client.admin.organization.auditLogs.list (openai/src/resources/admin/organization/audit-logs.ts):
        // a ConversationCursorPage, paged by `after` = last_id while has_more.
        answer.requests++
        let page = await this.reader.client.admin.organization.auditLogs.list({
          [filter.param]: [filter.value],
          effective_at: { gte: since, lt: until },
          limit: 100
        })
        for (let read = 1; ; read++) {
          for (const raw of page.data) {
            const event = readActivity(raw)
            if (event) events.set(event.id, event)
          }
          if (!page.hasNextPage()) break
          if (read >= pages) {
            answer.cut = true
            break
          }
          answer.requests++
          page = await page.getNextPage()
        }
      }
    } catch (error) {
      if (error instanceof OpenAI.PermissionDeniedError || error instanceof OpenAI.AuthenticationError)
        answer.refused = openAIAnswer(error, this.reader.secrets)
      else answer.failed = openAIFailureWords(error, this.reader.limits, this.reader.secrets)
    }
    answer.events = [...events.values()]
    return answer
  }
}

/**
 * The history an export holds: its events of any time, read again from the file with no
 * window, with the events that mention the identities handed on as well as the key events
 * (the scan's prefilter counts the lines that are not key events without parsing them; the
 * history needs logins too). `keep` picks the identities'.
 */
export async function exportHistory(
  source: AuditLogSource,
  keep: (event: ActivityEvent) => boolean
): Promise<{ events: ActivityEvent[]; read: Omit<HistoryRead, 'events'> }> {
  const events: ActivityEvent[] = []
  const reading = source.events()
  for (;;) {
    const next = await reading.next()
    if (next.done) {
      const status = next.value
      return {
        events,
        read: {
          source: source.label,
          status: 'read',
          logins: true,
          ...(status.complete ? {} : { reason: `the file could not be read whole (${status.missing.join('; ')})` })
        }
      }
    }
    for (const { reading } of next.value) {
      const activity = activityOf(reading)
      if (activity && keep(activity)) events.push(activity)
    }
  }
}

/** An event as an identity's history reads it: a key event, or another with an id and an actor. */
function activityOf(event: EventReading): ActivityEvent | undefined {
  if (event.kind === 'other' && event.id !== undefined && event.actor)
    return { id: event.id, type: event.type, effectiveAt: event.effectiveAt, actor: event.actor }
  return event.kind === 'key' ? keyActivity(event.event) : undefined
}
