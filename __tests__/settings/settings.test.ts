import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { readCliSettings } from '../../src/settings/cli.js'
import { readSettings } from '../../src/settings/inputs.js'
import { DEFAULTS, type InputName } from '../../src/settings/settings.js'
import { parseDuration, parseList, parseTime } from '../../src/settings/values.js'
import { resolveWindow } from '../../src/settings/window.js'
import { tempDir } from '../support/temp.js'

const action = load(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}

function settingsFrom(inputs: Partial<Record<InputName, string>>) {
  return readSettings((name) => inputs[name] ?? '')
}

describe('settings', () => {
  it('has the defaults of action.yml, and action.yml has the contract', () => {
    for (const [name, value] of Object.entries(DEFAULTS))
      expect([name, action.inputs[name]?.default]).toEqual([name, value])
    expect(Object.keys(action.inputs).sort()).toEqual(
      [...Object.keys(DEFAULTS), 'openai-admin-key', 'github-token'].sort()
    )
    expect(action.inputs['github-token']?.default).toBe('${{ github.token }}')
    expect(Object.keys(action.outputs).sort()).toEqual(
      ['findings', 'critical', 'high', 'medium', 'keys', 'issues', 'events', 'report', 'complete'].sort()
    )
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('reads the defaults', () => {
    const settings = settingsFrom({ 'openai-admin-key': 'sk-admin-x' })
    expect(settings).toMatchObject({
      lookbackSeconds: 86400,
      failOn: 'high',
      createIssues: true,
      maxIssues: 25,
      dryRun: false,
      reopenClosed: true,
      enrichKeys: true,
      closeWhenRevoked: false,
      assignees: [],
      label: 'openai-keywatch',
      elevatedScopes: [
        'all',
        'models:write',
        'organization:write',
        'api_keys:write',
        'admin',
        'api.management.write',
        'api.organization.*.write',
        'api.fine_tuning.jobs.write'
      ],
      highScopes: ['all', 'admin', 'api.management.write'],
      openaiBaseUrl: 'https://api.openai.com/v1'
    })
  })

  it.each([
    [{ 'fail-on': 'hihg' }, 'Input fail-on is "hihg": use one of critical, high, medium, low, info, none.'],
    [{ lookback: '3x' }, 'Input lookback is "3x": use a positive whole number with a unit, s, m, h, d or w'],
    [{ 'max-issues': '-1' }, 'Input max-issues is "-1": use a whole number, 0 or more.'],
    [{ 'dry-run': 'yes please' }, 'Input dry-run is "yes please": use true or false.'],
    [{ since: 'yesterday' }, 'Input since is "yesterday": use an ISO 8601 time'],
    [{ since: '2025-02-30' }, 'Input since is "2025-02-30": use an ISO 8601 time'],
    [{ until: '2025-01-01T24:00:00Z' }, 'Input until is "2025-01-01T24:00:00Z": use an ISO 8601 time'],
    [{ 'openai-base-url': 'ftp://x' }, 'Input openai-base-url is "ftp://x"'],
    [
      { 'openai-base-url': 'http://proxy.corp.example/v1' },
      'Input openai-base-url is "http://proxy.corp.example/v1": http:// would send the admin key in clear text; use https://'
    ],
    [{ 'openai-base-url': 'http://10.0.0.5:8080/v1' }, 'Input openai-base-url is "http://10.0.0.5:8080/v1": http://'],
    [{ 'openai-base-url': 'http://localhost.evil.example/v1' }, 'http:// would send the admin key in clear text'],
    [{ 'elevated-scopes': ' , ' }, 'Input elevated-scopes is empty'],
    [
      { label: 'security,openai' },
      'Input label is "security,openai": a label with a comma cannot be looked up (GitHub reads the comma as "and"), so every run would open its issues again. Use one label without a comma, e.g. security-openai.'
    ],
    [{ 'github-budget': 'forever' }, 'Input github-budget is "forever": use a positive whole number with a unit'],
    [{ 'max-catch-up': '0d' }, 'Input max-catch-up is "0d": use a positive whole number with a unit'],
    [
      { 'max-catch-up': '5w' },
      'Input max-catch-up is "5w": the coverage ledger keeps 30 days, so use at most 30d, and a backfill (since and until) for anything older.'
    ],
    [{ ledger: 'off' }, 'Input ledger is "off": use true or false.'],
    [
      { 'openai-admin-key': 'sk-admin-abc\u200bdef' },
      'Input openai-admin-key holds a character that cannot be sent (U+200B at position 13, a zero-width space, often pasted along with a key): copy the value again without it and update the secret.'
    ],
    [
      { 'github-token': 'ghs_abc def' },
      'Input github-token holds a character that cannot be sent (U+0020 at position 8'
    ],
    [{ 'enrich-keys': 'maybe' }, 'Input enrich-keys is "maybe": use true or false.'],
    [
      { history: 'two weeks' },
      'Input history is "two weeks": use a positive whole number with a unit, s, m, h, d or w (for example 90m, 24h, 7d), or 0 for off.'
    ],
    [{ 'escalate-signals': '-1' }, 'Input escalate-signals is "-1": use a whole number, 0 or more.'],
    [{ 'close-when-revoked': 'on' }, 'Input close-when-revoked is "on": use true or false.'],
    [{ repository: 'acme' }, 'Input repository is "acme": use owner/name, e.g. acme/security'],
    [{ assignees: 'alice, @team/sec' }, 'Input assignees has "team/sec", which is not a GitHub user name'],
    [{ assignees: 'u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,u11' }, 'Input assignees lists 11 users: GitHub assigns 10 at most.']
  ])('refuses %j', (inputs, message) => {
    expect(() => settingsFrom({ 'openai-admin-key': 'sk-admin-x', ...inputs })).toThrow(message)
  })

  it("files issues in the workflow's repository unless repository names another; links the workflow's run", () => {
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '7', GITHUB_SERVER_URL: 'https://github.com' }
    const own = readSettings((name) => ({ 'openai-admin-key': 'k' })[name as string] ?? '', env)
    expect(own.github).toMatchObject({ repository: 'acme/app', workflowRepository: 'acme/app' })
    const inputs: Partial<Record<InputName, string>> = { 'openai-admin-key': 'k', repository: 'acme/secops' }
    const other = readSettings((name) => inputs[name] ?? '', env)
    expect(other.github).toMatchObject({
      repository: 'acme/secops',
      workflowRepository: 'acme/app',
      runUrl: 'https://github.com/acme/app/actions/runs/7'
    })
  })

  it('reads assignees with commas or newlines, with or without @', () => {
    expect(settingsFrom({ 'openai-admin-key': 'k', assignees: '@alice\nbob, alice' }).assignees).toEqual([
      'alice',
      'bob'
    ])
  })

  it('needs the admin key unless a file is scanned', () => {
    expect(() => settingsFrom({})).toThrow(/Input openai-admin-key is empty/)
    expect(settingsFrom({ 'audit-log-file': 'a.jsonl' }).auditLogFile).toBe('a.jsonl')
  })

  it('refuses an openai-base-url with a user name or password, and never repeats them', () => {
    for (const url of [
      'https://svc:s3cretpassw0rd@gateway.corp.example/v1',
      'https://s3cretpassw0rd@gateway.corp.example/v1',
      'http://svc:s3cretpassw0rd@127.0.0.1:8080/v1',
      'https://:s3cretpassw0rd@gateway.corp.example/v1'
    ]) {
      const error = (() => {
        try {
          settingsFrom({ 'openai-admin-key': 'k', 'openai-base-url': url })
        } catch (thrown) {
          return thrown as Error
        }
      })()
      expect(error?.message).toMatch(/^Input openai-base-url holds a user name or password \(https?:\/\/\*\*\*@/)
      expect(error?.message).toContain('Give the URL without them (http')
      expect(error?.message).not.toContain('s3cretpassw0rd')
      expect(error?.message).not.toContain('svc')
    }
    // Unparsable, it is still shown without them.
    expect(() => settingsFrom({ 'openai-admin-key': 'k', 'openai-base-url': 'https://svc:pa ss@[bad/v1' })).toThrow(
      'Input openai-base-url is "https://***@[bad/v1": use an http(s) URL'
    )
  })

  it('takes a loopback address only when the whole host is one: 127.0.0.1.evil.example is not', () => {
    for (const url of ['http://127.0.0.1.evil.example/v1', 'http://127.0.0.1x/v1', 'http://localhost.evil.example/v1'])
      expect(() => settingsFrom({ 'openai-admin-key': 'k', 'openai-base-url': url })).toThrow(
        'http:// would send the admin key in clear text'
      )
  })

  it('takes http:// only for a loopback address', () => {
    for (const url of [
      'http://127.0.0.1:8080/v1',
      'http://127.9.8.7/v1',
      'http://localhost:3000/v1',
      'http://[::1]:9/v1'
    ])
      expect(settingsFrom({ 'openai-admin-key': 'k', 'openai-base-url': url }).openaiBaseUrl).toBe(url)
  })

  it('treats high-scopes as elevated too: a HIGH scope that elevated-scopes omits is still a finding', () => {
    const settings = settingsFrom({
      'openai-admin-key': 'k',
      'elevated-scopes': 'api.files.write',
      'high-scopes': 'all admin'
    })
    expect(settings.elevatedScopes).toEqual(['api.files.write', 'all', 'admin'])
    expect(settings.highScopes).toEqual(['all', 'admin'])
  })

  it('reads the GitHub budget, 10 minutes by default', () => {
    expect(settingsFrom({ 'openai-admin-key': 'k' })).toMatchObject({ githubBudgetSeconds: 600 })
    expect(settingsFrom({ 'openai-admin-key': 'k' }).words['github-budget']).toBe('10m')
    expect(settingsFrom({ 'openai-admin-key': 'k', 'github-budget': '90s' }).githubBudgetSeconds).toBe(90)
  })

  it('reads the revoke label, keywatch:revoke by default, and refuses one that is another label of the action', () => {
    expect(settingsFrom({ 'openai-admin-key': 'k' }).revokeLabel).toBe('keywatch:revoke')
    expect(settingsFrom({ 'openai-admin-key': 'k', 'revoke-label': 'revoke-now' }).revokeLabel).toBe('revoke-now')
    expect(() => settingsFrom({ 'openai-admin-key': 'k', 'revoke-label': 'openai-keywatch' })).toThrow(
      /^Input revoke-label is "openai-keywatch", the label every issue of the action carries: give the label/
    )
    expect(() => settingsFrom({ 'openai-admin-key': 'k', 'revoke-label': 'Keywatch:Revoked' })).toThrow(
      /^Input revoke-label is "Keywatch:Revoked", the label a revocation leaves on its issue/
    )
    expect(() => settingsFrom({ 'openai-admin-key': 'k', 'revoke-label': 'a,b' })).toThrow(
      /^Input revoke-label is "a,b": a label with a comma/
    )
  })

  it("reads the run's event: the payload of an issues event only, and refuses an issues run without one", () => {
    const read = (name: InputName) => (name === 'audit-log-file' ? 'a.jsonl' : '')
    const dir = tempDir('keywatch-settings-')
    const file = join(dir, 'event.json')
    writeFileSync(file, JSON.stringify({ action: 'labeled', label: { name: 'keywatch:revoke' } }))
    expect(readSettings(read, {}).github.event).toBeUndefined()
    expect(readSettings(read, { GITHUB_EVENT_NAME: 'schedule', GITHUB_EVENT_PATH: file }).github.event).toEqual({
      name: 'schedule'
    })
    expect(readSettings(read, { GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: file }).github.event).toEqual({
      name: 'issues',
      payload: { action: 'labeled', label: { name: 'keywatch:revoke' } }
    })
    expect(() => readSettings(read, { GITHUB_EVENT_NAME: 'issues' })).toThrow(
      'The run was started by an issues event, and its payload (GITHUB_EVENT_PATH) is not set.'
    )
    writeFileSync(file, '{"action": "label')
    expect(() => readSettings(read, { GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: file })).toThrow(
      `its payload (GITHUB_EVENT_PATH = ${file}) is not JSON`
    )
    expect(() =>
      readSettings(read, { GITHUB_EVENT_NAME: 'issues', GITHUB_EVENT_PATH: join(dir, 'none.json') })
    ).toThrow(/could not be read \(ENOENT\)/)
  })

  it('keeps the coverage ledger by default, catching up at most 7 days, 30 at most', () => {
    expect(settingsFrom({ 'openai-admin-key': 'k' })).toMatchObject({ ledger: true, maxCatchUpSeconds: 7 * 86_400 })
    expect(settingsFrom({ 'openai-admin-key': 'k', ledger: 'false', 'max-catch-up': '30d' })).toMatchObject({
      ledger: false,
      maxCatchUpSeconds: 30 * 86_400
    })
  })

  it('reads the history (14 days by default, 0 for off) and escalate-signals (2 by default, 0 for off)', () => {
    expect(settingsFrom({ 'openai-admin-key': 'k' })).toMatchObject({ historySeconds: 14 * 86400, escalateSignals: 2 })
    expect(settingsFrom({ 'openai-admin-key': 'k', history: '0', 'escalate-signals': '0' })).toMatchObject({
      historySeconds: 0,
      escalateSignals: 0
    })
    expect(settingsFrom({ 'openai-admin-key': 'k', history: '3d' }).historySeconds).toBe(3 * 86400)
  })

  it('names the report after the run, its attempt and the step (GITHUB_ACTION)', () => {
    const env = { GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '2' }
    const read = (name: InputName) => (name === 'audit-log-file' ? 'a.jsonl' : '')
    expect(readSettings(read, env).github.runId).toBe('4242-2')
    expect(readSettings(read, { ...env, GITHUB_ACTION: '__org_openai-keywatch_2' }).github.runId).toBe(
      '4242-2-__org_openai-keywatch_2'
    )
    expect(readSettings(read, { ...env, GITHUB_ACTION: '../x y' }).github.runId).toBe('4242-2-.._x_y')
  })

  it('reads lists with commas, newlines or spaces, and what a pasted YAML list leaves', () => {
    expect(parseList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd'])
    expect(parseList('all admin  models:write')).toEqual(['all', 'admin', 'models:write'])
    expect(parseList('- all\n- admin\n')).toEqual(['all', 'admin'])
    expect(parseList('[all, "admin", \'api.*.write\']')).toEqual(['all', 'admin', 'api.*.write'])
    expect(settingsFrom({ 'openai-admin-key': 'k', 'project-ids': 'proj_a proj_b' }).projectIds).toEqual([
      'proj_a',
      'proj_b'
    ])
    expect(settingsFrom({ 'openai-admin-key': 'k', 'allow-actors': 'x@y.z\nsvc_1' }).allowActors).toEqual([
      'x@y.z',
      'svc_1'
    ])
  })

  it('reads durations and times', () => {
    expect(parseDuration('lookback', '90m')).toBe(5400)
    expect(parseDuration('lookback', '7d')).toBe(604800)
    expect(parseTime('since', '1793491200')).toBe(1793491200)
    expect(parseTime('since', '2026-11-01T00:00:00Z')).toBe(1793491200)
    expect(parseTime('since', '2026-11-01T01:00:00+01:00')).toBe(1793491200)
    expect(parseTime('since', '2026-11-01T01:00+01:00')).toBe(1793491200)
    expect(parseTime('since', '2026-11-01T00:00:00')).toBe(1793491200)
    expect(parseTime('since', '2026-11-01')).toBe(1793491200)
  })

  it("refuses a key that cannot read audit logs before any request, in the caller's words", () => {
    const advice = 'Use an OpenAI Admin API key (sk-admin-...) with read permission on audit logs'
    expect(() => settingsFrom({ 'openai-admin-key': 'sk-proj-abcdefghijklmnop0123456789' })).toThrow(
      `Input openai-admin-key is a project API key (sk-proj-...), which cannot read audit logs. ${advice}`
    )
    expect(() => settingsFrom({ 'openai-admin-key': 'sk-svcacct-abcdefghijklmnop' })).toThrow(
      /^Input openai-admin-key is a service account API key/
    )
    const cli = (key: string) => () => readCliSettings(new Map(), { OPENAI_ADMIN_KEY: key })
    expect(cli('sk-proj-abcdefghijklmnop0123456789')).toThrow(
      `OPENAI_ADMIN_KEY is a project API key (sk-proj-...), which cannot read audit logs. ${advice}`
    )
    // The advice says where each caller takes the key from.
    expect(() => settingsFrom({ 'openai-admin-key': 'sk-proj-abcdefghijklmnop0123456789' })).toThrow(
      'pass it in openai-admin-key from a secret, '
    )
    expect(cli('sk-proj-abcdefghijklmnop0123456789')).toThrow('pass it in OPENAI_ADMIN_KEY, ')
    expect(cli('sk-proj-abcdefghijklmnop0123456789')).not.toThrow(/openai-admin-key/)
    expect(cli('sk-abcdefghijklmnop0123456789')).toThrow(/^OPENAI_ADMIN_KEY is a user API key \(sk-\.\.\.\)/)
    expect(cli('sk-admin-\u200babcdefghijklmnop')).toThrow(/^OPENAI_ADMIN_KEY holds a character that cannot be sent/)
    // An export needs no key, of whatever kind.
    expect(settingsFrom({ 'openai-admin-key': 'sk-proj-x', 'audit-log-file': 'export.jsonl' }).auditLogFile).toBe(
      'export.jsonl'
    )
  })

  it('reads "-" for audit-log-file only where there is a standard input to read, saying so in its words', () => {
    expect(() => settingsFrom({ 'audit-log-file': '-' })).toThrow(
      'Input audit-log-file is "-", standard input, which the action does not read: give the path of the export file.'
    )
    const piped = readCliSettings(new Map([['audit-log-file', '-']]), {}, '', { isTTY: false })
    expect(piped.auditLogFile).toBe('-')
    expect(() => readCliSettings(new Map([['audit-log-file', '-']]), {}, '', { isTTY: true })).toThrow(
      /^--file - reads the export from standard input, which is a terminal here/
    )
  })

  it('keeps the words of the inputs for messages, and none of the secrets', () => {
    const settings = settingsFrom({ 'openai-admin-key': 'sk-admin-x', lookback: ' 7d ', 'github-token': 'ghs_x' })
    expect(settings.words.lookback).toBe('7d')
    expect(settings.words['fail-on']).toBe('high')
    expect(Object.keys(settings.words)).not.toContain('openai-admin-key')
    expect(JSON.stringify(settings.words)).not.toContain('ghs_x')
  })

  describe('the window', () => {
    const now = 1_800_000_000
    it('looks back from now by default', () => {
      expect(resolveWindow(settingsFrom({ 'openai-admin-key': 'k', lookback: '1h' }), now)).toEqual({
        since: now - 3600,
        until: now
      })
    })
    it('takes since and until for backfills', () => {
      const settings = settingsFrom({ 'openai-admin-key': 'k', since: '1700000000', until: '1700086400' })
      expect(resolveWindow(settings, now)).toEqual({ since: 1700000000, until: 1700086400 })
    })
    it('refuses an inverted or future window', () => {
      expect(() =>
        resolveWindow(settingsFrom({ 'openai-admin-key': 'k', since: '1700086400', until: '1700000000' }), now)
      ).toThrow(/inverted/)
      expect(() => resolveWindow(settingsFrom({ 'openai-admin-key': 'k', since: String(now + 60) }), now)).toThrow(
        /in the future/
      )
    })
    it('refuses a time before 1970, naming the input: since, until, or how far lookback reaches', () => {
      expect(() => parseTime('since', '1969-12-31')).toThrow(
        'Input since is "1969-12-31", before 1970-01-01T00:00:00Z (Unix time 0): the audit log holds no events that old.'
      )
      expect(() => parseTime('until', '1000-01-01T00:00:00Z')).toThrow(
        /^Input until is "1000-01-01T00:00:00Z", before 1970/
      )
      expect(parseTime('since', '1970-01-01T00:00:00Z')).toBe(0)
      expect(() => resolveWindow(settingsFrom({ 'openai-admin-key': 'k', lookback: '3000w' }), now)).toThrow(
        'Input lookback is "3000w", which reaches back to 1969-07-18T08:00:00.000Z, before 1970'
      )
      expect(() =>
        resolveWindow(settingsFrom({ 'openai-admin-key': 'k', lookback: '9007199254740991s' }), now)
      ).toThrow('Input lookback is "9007199254740991s", which reaches back past any date, before 1970')
    })
    it('leaves a file unbounded unless told', () => {
      expect(resolveWindow(settingsFrom({ 'audit-log-file': 'f' }), now)).toEqual({
        since: undefined,
        until: undefined
      })
    })
  })
})

describe('inputs that do nothing in a mode, with the coverage ledger', () => {
  const key = { 'openai-admin-key': 'sk-admin-x' }
  it('keeps quiet about the label, repository, dry-run and budget with create-issues false while the ledger is kept', () => {
    const settings = settingsFrom({
      ...key,
      'create-issues': 'false',
      label: 'watch',
      'dry-run': 'true',
      assignees: 'a'
    })
    expect(settings.warnings).toEqual([
      'assignees has no effect: create-issues is false, so no issue is read or written.'
    ])
  })

  it('names them when the ledger is off too, and the ledger inputs with an export', () => {
    expect(settingsFrom({ ...key, 'create-issues': 'false', ledger: 'false', label: 'watch' }).warnings).toEqual([
      'label has no effect: create-issues is false, so no issue is read or written, and no coverage ledger is kept (ledger is false).'
    ])
    expect(settingsFrom({ 'audit-log-file': 'a.jsonl', 'max-catch-up': '2d' }).warnings).toEqual([
      "max-catch-up has no effect: audit-log-file is set, and an export neither reads nor adds to the coverage ledger: it is not the organization's live log."
    ])
  })
})
