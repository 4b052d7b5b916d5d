// The Admin API source, driven by the real `openai` SDK against a fake endpoint on 127.0.0.1.
import { AdminApiSource, type ApiSourceOptions } from '../../src/audit-log/api-source.js'
import { KEY_ADVICE } from '../../src/openai/admin-key.js'
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/api-key-anomalous-activity.js'
import { scan } from '../../src/scan/engine.js'
import {
  adminKeyEvent,
  keyEvent,
  otherEvent,
  startFakeOpenAI,
  type AuditLogEvent,
  type FakeOpenAI,
  type FakeOptions
} from '../support/fake-openai.js'

const KEY = 'sk-admin-TESTabcdefghijklmnopqrstuvwxyz0123456789'
const SINCE = 1_790_000_000
const UNTIL = SINCE + 86_400

let server: FakeOpenAI | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(events: AuditLogEvent[], options: Partial<FakeOptions> = {}): Promise<FakeOpenAI> {
  server = await startFakeOpenAI({ key: KEY, events, ...options })
  return server
}

function source(fake: FakeOpenAI, options: Partial<ApiSourceOptions> = {}): AdminApiSource {
  // Small limits, so faults end fast; the action's defaults are larger.
  return new AdminApiSource({
    adminKey: KEY,
    baseURL: fake.baseURL,
    since: SINCE,
    until: UNTIL,
    projectIds: [],
    maxRetries: 2,
    requestTimeoutMs: 2000,
    deadlineMs: 20_000,
    ...options
  })
}

async function scanned(api: AdminApiSource) {
  return scan(api, { rule: DEFAULT_RULE_OPTIONS, window: { since: SINCE, until: UNTIL }, allowActors: [] })
}

/** 250 key events one minute apart, newest last, with 300 other events among them. */
function manyEvents(): AuditLogEvent[] {
  const events: AuditLogEvent[] = []
  for (let n = 0; n < 250; n++) events.push(keyEvent(n, SINCE + 60 * n, n % 2 === 0 ? ['all'] : ['models:read']))
  for (let n = 0; n < 300; n++) events.push(otherEvent(n, SINCE + 45 * n))
  return events
}

/** The requests for the project key events; the tenant-scoped ones (tenant_only=true) come after them. */
const organization = (fake: FakeOpenAI) => fake.requests.filter((request) => request.query.get('tenant_only') === null)
const tenant = (fake: FakeOpenAI) => fake.requests.filter((request) => request.query.get('tenant_only') === 'true')
const TENANT_TYPES = [
  'tenant.project_api_key.created',
  'tenant.admin_api_key.created',
  'tenant.admin_api_key.updated',
  'tenant.admin_api_key.deleted'
]

// A page fails after retries with these; "retry-after-ms" keeps the test fast.
const SERVER_ERROR = { status: 500, headers: { 'retry-after-ms': '5' } }

