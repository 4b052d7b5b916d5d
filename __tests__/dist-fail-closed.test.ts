// Issue 13, "fail closed everywhere", through dist/index.js as the runner starts it, against
// the stand-ins for OpenAI and GitHub on 127.0.0.1: exports it cannot read, a GitHub that
// holds the findings hostage, input mistakes, looping cursors, the workflow's environment,
// and the smaller ones.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { runAction } from './support/action.js'
import { created, deleted, login } from './support/events.js'
import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, otherEvent, startFakeOpenAI, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'
import { errors, expectIncomplete, exportFiles, HIGH, incomplete, jsonl, OTHERS } from './support/exports.js'
import { tempDir } from './support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'
const KEY = 'sk-admin-FailClosed0123456789abcdefghijklmnop'
const dir = tempDir('keywatch-closed-')
const file = exportFiles(dir)
let files = 0

describe('exports: read what is inside envelopes', () => {
  it.each([
    ['{"data": event}', jsonl([...OTHERS.map((data) => ({ data })), { data: HIGH }])],
    ['{"event": event}', jsonl([{ event: HIGH }, { event: OTHERS[0] }])],
    ['{"_source": event}', jsonl([{ _index: 'openai-audit', _id: 'x', _source: HIGH }])],
    ['{"events": [...]} on one line', jsonl([{ events: [...OTHERS, HIGH] }])],
    ['{"object": "list", "items": [...]} on one line', jsonl([{ object: 'list', items: [HIGH, ...OTHERS] }])],
    ['a pretty-printed {"events": [...]}', JSON.stringify({ events: [...OTHERS, HIGH] }, null, 2)]
  ])('%s: the HIGH key inside is found and fails the run', async (_, content) => {
    const run = await runAction({ 'audit-log-file': file(content), 'create-issues': 'false' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ findings: '1', high: '1', complete: 'true', keys: '["key-high"]' })
  })
})

describe('exports: what cannot be read makes the run incomplete, with one message', () => {
  const high = JSON.stringify(HIGH)
  it.each([
    ['cut short in its last line', jsonl(OTHERS) + high.slice(0, -30), /line 3, its last, is cut short/],
    [
      'a trailing comma',
      `${high},\n${jsonl(OTHERS)}`,
      /1 record that may be API key events could not be read \(line 1; each is listed/
    ],
    [
      'a raw control character',
      `${jsonl(OTHERS)}${high.replace('"all"', '"a\tll"')}\n${high.replace('"all"', '"al\u0007l"')}\n`,
      /2 records that may be API key events could not be read \(line 3, line 4; /
    ],
    [
      "UTF-16, as PowerShell's > writes it",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(jsonl([...OTHERS, HIGH]), 'utf16le')]),
      /the whole file: it is UTF-16 text/
    ],
    ['UTF-16 without a byte-order mark', Buffer.from(jsonl([HIGH]), 'utf16le'), /it holds NUL bytes/],
    [
      'an HTML error page',
      '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head></html>\n',
      /the whole file: it is an HTML or XML page/
    ],
    [
      'plain text',
      'The export job failed: quota exceeded.\nTry again later.\n',
      /no record in it is an audit-log event/
    ]
  ])('%s', async (_, content, message) => {
    const run = await runAction({ 'audit-log-file': file(content), 'create-issues': 'false', 'fail-on': 'none' })
    expectIncomplete(run, message)
  })

  it('1 TiB of NUL bytes: refused from its first megabyte', async () => {
    // Sparse, so it costs no disk; read whole it would take minutes, far past the test's
    // timeout, which is its only bound (the file source's unit test counts the bytes read).
    const zeros = join(dir, 'zeros.jsonl')
    execFileSync('truncate', ['-s', '1T', zeros])
    const run = await runAction({ 'audit-log-file': zeros, 'create-issues': 'false', 'fail-on': 'none' })
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    expect(incomplete(run)[0]).toMatch(/, the whole file: it holds NUL bytes, so it is not UTF-8 text/)
  })

  it.each([
    ['a missing file', () => join(dir, 'not-there.jsonl'), 'there is no such file'],
    ['a directory', () => dir, 'it is a directory: give the path of the export file inside it.'],
    [
      'a named pipe nothing writes to',
      () => {
        const fifo = join(dir, `fifo-${++files}`)
        execFileSync('mkfifo', [fifo])
        return fifo
      },
      'it is a named pipe (FIFO), not a file'
    ]
  ])('%s is refused, naming audit-log-file', async (_, path, words) => {
    const target = path()
    const run = await runAction({ 'audit-log-file': target, 'create-issues': 'false' }, {}, 15_000)
    expect(run.code).toBe(1)
    expect(errors(run)).toEqual([expect.stringContaining(`::error::Input audit-log-file is "${target}": ${words}`)])
    expect(run.outputs).toEqual({})
  })
})

