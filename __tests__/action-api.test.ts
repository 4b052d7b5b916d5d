// dist/index.js as the runner starts it, reading a fake Admin API on 127.0.0.1.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runAction, type ActionRun } from './support/action.js'
import { keyEvent, otherEvent, startFakeOpenAI, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'

const KEY = 'sk-admin-E2Eabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)

function events(): AuditLogEvent[] {
  const out: AuditLogEvent[] = []
  // 150 key events over the last few hours (2 pages), half of them HIGH; others around them.
  for (let n = 0; n < 150; n++) out.push(keyEvent(n, now - 3600 - n * 60, n % 2 === 0 ? ['all'] : ['models:read']))
  for (let n = 0; n < 50; n++) out.push(otherEvent(n, now - 1800 - n * 60))
  return out
}

/**
 * Everything the run left behind that a person can read: its log, the summary and each file
 * it wrote. The `::add-mask::` command is the one line the runner keeps to itself (it is how
 * the runner learns what to mask), and it must come first.
 */
function everything(run: ActionRun, key: string): string {
  const [first, ...rest] = run.stdout.split('\n')
  expect(first).toBe(`::add-mask::${key}`)
  const files = readdirSync(run.dir).map((name) => readFileSync(join(run.dir, name), 'utf8'))
  return [rest.join('\n'), run.stderr, run.summary, ...files].join('\n')
}

let server: FakeOpenAI | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const inputs = (fake: FakeOpenAI, key = KEY) => ({
  'openai-admin-key': key,
  'openai-base-url': fake.baseURL,
  'fail-on': 'none',
  'create-issues': 'false',
  // The window's reads are what these tests count; the history's are __tests__/dist-investigate.test.ts's.
  history: '0'
})

describe('dist/index.js against the Admin API', () => {
  it('reads the last 24 hours page by page, reports the findings, and looks up at most 50 keys', async () => {
    server = await startFakeOpenAI({ key: KEY, events: events() })
    const run = await runAction(inputs(server))
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '75', high: '75', events: '150' })
    const paths = server.requests.map((request) => request.path)
    // Two pages of project key events, one of tenant-scoped ones.
    expect(paths.filter((path) => path === '/v1/organization/audit_logs')).toHaveLength(3)
    // 75 keys with findings: the first 50 are looked up (none of them exists in the fake), the rest counted.
    expect(paths.filter((path) => path.startsWith('/v1/organization/projects/proj_main/api_keys/'))).toHaveLength(50)
    expect(paths).toHaveLength(53)
    expect(run.summary).toContain('- Keys looked up: 50 of 75 (25 not looked up: see below)')
    expect(run.summary.replace(/\\/g, '')).toContain(
      '25 keys not looked up: at most 50 keys are looked up a run, those of highest severity first.'
    )
    expect(everything(run, KEY)).not.toContain(KEY)
  })

  it('fails with complete=false on a 500 that does not stop, whatever fail-on says, within its retries', async () => {
    server = await startFakeOpenAI({ key: KEY, events: events() })
    // retry-after-ms keeps the backoff short; the count of tries stays the action's.
    server.always({ status: 500, headers: { 'retry-after-ms': '10' } })
    const run = await runAction(inputs(server))
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    // The action's default: 5 retries of the failing page, the first of each request.
    expect(server.requests).toHaveLength(12)
    expect(run.stdout).toMatch(
      /::error::Audit-log window incomplete, this run cannot say it is clean: events from \S+ to \S+ \(the whole window\) were not read: page 1 failed, the API answered 500 after 5 retries/
    )
    expect(run.stdout).toMatch(
      /::error::Audit-log window incomplete, this run cannot say it is clean: tenant-scoped key events \(tenant\.project_api_key\.created, [^)]*\) from \S+ to \S+ \(the whole window\) were not read: tenant-scoped page 1 failed, the API answered 500 after 5 retries/
    )
    expect(run.summary).toContain('Read completely: **no**')
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.complete).toBe(false)
    expect(report.gate.failed).toBe(true)
  })

  it('stops after one request on a wrong key, says what to do, and prints the key nowhere', async () => {
    server = await startFakeOpenAI({ key: 'sk-admin-theRealKey0123456789abcdef', events: events() })
    const run = await runAction(inputs(server))
    expect(run.code).toBe(1)
    expect(server.requests).toHaveLength(1)
    expect(run.stdout).toContain(
      '::error::The OpenAI Admin API did not accept the key (401: Incorrect API key provided: ***'
    )
    expect(run.stdout).toContain('Use an OpenAI Admin API key (sk-admin-...) with read permission on audit logs')
    expect(everything(run, KEY)).not.toContain(KEY)
    expect(everything(run, KEY)).not.toContain(KEY.slice('sk-admin-'.length))
  })

  it('refuses a project key before any request', async () => {
    server = await startFakeOpenAI({ key: KEY, events: events() })
    const projectKey = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'
    const run = await runAction(inputs(server, projectKey))
    expect(run.code).toBe(1)
    expect(server.requests).toHaveLength(0)
    expect(run.stdout).toContain('::error::Input openai-admin-key is a project API key (sk-proj-...)')
    expect(everything(run, projectKey)).not.toContain(projectKey)
  })

  it("reads keys in OpenAI's terms: unrestricted, updated to no scopes and admin keys are HIGH; read-only, model use and renames are not", async () => {
    const at = now - 600
    const session = { type: 'session', session: { user: { id: 'user-owner', email: 'owner@example.com' } } }
    const event = (id: string, type: string, payload: Record<string, unknown>): AuditLogEvent => ({
      id,
      type,
      effective_at: at,
      project: { id: 'proj_main', name: 'Main' },
      actor: session,
      [type]: payload
    })
    // The spec read literally: admin key events come only to tenant_only=true.
    server = await startFakeOpenAI({
      key: KEY,
      tenant: 'strict',
      events: [
        event('audit_log-all', 'api_key.created', { id: 'key_all', data: {} }),
        event('audit_log-widen', 'api_key.updated', { id: 'key_widen', changes_requested: { scopes: [] } }),
        event('audit_log-admin', 'tenant.admin_api_key.created', { id: 'key_admin' }),
        event('audit_log-ro', 'api_key.created', { id: 'key_ro', data: { scopes: ['api.all.read'] } }),
        event('audit_log-model', 'api_key.created', {
          id: 'key_model',
          data: { scopes: ['model.request', 'api.model.read'] }
        }),
        event('audit_log-rename', 'api_key.updated', { id: 'key_rename', changes_requested: { name: 'renamed' } })
      ]
    })
    const run = await runAction(inputs(server))
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '3', high: '3', medium: '0', events: '6' })
    expect(JSON.parse(run.outputs.keys!).sort()).toEqual(['key_admin', 'key_all', 'key_widen'])
    const tenant = server.requests.find((request) => request.query.get('tenant_only') === 'true')
    expect(tenant!.query.getAll('event_types[]')).toEqual(
      expect.arrayContaining(['tenant.admin_api_key.created', 'tenant.admin_api_key.updated'])
    )
    expect(run.summary).toContain('all (unrestricted: no scopes recorded)')
    expect(run.summary).toContain('admin (admin API key)')
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    const titles = report.keys.map((key: { findings: { title: string }[] }) => key.findings[0]!.title).sort()
    expect(titles).toEqual([
      'OpenAI API key key_all created with elevated scopes [all (unrestricted: no scopes recorded)] by owner@example.com',
      'OpenAI API key key_widen updated with elevated scopes [all (unrestricted: no scopes recorded)] by owner@example.com',
      'OpenAI admin API key key_admin created with elevated scopes [admin (admin API key)] by owner@example.com'
    ])
  })
})