describe('AdminApiSource over HTTP', () => {
  it('reads every page newest first, with the filters as bracket query parameters', async () => {
    const fake = await start(manyEvents())
    const api = source(fake)
    const result = await scanned(api)
    // Three pages of project key events, and one (empty) of tenant-scoped ones.
    expect(result.source).toMatchObject({ complete: true, missing: [], notRead: [], pages: 4 })
    expect(result.keyEvents).toBe(250)
    expect(result.eventsScanned).toBe(250)
    expect(result.findings).toHaveLength(125)
    expect(fake.requests).toHaveLength(4)
    const [first, second, third, fourth] = fake.requests.map((request) => request.query)
    expect(fake.requests[0]!.path).toBe('/v1/organization/audit_logs')
    expect(first!.get('effective_at[gte]')).toBe(String(SINCE))
    expect(first!.get('effective_at[lt]')).toBe(String(UNTIL))
    expect(first!.getAll('event_types[]')).toEqual(['api_key.created', 'api_key.updated', 'api_key.deleted'])
    expect(first!.has('tenant_only')).toBe(false)
    expect(first!.get('limit')).toBe('100')
    // The spec: "When `true`, all supplied event types must be tenant-scoped."
    expect(fourth!.get('tenant_only')).toBe('true')
    expect(fourth!.getAll('event_types[]')).toEqual(TENANT_TYPES)
    expect(fourth!.get('effective_at[gte]')).toBe(String(SINCE))
    expect(fourth!.get('effective_at[lt]')).toBe(String(UNTIL))
    expect(fourth!.has('after')).toBe(false)
    expect(first!.has('after')).toBe(false)
    // The cursor is the last (oldest) event of the page before.
    expect(second!.get('after')).toBe('audit_log-000150')
    expect(third!.get('after')).toBe('audit_log-000050')
    expect(third!.get('effective_at[gte]')).toBe(String(SINCE))
    expect(fake.requests[0]!.authorization).toBe(`Bearer ${KEY}`)
  })

  it('sends project-ids as project_ids[] and gets only those projects', async () => {
    const fake = await start([
      keyEvent(1, SINCE + 10, ['all'], 'api_key.created', 'proj_a'),
      keyEvent(2, SINCE + 20, ['all'], 'api_key.created', 'proj_b'),
      keyEvent(3, SINCE + 30, ['all'], 'api_key.created', 'proj_c')
    ])
    const result = await scanned(source(fake, { projectIds: ['proj_a', 'proj_c'] }))
    expect(fake.requests[0]!.query.getAll('project_ids[]')).toEqual(['proj_a', 'proj_c'])
    expect([...result.findings].map((finding) => finding.keyId).sort()).toEqual(['key_1', 'key_3'])
  })

  it('reads [since, until): since included, until excluded, enforced again on the client', async () => {
    const edges = [
      keyEvent(1, SINCE - 1),
      keyEvent(2, SINCE),
      keyEvent(3, UNTIL - 1),
      keyEvent(4, UNTIL),
      keyEvent(5, UNTIL + 3600)
    ]
    const honest = await scanned(source(await start(edges)))
    expect([...honest.findings].map((finding) => finding.keyId).sort()).toEqual(['key_2', 'key_3'])
    await server!.close()
    // A server (or proxy) that ignores the window: the events outside it are still dropped.
    const sloppy = await start(edges, { ignoreWindow: true })
    const result = await scanned(source(sloppy))
    expect([...result.findings].map((finding) => finding.keyId).sort()).toEqual(['key_2', 'key_3'])
    expect(result.outsideWindow).toBe(3)
  })

  it('counts an event once when pages overlap', async () => {
    const fake = await start(manyEvents(), { overlap: 7 })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.duplicates).toBe(14)
    expect(result.keyEvents).toBe(250)
    expect(new Set([...result.findings].map((finding) => finding.eventId)).size).toBe(125)
  })

  it('waits out a 429 with retry-after, then reads on', async () => {
    const fake = await start(manyEvents())
    fake.fault({
      status: 429,
      headers: { 'retry-after': '0.05' },
      body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
    })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(true)
    expect(result.keyEvents).toBe(250)
    expect(organization(fake)).toHaveLength(4)
  })

  it('honours retry-after-ms too', async () => {
    const fake = await start(manyEvents())
    fake.fault(
      { status: 429, headers: { 'retry-after-ms': '20' } },
      { status: 429, headers: { 'retry-after-ms': '20' } }
    )
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(true)
    expect(organization(fake)).toHaveLength(5)
  })

  it('retries a 500, then reads on', async () => {
    const fake = await start(manyEvents())
    fake.fault(SERVER_ERROR)
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(true)
    expect(result.keyEvents).toBe(250)
  })

  /** Scans with the first page read normally, then `afterIt` sets how the server answers. */
  async function afterFirstPage(fake: FakeOpenAI, afterIt: () => void) {
    const api = source(fake)
    const events = api.events()
    let calls = 0
    const result = await scan(
      {
        label: api.label,
        events: async function* () {
          let next = await events.next()
          for (; !next.done; next = await events.next()) {
            if (calls++ === 0) afterIt()
            yield next.value
          }
          return next.value
        }
      },
      { rule: DEFAULT_RULE_OPTIONS, window: { since: SINCE, until: UNTIL }, allowActors: [] }
    )
    return { api, result }
  }

  it('fails closed on a 500 that does not stop: the part of the window not read is named', async () => {
    const fake = await start(manyEvents())
    // The first page reads; every request after it fails.
    const { result } = await afterFirstPage(fake, () => fake.always(SERVER_ERROR))
    expect(result.source.complete).toBe(false)
    expect(result.source.pages).toBe(1)
    // Findings from the page read are still there.
    expect(result.keyEvents).toBe(100)
    expect(result.findings).toHaveLength(50)
    // One read, then the first try of page 2 and its 2 retries: bounded. The tenant-scoped
    // request fails the same way, and is named as such.
    expect(organization(fake)).toHaveLength(4)
    expect(tenant(fake)).toHaveLength(3)
    const oldestRead = new Date((SINCE + 60 * 150) * 1000).toISOString()
    expect(result.source.missing).toEqual([
      `events from ${new Date(SINCE * 1000).toISOString()} to ${oldestRead} inclusive were not read: ` +
        'page 2 failed, the API answered 500 after 2 retries (The server had an error while processing your request.)',
      `tenant-scoped key events (${TENANT_TYPES.join(', ')}) from ${new Date(SINCE * 1000).toISOString()} to ` +
        `${new Date(UNTIL * 1000).toISOString()} (the whole window) were not read: ` +
        'tenant-scoped page 1 failed, the API answered 500 after 2 retries (The server had an error while processing your request.)'
    ])
  })

  it('fails closed on a page that says has_more but gives no cursor', async () => {
    const fake = await start(manyEvents())
    const { result } = await afterFirstPage(fake, () =>
      fake.fault({ json: { object: 'list', data: [], has_more: true } })
    )
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toMatch(/page 2 says there are more events but gives no cursor/)
    expect(result.findings).toHaveLength(50)
  })

  it('keeps the findings read when the key is revoked in the middle of a read', async () => {
    const fake = await start(manyEvents())
    const revoked = { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: null } }
    const { result } = await afterFirstPage(fake, () => fake.fault({ status: 401, body: revoked }))
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toMatch(
      /page 2 failed, the API refused the key \(401: Incorrect API key provided\.\)/
    )
    expect(result.findings).toHaveLength(50)
    expect(organization(fake)).toHaveLength(2)
  })

  it('names the whole window when not even the first page could be read', async () => {
    const fake = await start(manyEvents())
    fake.always(SERVER_ERROR)
    const api = source(fake)
    const result = await scanned(api)
    expect(result.eventsScanned).toBe(0)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toMatch(/^events from .* to .* \(the whole window\) were not read: page 1 failed/)
  })

  it('gives a clear error for an HTML page where JSON was expected', async () => {
    const fake = await start(manyEvents())
    fake.always({
      html: '<!DOCTYPE html><html><head><title>Sign in - Corp Proxy</title></head><body>Log in</body></html>'
    })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toContain(
      'page 1 came back as text/html, not JSON (an HTML page titled "Sign in - Corp Proxy")'
    )
    expect(result.source.missing[0]).toContain('check that openai-base-url is the API')
  })

  it('gives a clear error for an HTML error page from a gateway, after retries', async () => {
    const fake = await start(manyEvents())
    fake.always({ status: 502, html: '<html><head><title>502 Bad Gateway</title></head></html>' })
    const api = source(fake, { maxRetries: 1 })
    const result = await scanned(api)
    expect(result.source.missing[0]).toContain(
      'the API answered 502 after 1 retry (an HTML page titled "502 Bad Gateway")'
    )
  })

  it('fails closed on JSON that is not an audit-log list', async () => {
    const fake = await start(manyEvents())
    fake.always({ json: { status: 'ok' } })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toContain('is JSON but not an audit-log list')
  })

  it('refuses a wrong key after one request, says what to do, and never repeats the key', async () => {
    const fake = await start(manyEvents(), { key: 'sk-admin-theRightOne0123456789' })
    const error = await scanned(source(fake)).then(
      () => undefined,
      (failure: Error) => failure
    )
    expect(fake.requests).toHaveLength(1)
    expect(error?.message).toContain(
      'The OpenAI Admin API did not accept the key (401: Incorrect API key provided: ***. You can find'
    )
    expect(error?.message).toContain(KEY_ADVICE)
    expect(error?.message).not.toContain(KEY)
    expect(error?.message).not.toContain(KEY.slice('sk-admin-'.length))
  })

  it('refuses a key without audit-log access (403) after one request', async () => {
    const fake = await start(manyEvents())
    fake.always({
      status: 403,
      body: {
        error: {
          message: 'You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read.',
          type: 'invalid_request_error',
          param: null,
          code: null
        }
      }
    })
    await expect(scanned(source(fake))).rejects.toThrow(
      `The OpenAI Admin API refused the key access to audit logs (403: You have insufficient permissions for this operation. Missing scopes: api.audit_logs.read.). ${KEY_ADVICE}`
    )
    expect(fake.requests).toHaveLength(1)
  })

  it('gives up on a server that does not answer, within its time limits', async () => {
    const fake = await start(manyEvents())
    fake.always({ hang: true })
    const api = source(fake, { requestTimeoutMs: 150, maxRetries: 1 })
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toMatch(
      /page 1 failed, the API could not be reached or did not answer within 150 ms \(.*\), 2 tries$/
    )
    expect(organization(fake)).toHaveLength(2)
  })

  it('bounds the body too: a page that trickles in fails when the request time is up', async () => {
    const fake = await start(manyEvents())
    // The headers come at once; the SDK's timeout covers the body (parseResponseWithTimeout).
    fake.fault({ drip: { everyMs: 20 } })
    const api = source(fake, { requestTimeoutMs: 1000, maxRetries: 0 })
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toMatch(
      /page 1 failed, the API could not be reached or did not answer within 1 s \(Request timed out\.\), 1 tries$/
    )
  })

  it('ends the read at once when a cache ignores the cursor and gives the first page again', async () => {
    const fake = await start(manyEvents(), { ignoreCursor: true })
    const api = source(fake)
    const result = await scanned(api)
    expect(organization(fake)).toHaveLength(2)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing).toHaveLength(1)
    expect(result.source.missing[0]).toContain(
      'page 2 failed, page 2 repeats page 1 (the same events), read with the cursor after=audit_log-000150: ' +
        'the API, or a proxy or cache in front of it, ignores the cursor. Check openai-base-url'
    )
    expect(result.findings).toHaveLength(50)
  })

  it('ends the read at once on a page whose cursor does not advance, or comes back', async () => {
    const fake = await start(manyEvents())
    const page = (ids: number[], last: string) => ({
      json: {
        object: 'list',
        data: ids.map((n) => keyEvent(n, SINCE + 60 * n)),
        first_id: `audit_log-${String(ids[0]).padStart(6, '0')}`,
        last_id: last,
        has_more: true
      }
    })
    // Page 1 is the server's; page 2 hands back the cursor it was read with.
    let { result } = await afterFirstPage(fake, () => fake.fault(page([149, 148], 'audit_log-000150')))
    expect(organization(fake)).toHaveLength(2)
    expect(result.source.missing[0]).toContain(
      'page 2 failed, page 2 gives the cursor after=audit_log-000150, the one it was read with: the read would go round in circles'
    )
    // Pages 2 and 3 send the read back to a cursor it has used.
    fake.requests.length = 0
    ;({ result } = await afterFirstPage(fake, () =>
      fake.fault(page([149, 148], 'audit_log-000148'), page([147, 146], 'audit_log-000148'))
    ))
    expect(organization(fake)).toHaveLength(3)
    expect(result.source.missing[0]).toContain(
      'page 3 failed, page 3 gives the cursor after=audit_log-000148, the one it was read with'
    )
  })

  it('names the page and the item of an event that is null, and fails closed', async () => {
    const fake = await start(manyEvents())
    const { result } = await afterFirstPage(fake, () =>
      fake.fault({ json: { object: 'list', data: [keyEvent(149, SINCE), null], has_more: false } })
    )
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toContain(
      'page 2 failed, page 2 item 2 is null, not an audit-log event: the answer is malformed. Run the same window again'
    )
    expect(result.source.missing[0]).not.toContain('Cannot read properties')
    // The page with the null is not half-read: its events come with the next try.
    expect(result.keyEvents).toBe(100)
  })

  it('takes no organization, project, base URL or headers from the environment', async () => {
    const fake = await start(manyEvents())
    const elsewhere = await startFakeOpenAI({ key: KEY, events: [] })
    const saved = { ...process.env }
    Object.assign(process.env, {
      OPENAI_ORG_ID: 'org-fromTheEnvironment',
      OPENAI_PROJECT_ID: 'proj_fromTheEnvironment',
      OPENAI_BASE_URL: elsewhere.baseURL,
      // Applied after the SDK's own authorization: it would replace the key.
      OPENAI_CUSTOM_HEADERS: 'Authorization: Bearer sk-admin-anotherOrganization0123\nOpenAI-Organization: org-custom'
    })
    try {
      await scanned(source(fake))
    } finally {
      for (const name of ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_BASE_URL', 'OPENAI_CUSTOM_HEADERS']) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
      await elsewhere.close()
    }
    expect(elsewhere.requests).toHaveLength(0)
    // Three pages of project key events, one of tenant-scoped ones: each with the key alone.
    expect(fake.requests).toHaveLength(4)
    for (const request of fake.requests) {
      expect(request.authorization).toBe(`Bearer ${KEY}`)
      expect(request.headers['openai-organization']).toBeUndefined()
      expect(request.headers['openai-project']).toBeUndefined()
    }
  })

  it('stops at the overall deadline however many retries are left', async () => {
    const fake = await start(manyEvents())
    fake.always({ status: 429, headers: { 'retry-after-ms': '40' } })
    const api = source(fake, { maxRetries: 1000, deadlineMs: 300 })
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.missing[0]).toContain('the read took longer than its limit of 300 ms')
    expect(fake.requests.length).toBeLessThan(1000)
  })
})