describe('inputs', () => {
  it('reads scope lists written with spaces, and high-scopes as elevated', async () => {
    const events = [
      created({ id: 'audit_log-a', key: 'key-all', scopes: ['all'] }),
      created({ id: 'audit_log-f', key: 'key-files', scopes: ['api.files.write'] })
    ]
    const run = await runAction({
      'audit-log-file': file(jsonl(events)),
      'create-issues': 'false',
      'elevated-scopes': 'all admin',
      'high-scopes': '- admin\n- api.files.write\n',
      'fail-on': 'medium'
    })
    expect(run.code).toBe(1)
    // all: elevated, MEDIUM; api.files.write: only in high-scopes, HIGH all the same.
    expect(run.outputs).toMatchObject({ findings: '2', high: '1', medium: '1' })
  })

  it.each([
    [
      { label: 'security,openai' },
      '::error::Input label is "security,openai": a label with a comma cannot be looked up'
    ],
    [
      { 'openai-base-url': 'http://api.openai.example/v1' },
      '::error::Input openai-base-url is "http://api.openai.example/v1": http:// would send the admin key in clear text'
    ],
    [
      { 'openai-admin-key': 'sk-admin-pasted\u200bKey0123456789' },
      '::error::Input openai-admin-key holds a character that cannot be sent (U+200B at position 16, a zero-width space'
    ]
  ])('refuses %j, naming the input', async (inputs, message) => {
    const run = await runAction({ 'openai-admin-key': KEY, ...inputs })
    expect(run.code).toBe(1)
    expect(errors(run)).toEqual([expect.stringContaining(message)])
    expect(run.outputs).toEqual({})
  })
})

describe('the Admin API', () => {
  const now = Math.floor(Date.now() / 1000)
  let openai: FakeOpenAI | undefined
  afterEach(async () => {
    await openai?.close()
    openai = undefined
  })
  const events = (): AuditLogEvent[] => [
    ...Array.from({ length: 150 }, (_, n) => keyEvent(n, now - 3600 - n * 10, ['models:read'])),
    otherEvent(1, now - 100)
  ]
  const inputs = (fake: FakeOpenAI) => ({
    'openai-admin-key': KEY,
    'openai-base-url': fake.baseURL,
    'create-issues': 'false',
    'fail-on': 'none'
  })

  it('sends project-ids written with spaces as two projects', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events() })
    const run = await runAction({ ...inputs(openai), 'project-ids': 'proj_a proj_b' })
    expect(run.code).toBe(0)
    expect(openai.requests[0]!.query.getAll('project_ids[]')).toEqual(['proj_a', 'proj_b'])
  })

  it('stops at once on a cursor that does not move: a cache that ignores after', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events(), ignoreCursor: true })
    const run = await runAction(inputs(openai))
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    // Two pages of project key events; the tenant-scoped request has none to repeat.
    expect(openai.requests.filter((request) => !request.query.has('tenant_only'))).toHaveLength(2)
    expect(incomplete(run)[0]).toContain('page 2 failed, page 2 repeats page 1 (the same events)')
  })

  it('names the page and the item of a null event, and says what to do', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events() })
    openai.fault({ json: { object: 'list', data: [keyEvent(1, now - 60), null], has_more: false } })
    const run = await runAction(inputs(openai))
    expect(run.code).toBe(1)
    expect(incomplete(run)[0]).toContain(
      'page 1 failed, page 1 item 2 is null, not an audit-log event: the answer is malformed. Run the same window again'
    )
    expect(run.stdout).not.toContain('Cannot read properties')
  })

  it("takes nothing from the workflow's OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_BASE_URL and OPENAI_CUSTOM_HEADERS", async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events() })
    const elsewhere = await startFakeOpenAI({ key: KEY, events: [] })
    try {
      const run = await runAction(inputs(openai), {
        OPENAI_ORG_ID: 'org-otherStepsOrganization',
        OPENAI_PROJECT_ID: 'proj_otherStepsProject',
        OPENAI_BASE_URL: elsewhere.baseURL,
        OPENAI_CUSTOM_HEADERS: 'Authorization: Bearer sk-admin-anotherOrganization0123\nOpenAI-Project: proj_custom'
      })
      expect(run.code).toBe(0)
      expect(run.outputs).toMatchObject({ complete: 'true', events: '150' })
    } finally {
      await elsewhere.close()
    }
    expect(elsewhere.requests).toEqual([])
    // Two pages of project key events and one of tenant-scoped ones.
    expect(openai.requests).toHaveLength(3)
    for (const request of openai.requests) {
      expect(request.authorization).toBe(`Bearer ${KEY}`)
      expect(request.headers['openai-organization']).toBeUndefined()
      expect(request.headers['openai-project']).toBeUndefined()
    }
  })
})

