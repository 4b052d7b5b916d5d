// Issue 19 through dist/index.js, as the runner starts it: the identity's history read from a
// fake Admin API by actor_ids[], the signals, the escalation that labels and the gate use,
// the identity's other keys in each of its issues, the key's use from the Usage API, the
// notes a refused or failing read costs, and a rerun that writes nothing.
import { readFileSync } from 'node:fs'
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { startFakeOpenAI, userKey, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'

const KEY = 'sk-admin-INVabcdefghijklmnopqrstuvwxyz0123456789'
const now = Math.floor(Date.now() / 1000)
const DAY = 86_400
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0'

interface Session {
  id: string
  email: string
  ip: string
  ua: string
  country: string
  asn: string
}

const MALLORY_HOME: Session = {
  id: 'user-mallory',
  email: 'mallory@acme.test',
  ip: '203.0.113.5',
  ua: FIREFOX,
  country: 'US',
  asn: '7922'
}
const MALLORY_AWAY: Session = { ...MALLORY_HOME, ip: '185.220.101.9', ua: 'curl/8.4.0', country: 'DE', asn: '64512' }
const DANA: Session = {
  id: 'user-dana',
  email: 'dana@acme.test',
  ip: '203.0.113.60',
  ua: FIREFOX,
  country: 'US',
  asn: '7922'
}

function event(id: string, type: string, at: number, who: Session, payload: unknown = {}): AuditLogEvent {
  return {
    id,
    type,
    effective_at: at,
    project: { id: 'proj_main', name: 'Main' },
    actor: {
      type: 'session',
      session: {
        user: { id: who.id, email: who.email },
        ip_address: who.ip,
        user_agent: who.ua,
        ip_address_details: { country: who.country, asn: who.asn }
      }
    } as AuditLogEvent['actor'],
    [type]: payload
  }
}

/** Mallory: a login from home ten days ago, three failed logins from elsewhere, then two keys made with curl. */
const MALLORY = [
  event('audit_log-m01', 'login.succeeded', now - 10 * DAY, MALLORY_HOME),
  event('audit_log-m02', 'login.failed', now - 3 * 3600, MALLORY_AWAY, { error_code: 'invalid_credentials' }),
  event('audit_log-m03', 'login.failed', now - 3 * 3600 + 60, MALLORY_AWAY, { error_code: 'invalid_credentials' }),
  event('audit_log-m04', 'login.failed', now - 3 * 3600 + 120, MALLORY_AWAY, { error_code: 'invalid_mfa' }),
  event('audit_log-m05', 'api_key.created', now - 2 * 3600, MALLORY_AWAY, { id: 'key_m1', data: { scopes: [] } }),
  event('audit_log-m06', 'api_key.created', now - 2 * 3600 + 300, MALLORY_AWAY, {
    id: 'key_m2',
    data: { scopes: ['models:write'] }
  })
]

/** Dana: a restricted key five days ago, an unrestricted one today, from the same address and browser. */
const DANA_EVENTS = [
  event('audit_log-d01', 'api_key.created', now - 5 * DAY, DANA, {
    id: 'key_d0',
    data: { scopes: ['api.model.read'] }
  }),
  event('audit_log-d02', 'api_key.created', now - 3600, DANA, { id: 'key_d1', data: { scopes: [] } })
]

let openai: FakeOpenAI | undefined
let github: FakeGitHub

beforeAll(async () => {
  github = await new FakeGitHub({ repository: 'acme/security' }).start()
})
afterAll(async () => {
  await github.stop()
})
afterEach(async () => {
  await openai?.close()
  openai = undefined
  github.reset()
  github.issues = []
  github.comments = []
})

async function fakeOpenAI(events: AuditLogEvent[]): Promise<FakeOpenAI> {
  openai = await startFakeOpenAI({
    key: KEY,
    events,
    projectKeys: [userKey('key_m1', { email: MALLORY_HOME.email, createdAt: now - 2 * 3600, lastUsedAt: now - 600 })],
    usage: [
      {
        keyId: 'key_m1',
        day: now - 1800,
        model: 'gpt-4o',
        requests: 12,
        inputTokens: 3000,
        outputTokens: 400,
        cost: 0.42
      },
      { keyId: 'key_other', day: now - 1800, model: 'gpt-4o', requests: 99, inputTokens: 1, outputTokens: 1, cost: 9 }
    ]
  })
  return openai
}

const inputs = (fake: FakeOpenAI, extra: Record<string, string> = {}) => ({
  'openai-admin-key': KEY,
  'openai-base-url': fake.baseURL,
  'github-token': github.token,
  'fail-on': 'critical',
  // The coverage ledger's status issue is edited by each scheduled run: these tests count the key issues' writes.
  ledger: 'false',
  ...extra
})
const env = () => ({ GITHUB_API_URL: github.url })

const issueOf = (keyId: string) => github.issues.find((issue) => issue.body.includes(`openai-keywatch:key=${keyId} `))!

describe('dist/index.js investigates the identities behind its findings', () => {
  it('an identity with a suspicious history gets CRITICAL, its signals and its other keys; a routine one stays HIGH', async () => {
    const fake = await fakeOpenAI([...MALLORY, ...DANA_EVENTS])
    const run = await runAction(inputs(fake), env())
    // fail-on: critical fails on Mallory's key, not on Dana's routine unrestricted key.
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('::error::1 finding at or above fail-on (critical).')

    const m1 = issueOf('key_m1')
    expect(m1.title).toBe('[CRITICAL] Unrestricted key key_m1 created by mallory@acme.test in Main')
    expect(m1.labels).toEqual(['openai-keywatch', 'severity:critical'])
    expect(m1.body).toContain(
      '**Verdict: 🟥 CRITICAL**: unrestricted (all permissions); HIGH → CRITICAL: scripted client, new source, first key, failed logins.'
    )
    expect(m1.body).toContain('- **scripted client**: a dashboard session whose user agent is a tool: curl/8\\.4\\.0')
    expect(m1.body).toContain(
      "- **new source**: IP address `185.220.101.9`, country `DE`, ASN `64512` not seen in the identity's 1 earlier events"
    )
    expect(m1.body).toContain('- **failed logins**: 3 failed logins (login.failed) in the 24 hours before')
    // The identity's other key, in each of its issues; emails and ids copy exactly (code spans, no zero-width characters).
    expect(m1.body).toContain("### `mallory@acme.test`'s other keys")
    expect(m1.body).toMatch(/\| `key_m2` \| `models:write` \| 🔴 HIGH \|/)
    expect(m1.body).not.toMatch(/mallory@\u200b/)
    // What the key did: the Usage API's completions and costs for key_m1 alone.
    expect(m1.body).toContain('use: 12 requests, 3400 tokens (3000 in, 400 out), cost 0.42 USD')
    const m2 = issueOf('key_m2')
    expect(m2.labels).toEqual(['openai-keywatch', 'severity:high'])
    expect(m2.body).toContain('MEDIUM → HIGH: scripted client, new source, failed logins')
    expect(m2.body).toMatch(/\| `key_m1` \| unrestricted \(all\) \| 🟥 CRITICAL \|/)

    const d1 = issueOf('key_d1')
    expect(d1.title).toBe('[HIGH] Unrestricted key key_d1 created by dana@acme.test in Main')
    expect(d1.labels).toEqual(['openai-keywatch', 'severity:high'])
    expect(d1.body).toContain('**Verdict: 🔴 HIGH**: unrestricted (all permissions); 0 signals.')
    expect(d1.body).toMatch(/\| `key_d0` \| `api\.model\.read` \| - \| not known to be deleted \|/)

    // One request chain per filter (actor_ids[] alone), never combined with actor_emails[].
    const histories = fake.requests.filter((request) => request.query.has('actor_ids[]'))
    expect(histories.map((request) => request.query.getAll('actor_ids[]')).sort()).toEqual([
      ['user-dana'],
      ['user-mallory']
    ])
    expect(fake.requests.some((request) => request.query.has('actor_emails[]'))).toBe(false)
    const usage = fake.requests.filter((request) => /usage\/completions|costs$/.test(request.path))
    expect(usage.map((request) => request.query.getAll('group_by[]'))).toEqual([
      ['api_key_id', 'model'],
      ['api_key_id', 'line_item']
    ])
    expect(usage[0]!.query.getAll('api_key_ids[]')).toEqual(['key_m1'])

    // The summary: the issue link early, the signals, the identities; the JSON report carries them.
    expect(run.summary).toContain('| Severity | Key | Issue | Event |')
    expect(run.summary).toContain("- Identities' history: read for 2 of 2 identities from OpenAI Admin API")
    expect(run.summary).toContain('### By identity')
    expect(run.summary).toMatch(/\| `mallory@acme\.test` \| 🟥 CRITICAL \| `key_m1` `key_m2` \|/)
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.counts).toMatchObject({ total: 3, critical: 1, high: 2, medium: 0 })
    expect(report.keys[0].investigation.signals.map((signal: { name: string }) => signal.name)).toEqual([
      'scripted-client',
      'new-source',
      'first-key',
      'failed-logins'
    ])

    // A rerun over the same window writes nothing.
    github.reset()
    const again = await runAction(inputs(fake), env())
    expect(again.code).toBe(1)
    expect(github.writes).toEqual([])
    expect(again.summary).toContain('unchanged: 3')
  })

  it('fail-on: critical passes a routine identity whose unrestricted key is HIGH', async () => {
    const fake = await fakeOpenAI(DANA_EVENTS)
    const run = await runAction(inputs(fake), env())
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ findings: '1', high: '1' })
    expect(issueOf('key_d1').labels).toEqual(['openai-keywatch', 'severity:high'])
  })

  it('an escalation found by a later run changes the severity label only', async () => {
    const fake = await fakeOpenAI(MALLORY)
    const first = await runAction(inputs(fake, { 'escalate-signals': '0' }), env())
    expect(first.code).toBe(0)
    const m1 = issueOf('key_m1')
    expect(m1.labels).toEqual(['openai-keywatch', 'severity:high'])
    const title = m1.title
    const body = m1.body

    github.reset()
    const second = await runAction(inputs(fake), env())
    expect(second.code).toBe(1)
    expect(github.writes.map((write) => `${write.method} ${write.path}`).sort()).toEqual([
      `PATCH /repos/acme/security/issues/${issueOf('key_m1').number}`,
      `PATCH /repos/acme/security/issues/${issueOf('key_m2').number}`
    ])
    expect(issueOf('key_m1').labels).toEqual(['openai-keywatch', 'severity:critical'])
    expect(issueOf('key_m2').labels).toEqual(['openai-keywatch', 'severity:high'])
    expect(issueOf('key_m1').title).toBe(title)
    expect(issueOf('key_m1').body).toBe(body)
    expect(github.comments).toEqual([])

    github.reset()
    await runAction(inputs(fake), env())
    expect(github.writes).toEqual([])
  })

  it.each([
    [
      'refused',
      {
        status: 403,
        body: {
          error: {
            message: 'Missing scopes: api.audit_logs.read',
            type: 'invalid_request_error',
            param: null,
            code: null
          }
        }
      },
      'the Admin API refused the admin key (403: Missing scopes: api.audit_logs.read): give it the Audit Logs read permission'
    ],
    ['failing', { status: 500 }, 'the API answered 500 after 2 retries']
  ])('a %s history read costs one note, and changes no verdict', async (_, fault, words) => {
    const fake = await fakeOpenAI([...MALLORY, ...DANA_EVENTS])
    const off = await runAction(inputs(fake, { history: '0', 'create-issues': 'false' }))
    fake.alwaysWith('actor_ids[]', fault)
    const run = await runAction(inputs(fake, { 'create-issues': 'false' }))
    expect(run.outputs.complete).toBe('true')
    expect(run.code).toBe(off.code)
    for (const output of ['findings', 'high', 'medium', 'complete'])
      expect(run.outputs[output]).toBe(off.outputs[output])
    const notes = run.summary.split('\n').filter((line) => line.includes('History not read'))
    expect(notes).toHaveLength(1)
    expect(notes[0]!.replace(/\\/g, '')).toContain('History not read for 2 identities: ')
    expect(notes[0]!.replace(/\\/g, '')).toContain(words)
    // The first refusal or failure stops the reads: one identity tried (with the SDK's retries of a 500).
    const tried = fake.requests.filter((request) => request.query.has('actor_ids[]'))
    expect(new Set(tried.map((request) => request.query.get('actor_ids[]'))).size).toBe(1)
  })

  it('a refused or failing usage read costs one note, and changes no verdict', async () => {
    const fake = await fakeOpenAI(MALLORY)
    const base = await runAction(inputs(fake, { 'create-issues': 'false' }))
    for (const fault of [{ status: 403 }, { status: 500 }]) {
      fake.alwaysOn(/^\/v1\/organization\/(usage\/completions|costs)$/, fault)
      const run = await runAction(inputs(fake, { 'create-issues': 'false' }))
      expect(run.code).toBe(base.code)
      for (const output of ['findings', 'high', 'medium', 'complete'])
        expect(run.outputs[output]).toBe(base.outputs[output])
      const notes = run.summary.split('\n').filter((line) => line.includes('Usage not shown'))
      expect(notes).toHaveLength(1)
      expect(notes[0]!.replace(/\\/g, '')).toContain(
        fault.status === 403 ? 'the Usage API refused the admin key' : 'the Usage API could not be read'
      )
    }
  })
})