describe('tenant-scoped key events: read with tenant_only=true, as the spec says', () => {
  const events = (): AuditLogEvent[] => [
    keyEvent(1, SINCE + 100, ['all'], 'api_key.created', 'proj_a'),
    keyEvent(2, SINCE + 200, ['api.model.read'], 'api_key.created', 'proj_b'),
    adminKeyEvent(3, SINCE + 300),
    adminKeyEvent(4, SINCE + 400, 'tenant.admin_api_key.deleted', 'proj_default'),
    otherEvent(5, SINCE + 500, 'tenant.user.looked_up')
  ]

  it('reads admin key events from an API that serves them only to tenant_only=true (strict)', async () => {
    const fake = await start(events(), { tenant: 'strict' })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source).toMatchObject({ complete: true, missing: [], notRead: [] })
    expect(result.keyEvents).toBe(4)
    expect([...result.findings].map((finding) => finding.keyId).sort()).toEqual(['key_1', 'key_admin3'])
    expect([...result.deletions].map((deletion) => deletion.keyId)).toEqual(['key_admin4'])
    expect(tenant(fake)).toHaveLength(1)
    expect(tenant(fake)[0]!.query.getAll('event_types[]')).toEqual(TENANT_TYPES)
  })

  it('with project-ids: asks for the project key events of those projects, and for every admin key event', async () => {
    const fake = await start(events(), { tenant: 'strict' })
    const result = await scanned(source(fake, { projectIds: ['proj_a'] }))
    expect(organization(fake)[0]!.query.getAll('project_ids[]')).toEqual(['proj_a'])
    expect(tenant(fake)[0]!.query.has('project_ids[]')).toBe(false)
    expect([...result.findings].map((finding) => finding.keyId).sort()).toEqual(['key_1', 'key_admin3'])
  })

  it.each([
    [
      403,
      "(403: You do not have access to tenant-scoped audit logs.). Check that the admin key may read the organization's tenant-scoped audit-log events"
    ],
    [400, '(400: Unrecognized request argument supplied: tenant_only). Check that openai-base-url is the API']
  ] as const)(
    'a refusal (%i) of the tenant-scoped request is said once, naming the types and what to check',
    async (status, words) => {
      const fake = await start(events(), { tenant: { refuse: status } })
      const api = source(fake)
      const result = await scanned(api)
      // The window's other key events stand as read; no retry of a refusal.
      expect(result.source.complete).toBe(true)
      expect(tenant(fake)).toHaveLength(1)
      expect(result.findings).toHaveLength(1)
      expect(result.source.notRead).toHaveLength(1)
      expect(result.source.notRead[0]).toContain(
        `Tenant-scoped key events were not read: ${TENANT_TYPES.join(', ')} (admin API keys, and project keys made through the organization). ` +
          "The API refused the request with tenant_only=true, which OpenAI's spec requires for them "
      )
      expect(result.source.notRead[0]).toContain(words)
      expect(result.source.notRead[0]).toContain('until then, scan an audit-log export for them (audit-log-file).')
    }
  )

  it('a server error or a timeout on the tenant-scoped request leaves the window incomplete, named', async () => {
    const fake = await start(events(), { tenant: 'strict' })
    fake.alwaysOnTenant({ hang: true })
    const api = source(fake, { requestTimeoutMs: 150, maxRetries: 1 })
    const result = await scanned(api)
    expect(result.source.complete).toBe(false)
    expect(result.source.notRead).toEqual([])
    expect(result.source.missing).toHaveLength(1)
    expect(result.source.missing[0]).toMatch(
      /^tenant-scoped key events \(tenant\.project_api_key\.created, .*\) from .* to .* \(the whole window\) were not read: tenant-scoped page 1 failed, the API could not be reached or did not answer within 150 ms/
    )
    // What the first request read is kept.
    expect(result.findings).toHaveLength(1)
  })

  it('counts an event once when the API gives it to both requests', async () => {
    const fake = await start(events(), { ignoreTypes: true })
    const api = source(fake)
    const result = await scanned(api)
    expect(result.source.complete).toBe(true)
    expect(result.keyEvents).toBe(4)
    expect(result.duplicates).toBe(2)
    expect([...result.findings].map((finding) => finding.keyId).sort()).toEqual(['key_1', 'key_admin3'])
  })
})
