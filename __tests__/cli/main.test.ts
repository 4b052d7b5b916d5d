// The command line: main(argv, out, err) in process, and the built bin once as a process.
import { execFileSync, spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { EXIT, main } from '../../src/cli/main.js'
import { renderSummary } from '../../src/report/summary.js'
import { keyEvent, serviceAccountKey, startFakeOpenAI, userKey } from '../support/fake-openai.js'
import { runCli, type CliRun } from '../support/cli.js'
import { tempDir } from '../support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'
const SAMPLE = 'examples/audit-log.sample.jsonl'
const ADMIN_KEY = 'sk-admin-TESTONLY0123456789abcdef'

function cli(argv: string[], color = false): Promise<CliRun> {
  return runCli(argv, { color })
}

const savedKey = process.env.OPENAI_ADMIN_KEY
beforeEach(() => delete process.env.OPENAI_ADMIN_KEY)
afterAll(() => {
  if (savedKey === undefined) delete process.env.OPENAI_ADMIN_KEY
  else process.env.OPENAI_ADMIN_KEY = savedKey
})

describe('help', () => {
  it.each([
    [['--help'], 'Usage: openai-keywatch <command>'],
    [['help'], 'Usage: openai-keywatch <command>'],
    [['scan', '--help'], 'Usage: openai-keywatch scan'],
    [['scan', '-h'], 'Usage: openai-keywatch scan'],
    [['test', '--help'], 'Usage: openai-keywatch test'],
    [['demo', '--help'], 'Usage: openai-keywatch demo']
  ])('%j prints its usage and exits 0', async (argv, usage) => {
    const run = await cli(argv)
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).toContain(usage)
    expect(run.err).toBe('')
  })

  it('documents the exit codes in the main and scan help', async () => {
    for (const argv of [['--help'], ['scan', '--help']]) {
      const { out } = await cli(argv)
      expect(out).toContain('0  clean')
      expect(out).toContain('1  findings at or above --fail-on')
      expect(out).toContain('2  usage error, or the window could not be read completely')
    }
  })

  it('lists every scan option it accepts', async () => {
    const { out } = await cli(['scan', '--help'])
    for (const flag of [
      '--file',
      '--lookback',
      '--since',
      '--until',
      '--project-ids',
      '--fail-on',
      '--allow-actors',
      '--elevated-scopes',
      '--high-scopes',
      '--base-url',
      '--label',
      '--max-issues',
      '--reopen-closed',
      '--json',
      '--summary'
    ]) {
      expect(out).toContain(`  ${flag} `)
    }
    expect(out).toContain('OPENAI_ADMIN_KEY')
  })

  it('without a command prints the usage on stderr and exits 2', async () => {
    const run = await cli([])
    expect(run.code).toBe(EXIT.usage)
    expect(run.err).toContain('Usage: openai-keywatch <command>')
  })
})

describe('usage errors say what was wrong and exit 2', () => {
  it.each([
    [['scna'], 'Unknown command "scna": use scan, demo, test or revoke (openai-keywatch --help).'],
    [['scan', '--fiel', SEED], 'Unknown option --fiel for scan: run "openai-keywatch scan --help" for the options.'],
    [['scan', '--file'], 'Option --file needs a value: run "openai-keywatch scan --help" for the options.'],
    [
      ['scan', '--since', '--json'],
      'Option --since needs a value; for a value that starts with "-", write --since=VALUE'
    ],
    [['scan', '--file', SEED, '--json=yes'], 'Option --json takes no value'],
    [['scan', SEED], 'Unexpected argument "__fixtures__/seed-events.jsonl" for scan, which takes only options'],
    [['demo', '--markdwon', 'x'], 'Unknown option --markdwon for demo'],
    [['test', '--verbose'], 'Unknown option --verbose for test'],
    [
      ['scan', '--file', SEED, '--fail-on', 'hihg'],
      'Option --fail-on is "hihg": use one of critical, high, medium, low, info, none.'
    ],
    [
      ['scan', '--file', SEED, '--lookback', '24'],
      'Option --lookback is "24": use a positive whole number with a unit'
    ],
    [['scan', '--file', SEED, '--since', 'yesterday'], 'Option --since is "yesterday": use an ISO 8601 time'],
    [['scan', '--file', SEED, '--max-issues=-1'], 'Option --max-issues is "-1": use a whole number'],
    [['scan', '--file', SEED, '--reopen-closed', 'yes'], 'Option --reopen-closed is "yes": use true or false.'],
    [['scan', '--file', SEED, '--base-url', 'ftp://x'], 'Option --base-url is "ftp://x": use an http(s) URL'],
    [['scan', '--file', SEED, '--fail-on', ' '], 'Option --fail-on is empty: give it a value or leave it out.'],
    [
      ['scan', '--file', SEED, '--since', '2024-01-02', '--until', '2024-01-01'],
      'Options --since (2024-01-02T00:00:00.000Z) and --until (2024-01-01T00:00:00.000Z) are inverted'
    ],
    [['scan', '--file', SEED, '--since', '2999-01-01'], 'Option --since (2999-01-01T00:00:00.000Z) is in the future'],
    [['scan'], 'OPENAI_ADMIN_KEY is not set: export an OpenAI Admin API key']
  ])('%j', async (argv, message) => {
    const run = await cli(argv)
    expect(run.code).toBe(EXIT.usage)
    expect(run.err).toContain(`openai-keywatch: ${message}`)
    expect(run.out).toBe('')
  })

  it('names the key by its variable when it cannot read audit logs', async () => {
    process.env.OPENAI_ADMIN_KEY = 'sk-proj-abcdefghijklmnop0123456789'
    const run = await cli(['scan'])
    expect(run.code).toBe(EXIT.usage)
    expect(run.err).toContain(
      'openai-keywatch: OPENAI_ADMIN_KEY is a project API key (sk-proj-...), which cannot read audit logs.'
    )
    expect(run.err).not.toContain('abcdefghijklmnop')
  })
})

