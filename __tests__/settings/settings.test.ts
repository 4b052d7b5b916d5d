import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import {
  DEFAULTS,
  parseDuration,
  parseList,
  parseTime,
  readSettings,
  resolveWindow,
  type InputName
} from '../../src/settings/settings.js'

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
      ['findings', 'high', 'medium', 'keys', 'issues', 'events', 'report', 'complete'].sort()
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
    [{ 'elevated-scopes': ' , ' }, 'Input elevated-scopes is empty'],
    [{ 'enrich-keys': 'maybe' }, 'Input enrich-keys is "maybe": use true or false.'],
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

  it('reads lists with commas or newlines', () => {
    expect(parseList('a, b\nc,,\n d ')).toEqual(['a', 'b', 'c', 'd'])
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
    it('leaves a file unbounded unless told', () => {
      expect(resolveWindow(settingsFrom({ 'audit-log-file': 'f' }), now)).toEqual({
        since: undefined,
        until: undefined
      })
    })
  })
})
