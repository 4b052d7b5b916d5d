// Audit-log events for tests, in the flattened shape the seed uses, and a source that
// yields them from memory.
import { readEvent } from '../../src/audit-log/normalize.js'
import { newStatus } from '../../src/audit-log/source.js'
import type { AuditLogSource, ScanResult, SourcedEvent, SourceStatus } from '../../src/model/index.js'
import { scan } from '../../src/scan/engine.js'
import { keptDir } from './temp.js'

export interface EventOptions {
  id: string
  key: string
  scopes?: string[]
  name?: string
  at?: number
  email?: string
  userId?: string
  ip?: string
  userAgent?: string
  country?: string
  city?: string
}

function actor(options: EventOptions): unknown {
  return {
    type: 'session',
    session: {
      user: { id: options.userId ?? 'user-dev001', email: options.email ?? 'dev@company.com' },
      ip_address: options.ip ?? '203.0.113.9',
      user_agent: options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0',
      ip_address_details: { country: options.country ?? 'US', city: options.city ?? 'Denver' }
    }
  }
}

export function created(options: EventOptions): Record<string, unknown> {
  return {
    id: options.id,
    type: 'api_key.created',
    effective_at: options.at ?? 1_790_000_000,
    object: 'organization.audit_log',
    actor: actor(options),
    api_key_created: { id: options.key, data: { name: options.name ?? 'A key', scopes: options.scopes ?? ['all'] } }
  }
}

export function updated(options: EventOptions): Record<string, unknown> {
  return {
    id: options.id,
    type: 'api_key.updated',
    effective_at: options.at ?? 1_790_000_100,
    object: 'organization.audit_log',
    actor: actor(options),
    api_key_updated: { id: options.key, data: { scopes: options.scopes ?? ['all'] } }
  }
}

export function deleted(options: EventOptions): Record<string, unknown> {
  return {
    id: options.id,
    type: 'api_key.deleted',
    effective_at: options.at ?? 1_790_000_200,
    object: 'organization.audit_log',
    actor: actor(options),
    api_key_deleted: { id: options.key }
  }
}

export function login(id: string): Record<string, unknown> {
  return { id, type: 'login.succeeded', effective_at: 1_790_000_000, actor: actor({ id, key: '' }) }
}

/** A source of `events` as they are, read as the sources read them, in one batch; its read is complete. */
export function memorySource(events: readonly unknown[]): AuditLogSource {
  return {
    label: 'memory',
    async *events() {
      yield events.map((raw, index) => ({ reading: readEvent(raw), where: `line ${index + 1}` }))
      return newStatus()
    }
  }
}

/** Every event a source hands on, and the status it returns at the end. */
export async function drain(source: AuditLogSource): Promise<{ events: SourcedEvent[]; status: SourceStatus }> {
  const events: SourcedEvent[] = []
  const read = source.events()
  let next = await read.next()
  for (; !next.done; next = await read.next()) events.push(...next.value)
  return { events, status: next.value }
}

/** The id of an event as it was read (a key event's, made from its content when it has none). */
export function idOf({ reading }: SourcedEvent): string | undefined {
  return reading.kind === 'key' ? reading.event.id : reading.id
}

/** The scan of `events` with the rule's defaults but `models:write` as the only MEDIUM scope. */
export async function scanned(events: unknown[], allowActors: string[] = []): Promise<ScanResult> {
  return scan(memorySource(events), {
    rule: { elevatedScopes: ['all', 'admin', 'models:write'], highScopes: ['all', 'admin'] },
    window: {},
    allowActors,
    tempDir: keptDir()
  })
}