describe('scan a file', () => {
  it('prints the findings by key and fails on HIGH with the default fail-on', async () => {
    const run = await cli(['scan', '--file', SEED])
    expect(run.code).toBe(EXIT.findings)
    expect(run.out).toContain('Events scanned   8 (API key events: 7)')
    // Three of Panther's four keys come with two signals each (a tool's user agent or another
    // key, and no history of the identity in the file): HIGH → CRITICAL.
    expect(run.out).toContain('Findings         4 (CRITICAL 3, HIGH 1, MEDIUM 0) on 4 keys')
    for (const key of ['key-suspicious001', 'key-child001', 'key-malicious001'])
      expect(run.out).toContain(`CRITICAL  ${key}`)
    expect(run.out).toContain('HIGH    key-existing123')
    expect(run.out).toContain('HIGH → CRITICAL: scripted client, unknown identity')
    expect(run.out).toContain(
      'signal: via another key: made with API key key-parent001 of user suspicious@external.com'
    )
    expect(run.out).toContain('FAIL  4 findings at or above --fail-on (high).')
  })

  it('exits 0 with --fail-on none, and suppresses --allow-actors', async () => {
    const run = await cli([
      'scan',
      '--file',
      SEED,
      '--fail-on',
      'none',
      '--allow-actors',
      'contractor@external.com,user-intern001'
    ])
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).toContain('Findings         2 (CRITICAL 2, HIGH 0, MEDIUM 0) on 2 keys')
    expect(run.out).toContain('Suppressed by allow-actors: 2')
    expect(run.out).toContain('PASS  Passed: --fail-on is none.')
  })

  it('takes the scope lists: --high-scopes admin makes the all-only key MEDIUM', async () => {
    const run = await cli([
      'scan',
      '--file',
      SEED,
      '--high-scopes',
      'admin',
      '--fail-on',
      'high',
      '--json',
      '--escalate-signals',
      '0'
    ])
    const report = JSON.parse(run.out)
    expect(report.counts).toMatchObject({ total: 4, high: 2, medium: 2 })
    expect(run.code).toBe(EXIT.findings)
  })

  it('--json prints only the report, and --summary writes the Markdown summary', async () => {
    const summary = join(tempDir('keywatch-cli-'), 'summary.md')
    const run = await cli(['scan', '--file', SAMPLE, '--fail-on', 'none', '--json', '--summary', summary])
    expect(run.code).toBe(EXIT.clean)
    const report = JSON.parse(run.out)
    expect(report).toMatchObject({
      complete: true,
      eventsScanned: 46,
      counts: { total: 14, critical: 6, high: 5, medium: 3 }
    })
    // The JSON report carries each key's signals and escalation.
    const mallory = report.keys.find((key: { keyId: string }) => key.keyId === 'key_Mallory0012')
    expect(mallory.investigation.escalation).toEqual({
      from: 'HIGH',
      to: 'CRITICAL',
      because: ['scripted client', 'new source', 'first key', 'failed logins']
    })
    const dana = report.keys.find((key: { keyId: string }) => key.keyId === 'key_DanaAll0011')
    expect(dana).toMatchObject({ severity: 'HIGH', investigation: { history: { status: 'read', events: 4 } } })
    expect(dana.investigation.signals.filter((signal: { counts: boolean }) => signal.counts)).toEqual([])
    expect(readFileSync(summary, 'utf8')).toBe(renderSummary(report))
  })

  it('never reports an unreadable file clean: exit 2 whatever fail-on says', async () => {
    const file = join(tempDir('keywatch-cli-'), 'broken.json')
    writeFileSync(file, '[{"id": "audit_log-1", "type": "api_key.created"')
    const run = await cli(['scan', '--file', file, '--fail-on', 'none'])
    expect(run.code).toBe(EXIT.usage)
    expect(run.out).toMatch(/Read completely {2}NO: file \S+broken\.json, the whole file: it is not valid JSON/)
    expect(run.out).toContain('FAIL  The audit-log window was not read completely')
  })

  it('reads the export from standard input with --file -', async () => {
    const out: string[] = []
    const stdin = Readable.from([readFileSync(SAMPLE)])
    const code = await main(
      ['scan', '--file', '-', '--fail-on', 'none'],
      (line) => out.push(line),
      () => {},
      { stdin }
    )
    expect(code).toBe(EXIT.clean)
    expect(out.join('\n')).toMatch(/Source {11}standard input\n/)
    // Standard input is read once: the history is not read, and says so.
    expect(out.join('\n')).toContain('Findings         14 (CRITICAL 1, HIGH 9, MEDIUM 4) on 13 keys')
    expect(out.join('\n')).toContain('note: History not read: standard input cannot be read a second time')

    const terminal = Object.assign(Readable.from([]), { isTTY: true })
    const err: string[] = []
    expect(
      await main(
        ['scan', '--file', '-'],
        () => {},
        (line) => err.push(line),
        { stdin: terminal }
      )
    ).toBe(EXIT.usage)
    expect(err.join('\n')).toContain(
      '--file - reads the export from standard input, which is a terminal here: pipe it in'
    )
  })

  it('names --file when it is no export file: missing, a directory, a named pipe', async () => {
    const dir = tempDir('keywatch-cli-')
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    for (const [path, words] of [
      [join(dir, 'nope.jsonl'), 'there is no such file'],
      [dir, 'it is a directory: give the path of the export file inside it.'],
      [fifo, 'it is a named pipe (FIFO), not a file']
    ] as const) {
      const run = await cli(['scan', '--file', path])
      expect(run.code).toBe(EXIT.usage)
      expect(run.err).toContain(`openai-keywatch: Option --file is "${path}": ${words}`)
    }
  })

  it('dist/cli/index.js reads a gzip-compressed export piped to --file -', () => {
    const run = spawnSync(process.execPath, ['dist/cli/index.js', 'scan', '--file', '-', '--json'], {
      input: gzipSync(readFileSync(SAMPLE)),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' }
    })
    expect(run.status).toBe(EXIT.findings)
    expect(JSON.parse(run.stdout)).toMatchObject({ source: 'standard input', complete: true, counts: { total: 14 } })
  })

  it('removes control characters copied from the log, so nothing can rewrite the terminal', async () => {
    const file = join(tempDir('keywatch-cli-'), 'escape.jsonl')
    const event = {
      id: 'audit_log-esc',
      type: 'api_key.created',
      effective_at: 1702857600,
      actor: {
        type: 'session',
        session: { user: { email: 'x\u001b[2J\u001b[31m@evil.example' }, user_agent: 'ua\u001b]0;pwned\u0007\r\n' }
      },
      api_key_created: { id: 'key-\u001b[8mhidden', data: { scopes: ['all'] } }
    }
    writeFileSync(file, `${JSON.stringify(event)}\n`)
    const run = await cli(['scan', '--file', file, '--fail-on', 'none'])
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/)
    expect(run.out).toContain('x [2J [31m@evil.example')
  })
})

