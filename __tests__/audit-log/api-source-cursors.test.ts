// The Admin API source's cursor check remembers every cursor it read with: a server (or a
// cache in front of it) that sends the read back to any earlier cursor is caught at once,
// not only one that repeats the cursor just used.
import { AdminApiSource } from '../../src/audit-log/api-source.js'
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/api-key-anomalous-activity.js'
import { scan } from '../../src/scan/engine.js'
import { keyEvent, startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai.js'

const KEY = 'sk-admin-CURSORabcdefghijklmnopqrstuvwxyz0123456789'
const SINCE = 1_790_000_000
const UNTIL = SINCE + 86_400

let server: FakeOpenAI | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('AdminApiSource cursors', () => {
  it('ends the read at once when a page gives a cursor used two pages before', async () => {
    server = await startFakeOpenAI({
      key: KEY,
      events: Array.from({ length: 250 }, (_, n) => keyEvent(n, SINCE + 60 * n))
    })
    const fake = server
    const page = (ids: number[], last: string) => ({
      json: {
        object: 'list',
        data: ids.map((n) => keyEvent(n, SINCE + 60 * n)),
        first_id: `audit_log-${String(ids[0]).padStart(6, '0')}`,
        last_id: last,
        has_more: true
      }
    })
    const api = new AdminApiSource({
      adminKey: KEY,
      baseURL: fake.baseURL,
      since: SINCE,
      until: UNTIL,
      projectIds: [],
      maxRetries: 0,
      requestTimeoutMs: 2000,
      deadlineMs: 20_000
    })
    const events = api.events()
    let first = true
    const result = await scan(
      {
        label: api.label,
        events: async function* () {
          let next = await events.next()
          for (; !next.done; next = await events.next()) {
            // Page 1 is the server's (its cursor: audit_log-000150); page 2 moves on to
            // audit_log-000148, and page 3 goes back to audit_log-000150.
            if (first) fake.fault(page([149, 148], 'audit_log-000148'), page([147, 146], 'audit_log-000150'))
            first = false
            yield next.value
          }
          return next.value
        }
      },
      { rule: DEFAULT_RULE_OPTIONS, window: { since: SINCE, until: UNTIL }, allowActors: [] }
    )
    // The first request's pages; the tenant-scoped key events are asked for after it.
    const firstRead = fake.requests.filter((request) => request.query.get('tenant_only') !== 'true')
    expect(firstRead.map((request) => request.query.get('after'))).toEqual([
      null,
      'audit_log-000150',
      'audit_log-000148'
    ])
    expect(result.source.complete).toBe(false)
    expect(result.source.missing).toHaveLength(1)
    expect(result.source.missing[0]).toContain(
      'page 3 failed, page 3 gives the cursor after=audit_log-000150, which was read with already: the read would go round in circles'
    )
  })
})