describe('GitHub cannot hold the findings hostage', () => {
  let github: FakeGitHub
  beforeAll(async () => {
    github = await new FakeGitHub({ repository: 'acme/security' }).start()
  })
  afterAll(async () => {
    await github.stop()
  })
  beforeEach(() => {
    github.reset()
    github.issues = []
  })
  const issueInputs = () => ({
    'audit-log-file': SEED,
    'escalate-signals': '0',
    'fail-on': 'none',
    'github-token': github.token
  })
  const env = () => ({ GITHUB_API_URL: github.url })

  it.each(['hang', 'drip'] as const)(
    'a GitHub that %ss: the findings come first, the phase ends at github-budget, the keys are not written',
    async (mode) => {
      github.stall({ mode, everyMs: 200, times: 1000 })
      // The reason below says the budget ended the phase: no clock is read here.
      const run = await runAction({ ...issueInputs(), 'github-budget': '3s' }, env())
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ findings: '4', high: '4', complete: 'true', issues: '[]' })
      // The findings' annotations come before anything about GitHub.
      const lines = run.stdout.split('\n')
      const firstKey = lines.findIndex((line) => line.startsWith('::error title=HIGH%3A OpenAI API key'))
      const notWritten = lines.findIndex((line) => line.startsWith('::error::GitHub issue for 4 keys'))
      expect(firstKey).toBeGreaterThanOrEqual(0)
      expect(notWritten).toBeGreaterThan(firstKey)
      expect(lines[notWritten]).toContain(
        'not written: the GitHub phase used its whole budget (github-budget: 3s) before it was done.'
      )
      expect(run.summary).toContain('| 🔴 HIGH | `key-suspicious001` |')
      expect(run.summary).toContain('### Issue failures: 4')
      expect(run.summary).not.toContain('being written to GitHub now')
      expect(run.stdout).toContain('::error::The GitHub issue of 4 keys could not be written')
    }
  )

  it('a secondary limit on every write ends the phase after three refusals', async () => {
    github.fail({ method: 'POST', status: 403, retryAfter: 1, times: 1000 })
    const run = await runAction(issueInputs(), env())
    expect(run.code).toBe(1)
    expect(github.writes).toHaveLength(3)
    expect(run.stdout).toContain(
      "::error::GitHub issue for 3 keys (key-existing123, key-malicious001, key-suspicious001) not written: GitHub's secondary rate limit refused 3 requests in a row, so the GitHub phase ended early."
    )
    expect(run.outputs.findings).toBe('4')
  })

  it('a deletion that cannot be noted while GitHub is down is a warning, not a failure', async () => {
    github.fail({ method: 'GET', status: 503, message: 'Service Unavailable', times: 1000 })
    const events = [deleted({ id: 'audit_log-d1', key: 'key-gone' }), login('audit_log-l1')]
    const run = await runAction(
      { 'audit-log-file': file(jsonl(events)), 'fail-on': 'high', 'github-token': github.token },
      env()
    )
    expect(run.code).toBe(0)
    expect(errors(run)).toEqual([])
    expect(run.stdout).toMatch(
      /^::warning::Deletion of key key-gone not noted on its issue \(this does not fail the run\): Could not list the issues labelled openai-keywatch: GitHub answered 503/m
    )
    expect(run.summary).toContain('### Deletions not noted: 1')
  })
})

describe('the runner', () => {
  it('names the report after the step: two steps of the action in one job write two reports', async () => {
    const temp = join(dir, `runner-${++files}`)
    mkdirSync(temp)
    const inputs = { 'audit-log-file': SEED, 'escalate-signals': '0', 'create-issues': 'false', 'fail-on': 'none' }
    const first = await runAction(inputs, { RUNNER_TEMP: temp, GITHUB_ACTION: '__org_openai-keywatch' })
    const second = await runAction(inputs, { RUNNER_TEMP: temp, GITHUB_ACTION: '__org_openai-keywatch_2' })
    expect(basename(first.outputs.report!)).toBe('openai-keywatch-report-4242-1-__org_openai-keywatch.json')
    expect(basename(second.outputs.report!)).toBe('openai-keywatch-report-4242-1-__org_openai-keywatch_2.json')
    expect(JSON.parse(readFileSync(first.outputs.report!, 'utf8')).counts.high).toBe(4)
  })

  it('an unwritable GITHUB_STEP_SUMMARY still sets the outputs and the verdict', async () => {
    const run = await runAction(
      { 'audit-log-file': SEED, 'escalate-signals': '0', 'create-issues': 'false', 'fail-on': 'high' },
      { GITHUB_STEP_SUMMARY: join(dir, 'no-such-dir', 'summary.md') }
    )
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ findings: '4', high: '4', complete: 'true' })
    expect(run.stdout).toMatch(/^::warning::The job summary could not be written \(GITHUB_STEP_SUMMARY\): /m)
    expect(run.stdout).toContain('::error::4 findings at or above fail-on (high).')
  })
})