describe('scan the Admin API (a local server stands in for OpenAI)', () => {
  let server: Server
  let baseUrl: string
  let respond: (request: IncomingMessage) => { status: number; body: unknown }
  const requests: { url: string; authorization?: string }[] = []

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ url: request.url ?? '', authorization: request.headers.authorization })
      const { status, body } = respond(request)
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  beforeEach(() => (requests.length = 0))

  it('reads the lookback window with the key from OPENAI_ADMIN_KEY', async () => {
    const now = Math.floor(Date.now() / 1000)
    respond = () => ({
      status: 200,
      body: {
        object: 'list',
        data: [
          {
            id: 'audit_log-live1',
            type: 'api_key.created',
            effective_at: now - 600,
            actor: { type: 'session', session: { user: { email: 'ops@company.com' } } },
            'api_key.created': { id: 'key_live', data: { scopes: ['models:write'] } }
          }
        ],
        has_more: false
      }
    })
    process.env.OPENAI_ADMIN_KEY = ADMIN_KEY
    const run = await cli(['scan', '--base-url', baseUrl, '--lookback', '2h', '--fail-on', 'medium', '--history', '0'])
    expect(run.code).toBe(EXIT.findings)
    expect(run.out).toContain('MEDIUM  key_live')
    // The project key events, then the tenant-scoped ones (tenant_only=true); the same
    // event in both answers counts once.
    expect(requests).toHaveLength(2)
    expect(new URL(requests[1]!.url, baseUrl).searchParams.get('tenant_only')).toBe('true')
    expect(run.out).toContain('API key events: 1, duplicates skipped: 1')
    expect(requests[0]!.authorization).toBe(`Bearer ${ADMIN_KEY}`)
    const query = new URL(requests[0]!.url, baseUrl).searchParams
    expect(Number(query.get('effective_at[lt]')) - Number(query.get('effective_at[gte]'))).toBe(7200)
  })

  it('a refused key (401) is exit 2 with a message that never shows the key', async () => {
    respond = () => ({
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${ADMIN_KEY}.`, type: 'invalid_request_error' } }
    })
    process.env.OPENAI_ADMIN_KEY = ADMIN_KEY
    const run = await cli(['scan', '--base-url', baseUrl, '--fail-on', 'none'])
    expect(run.code).toBe(EXIT.usage)
    expect(run.err).toContain('openai-keywatch: The OpenAI Admin API did not accept the key (401')
    expect(run.err + run.out).not.toContain('TESTONLY0123456789abcdef')
  })
})

describe('scan looks the keys with findings up', () => {
  it('says whose key it is, its last use, and whether it still exists; --enrich-keys false asks nothing', async () => {
    const now = Math.floor(Date.now() / 1000)
    const fake = await startFakeOpenAI({
      key: ADMIN_KEY,
      events: [keyEvent(1, now - 600, ['all']), keyEvent(2, now - 500, ['all']), keyEvent(3, now - 400, ['all'])],
      projectKeys: [
        userKey('key_1', { email: 'alice@example.com', lastUsedAt: now - 7200 }),
        serviceAccountKey('key_2')
      ]
    })
    try {
      process.env.OPENAI_ADMIN_KEY = ADMIN_KEY
      const run = await cli([
        'scan',
        '--base-url',
        fake.baseURL,
        '--lookback',
        '1h',
        '--fail-on',
        'none',
        '--history',
        '0'
      ])
      expect(run.code).toBe(EXIT.clean)
      expect(run.out).toMatch(
        /key_1 .*\n {10}owned by user alice@example\.com \(owner\), named Key key_1 \(sk-proj-\*\*\*\*abcd\), last used \S+ \(2 hours ago\)/
      )
      expect(run.out).toContain(
        'owned by service account deploybot (svc_acct_deploybot, member), named Key key_2 (sk-svcacct-****wxyz), never used'
      )
      expect(run.out).toContain('not found in proj_main (the Admin API answers 404)')
      // The window (2), the three keys, and the usage of the two found (completions, costs: 404 here, one note).
      expect(fake.requests.map((request) => request.path).slice(0, 5)).toEqual([
        '/v1/organization/audit_logs',
        '/v1/organization/audit_logs',
        '/v1/organization/projects/proj_main/api_keys/key_1',
        '/v1/organization/projects/proj_main/api_keys/key_2',
        '/v1/organization/projects/proj_main/api_keys/key_3'
      ])

      fake.requests.length = 0
      const off = await cli([
        'scan',
        '--base-url',
        fake.baseURL,
        '--lookback',
        '1h',
        '--fail-on',
        'none',
        '--enrich-keys',
        'false',
        '--history',
        '0'
      ])
      expect(off.code).toBe(EXIT.clean)
      expect(fake.requests.map((request) => request.path)).toEqual([
        '/v1/organization/audit_logs',
        '/v1/organization/audit_logs'
      ])
      expect(off.out).not.toContain('owned by')
    } finally {
      await fake.close()
    }
  })
})

describe('demo', () => {
  it('scans the bundled sample in dry-run, shows the issues and the verdict, and exits 0', async () => {
    const run = await cli(['demo'])
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).toContain('Source           file examples/audit-log.sample.jsonl')
    expect(run.out).toContain('Findings         14 (CRITICAL 6, HIGH 5, MEDIUM 3) on 13 keys')
    // At most 10 identities a run, the worst first: the one left out is named.
    expect(run.out).toContain(
      'History          read for 10 of 11 identities from file examples/audit-log.sample.jsonl, 1 left out'
    )
    expect(run.out).toContain(
      'note: History not read for 1 more identity (at most 10 a run, worst first): carol@company.com.'
    )
    // Both shapes, a service account, a deleted key with a finding.
    expect(run.out).toContain('CRITICAL  key-suspicious001')
    expect(run.out).toContain('HIGH    key_CIbuild0003  2 findings')
    expect(run.out).toContain('by service account svc_acct_deploybot via API key key_SAparent0001')
    expect(run.out).toMatch(/CRITICAL {2}key_Night0004[\s\S]*deleted {2}by bob@company\.com/)
    // The suspicious identity and the routine one.
    expect(run.out).toContain('HIGH → CRITICAL: scripted client, new source, first key, failed logins')
    expect(run.out).toContain('signal: failed logins: 3 failed logins (login.failed) in the 24 hours before')
    expect(run.out).toMatch(/HIGH {4}key_DanaAll0011 .*\n {10}identity dana@company\.com \(history: 4 events/)
    expect(run.out).toContain('Issues the action would open or update: 13')
    expect(run.out).toContain('1.  [CRITICAL] Admin key key_AdminOps0009 created by newhire@company.com')
    expect(run.out).toContain(
      '2.  [CRITICAL] Unrestricted key key_Mallory0012 created by mallory@company.com in Payments'
    )
    expect(run.out).toContain('labels: openai-keywatch, severity:critical')
    expect(run.out.match(/\[ \] Validate the identity/g)).toHaveLength(13)
    expect(run.out).toContain('The gate (fail-on: high): FAIL  11 findings at or above --fail-on (high).')
    expect(run.out).not.toContain('\u001b[')
  })

  it('colours only when asked', async () => {
    const run = await cli(['demo'], true)
    expect(run.out).toContain('\u001b[')
  })

  it('--markdown writes the summary and each issue body', async () => {
    const dir = tempDir('keywatch-cli-')
    const run = await cli(['demo', '--markdown', dir])
    expect(run.code).toBe(EXIT.clean)
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('## OpenAI Anomalous API Key Activity')
    const issues = JSON.parse(readFileSync(join(dir, 'issues.json'), 'utf8'))
    expect(issues).toHaveLength(13)
    expect(issues[0]).toMatchObject({
      file: 'issue-1.md',
      keyId: 'key_AdminOps0009',
      labels: ['openai-keywatch', 'severity:critical']
    })
    const body = readFileSync(join(dir, 'issue-3.md'), 'utf8')
    expect(body).toContain('### The key was deleted')
    expect(body).toContain('**short-lived**: deleted by this identity 45 minutes after creation')
    expect(body).toContain('- [ ] If suspicious activity is confirmed')
  })
})

describe('test (the spec runner)', () => {
  it('runs the bundled spec', async () => {
    const run = await cli(['test'])
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).toMatch(/\d+ passed, 0 failed$/)
  })

  it('an unreadable spec is exit 2', async () => {
    const run = await cli(['test', 'no/such/spec.yml'])
    expect(run.code).toBe(EXIT.usage)
    expect(run.err).toContain('Cannot read spec no/such/spec.yml: there is no such file.')
  })
})

describe('the built bin, as npm start runs it', () => {
  it('node dist/cli/index.js demo exits 0 with the demo, plain text when not a terminal', () => {
    const child = spawnSync(process.execPath, ['dist/cli/index.js', 'demo'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', OPENAI_ADMIN_KEY: '' }
    })
    expect(child.stderr).toBe('')
    expect(child.status).toBe(0)
    expect(child.stdout).toContain('Issues the action would open or update: 13')
    expect(child.stdout).not.toContain('\u001b[')
  })
})
