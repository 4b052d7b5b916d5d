// Issue 16, "read all of what OpenAI and the exports hold, or say what was not read", through
// dist/index.js as the runner starts it, against the stand-in for OpenAI on 127.0.0.1:
// tenant-scoped key events, broken gzip, envelopes, type spellings, hostile sizes and shapes,
// times before 1970, pages with two JSON documents.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { runAction, type ActionRun } from './support/action.js'
import { adminKeyEvent, keyEvent, otherEvent, startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js'
import { collidingIds, fnv1a } from './support/collisions.js'
import { created } from './support/events.js'
import { errors, expectIncomplete, exportFiles, HIGH, incomplete, jsonl, OTHERS } from './support/exports.js'
import { tempDir } from './support/temp.js'

const KEY = 'sk-admin-ReadAll0123456789abcdefghijklmnopq'
const file = exportFiles(tempDir('keywatch-read-all-'))
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI | undefined
afterEach(async () => {
  await openai?.close()
  openai = undefined
})
const apiInputs = (fake: FakeOpenAI): Record<string, string> => ({
  'openai-admin-key': KEY,
  'openai-base-url': fake.baseURL,
  'create-issues': 'false',
  'fail-on': 'none'
})

const TENANT_TYPES =
  'tenant.project_api_key.created, tenant.admin_api_key.created, tenant.admin_api_key.updated, tenant.admin_api_key.deleted'
const warnings = (run: ActionRun): string[] => run.stdout.split('\n').filter((line) => line.startsWith('::warning::'))

describe('tenant-scoped key events: admin API keys are read with tenant_only=true, or the run says they were not', () => {
  const events = () => [
    keyEvent(1, now - 900, ['api.model.read'], 'api_key.created', 'proj_a'),
    keyEvent(2, now - 800, ['all'], 'api_key.created', 'proj_b'),
    adminKeyEvent(3, now - 700),
    otherEvent(4, now - 600)
  ]

  it('an API that serves them only to tenant_only=true (the spec read literally): the admin key is found', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events(), tenant: 'strict' })
    const run = await runAction(apiInputs(openai))
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '2', high: '2' })
    expect(JSON.parse(run.outputs.keys!).sort()).toEqual(['key_2', 'key_admin3'])
    // The window's reads (an identity's history is read by actor_ids[], with no event types).
    const logs = openai.requests.filter(
      (request) => request.path === '/v1/organization/audit_logs' && !request.query.has('actor_ids[]')
    )
    expect(logs.map((request) => request.query.get('tenant_only'))).toEqual([null, 'true'])
    expect(logs[1]!.query.getAll('event_types[]').join(', ')).toBe(TENANT_TYPES)
    expect(warnings(run)).toEqual([])
  })

  it("with project-ids, the admin key events (the organization's) are still asked for and judged", async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events(), tenant: 'strict' })
    const run = await runAction({ ...apiInputs(openai), 'project-ids': 'proj_a' })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.keys!)).toEqual(['key_admin3'])
    const logs = openai.requests.filter((request) => request.path === '/v1/organization/audit_logs')
    expect(logs[0]!.query.getAll('project_ids[]')).toEqual(['proj_a'])
    expect(logs[1]!.query.has('project_ids[]')).toBe(false)
  })

  it.each([
    [
      403,
      "403: You do not have access to tenant-scoped audit logs.). Check that the admin key may read the organization's tenant-scoped audit-log events"
    ],
    [400, '400: Unrecognized request argument supplied: tenant_only). Check that openai-base-url is the API']
  ] as const)(
    'an API that refuses tenant_only=true (%i): one warning and a summary line name the types not read',
    async (status, words) => {
      openai = await startFakeOpenAI({ key: KEY, events: events(), tenant: { refuse: status } })
      const run = await runAction(apiInputs(openai))
      expect(run.code).toBe(0)
      expect(run.outputs).toMatchObject({ findings: '1', keys: '["key_2"]' })
      expect(warnings(run)).toHaveLength(1)
      expect(warnings(run)[0]).toContain(
        `::warning::Tenant-scoped key events were not read: ${TENANT_TYPES} (admin API keys`
      )
      expect(warnings(run)[0]).toContain(words)
      expect(run.summary).toContain('- Read completely: **yes, but not every key event type**: see the warning below')
      expect(run.summary.replace(/\\/g, '')).toContain(
        `> [!WARNING]\n> - Tenant-scoped key events were not read: ${TENANT_TYPES} (admin API keys`
      )
      const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
      expect(report.notRead).toEqual([expect.stringContaining('Tenant-scoped key events were not read')])
    }
  )

  // No answer at all ends the same way, after the request's time and retries: the unit test
  // of the source shows it with short limits (the action's are a minute a try).
  it('a server error on the tenant-scoped request leaves the window incomplete, named', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events(), tenant: 'strict' })
    openai.alwaysOnTenant({ status: 500, headers: { 'retry-after-ms': '5' } })
    const run = await runAction(apiInputs(openai))
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ complete: 'false', findings: '1' })
    expect(warnings(run)).toEqual([])
    expect(incomplete(run)).toHaveLength(1)
    expect(incomplete(run)[0]).toContain(`tenant-scoped key events (${TENANT_TYPES}) from `)
    expect(incomplete(run)[0]).toContain(
      '(the whole window) were not read: tenant-scoped page 1 failed, the API answered 500 after 5 retries'
    )
    expect(run.summary.replace(/\\/g, '')).toContain('Read completely: **no**: tenant-scoped key events')
  })
})

describe('times before 1970 are an input error that names the input', () => {
  it.each([
    [{ since: '1969-12-31' }, 'Input since is "1969-12-31", before 1970-01-01T00:00:00Z (Unix time 0)'],
    [
      { since: '1969-12-31T00:00:00Z', until: '1969-12-31T12:00:00Z' },
      'Input since is "1969-12-31T00:00:00Z", before 1970-01-01T00:00:00Z (Unix time 0)'
    ],
    [{ lookback: '3000w' }, 'Input lookback is "3000w", which reaches back to 1']
  ])('%j', async (inputs, message) => {
    const run = await runAction({
      'openai-admin-key': KEY,
      // Never reached: the input is refused before any request.
      'openai-base-url': 'http://127.0.0.1:9/v1',
      'create-issues': 'false',
      ...inputs
    })
    expect(run.code).toBe(1)
    expect(errors(run)).toEqual([expect.stringContaining(`::error::${message}`)])
    expect(errors(run)[0]).toContain('the audit log holds no events that old')
    expect(run.outputs).toEqual({})
  })
})

describe('bounded work: what the Admin API answers cannot stall or swamp the run', () => {
  const events = () => [keyEvent(1, now - 600, ['all']), otherEvent(1, now - 300)]

  it.each([
    [200, 'page 1 failed, page 1 came back as text/html, not JSON (an HTML page)'],
    [400, 'page 1 failed, the API answered 400 (an HTML page)']
  ])(
    'a %i HTML page of <html> and 300,000 <title: read in seconds, described as an HTML page',
    async (status, message) => {
      openai = await startFakeOpenAI({ key: KEY, events: events() })
      // A regular expression that backtracks over each "<title" takes minutes on this page.
      openai.always({ html: `<html>${'<title'.repeat(300_000)}`, status })
      const started = Date.now()
      const run = await runAction(apiInputs(openai), {}, 150_000)
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(run.code).toBe(1)
      expect(run.outputs.complete).toBe('false')
      expect(incomplete(run)[0]).toContain(message)
    },
    160_000
  )

  it.each([
    ['streamed', false, 'its body went past it, and was not read on'],
    ['declared in Content-Length', true, 'Content-Length: ']
  ])('a page larger than 32 MiB (%s): the page fails, named, and the rest is not read', async (_, declare, size) => {
    openai = await startFakeOpenAI({ key: KEY, events: events() })
    openai.always({ huge: 48 * 2 ** 20, declare })
    const run = await runAction(apiInputs(openai), {}, 120_000)
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    expect(incomplete(run)[0]).toContain(
      'page 1 failed, the answer to GET /v1/organization/audit_logs is larger than the limit of 32 MiB ('
    )
    expect(incomplete(run)[0]).toContain(size)
    expect(incomplete(run)[0]).toContain('check openai-base-url and what stands between the runner and the API')
  })

  it("a key lookup's answer larger than 32 MiB: that key is not looked up, and says why", async () => {
    openai = await startFakeOpenAI({ key: KEY, events: events() })
    openai.alwaysOn(/api_keys/, { huge: 48 * 2 ** 20 })
    const run = await runAction(apiInputs(openai), {}, 120_000)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1' })
    expect(run.summary.replace(/\\/g, '')).toContain(
      '1 key not looked up: the answer to GET /v1/organization/projects/proj_main/api_keys/key_1 is larger than the limit of 32 MiB'
    )
  })
})

describe('gzip: every way an export can be broken makes the window incomplete, saying which and what to do', () => {
  // A typical hourly export: well under a megabyte once decompressed.
  const zipped = gzipSync(jsonl([...OTHERS, HIGH, ...OTHERS]))
  const broken: [string, Buffer, RegExp][] = [
    [
      'cut short',
      zipped.subarray(0, zipped.length - 12),
      /, everything after the events read: the gzip data is cut short: the file ends at byte \d+, inside the compressed data, so the export or its download did not finish; check the file with gzip -t/
    ],
    [
      'cut short in its trailer',
      zipped.subarray(0, zipped.length - 3),
      /the file ends at byte \d+, inside the gzip trailer \(the checksum and size after the data\)/
    ],
    [
      'with trailing garbage',
      Buffer.concat([zipped, Buffer.from('<html>502 Bad Gateway</html>\n')]),
      /, the file goes on after the end of its gzip data with bytes that are not gzip \(from byte \d+, trailing garbage\): everything before them was read/
    ],
    [
      'with trailing garbage after a NUL byte',
      Buffer.concat([zipped, Buffer.from('\0garbage')]),
      /the file goes on after the end of its gzip data with bytes that are not gzip/
    ],
    [
      'with a corrupt header',
      Buffer.concat([zipped.subarray(0, 2), Buffer.from([7]), zipped.subarray(3)]),
      /, the whole file: the gzip header is corrupt: it names compression method 7, where gzip has only 8 \(deflate\)/
    ],
    [
      'with reserved header flags',
      Buffer.concat([zipped.subarray(0, 3), Buffer.from([0xe0]), zipped.subarray(4)]),
      /the gzip header is corrupt: it sets reserved flag bits/
    ],
    [
      'damaged (its checksum does not match)',
      Buffer.concat([zipped.subarray(0, zipped.length - 8), Buffer.from([1, 2, 3, 4]), zipped.subarray(-4)]),
      /the gzip data does not match its checksum \(CRC-32\) or size: it was damaged after it was written/
    ]
  ]

  it.each(broken)('a gzip export %s', async (_, bytes, message) => {
    const run = await runAction({
      'audit-log-file': file(bytes, `broken-${broken.findIndex((entry) => entry[1] === bytes)}.jsonl.gz`),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expectIncomplete(run, message)
  })

  it('trailing garbage: the events before it are judged all the same', async () => {
    const run = await runAction({
      'audit-log-file': file(Buffer.concat([zipped, Buffer.from('garbage')]), 'trailing.jsonl.gz'),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.outputs).toMatchObject({ complete: 'false', findings: '1', high: '1', events: '5' })
  })

  it('two gzip members one after the other, and zero padding after them, read whole', async () => {
    const two = Buffer.concat([gzipSync(jsonl(OTHERS)), gzipSync(jsonl([HIGH])), Buffer.alloc(512)])
    const run = await runAction({
      'audit-log-file': file(two, 'two.jsonl.gz'),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1', events: '3' })
  })

  it.each(broken)('a gzip export %s, piped to the CLI (--file -)', (_, bytes, message) => {
    const run = spawnSync(
      process.execPath,
      ['dist/cli/index.js', 'scan', '--file', '-', '--json', '--fail-on', 'none'],
      {
        input: bytes,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' }
      }
    )
    // Exit 2: the window could not be read (the CLI's usage exit, for an incomplete read).
    expect(run.status).toBe(2)
    const report = JSON.parse(run.stdout)
    expect(report).toMatchObject({ source: 'standard input', complete: false })
    expect(report.missing).toEqual([expect.stringMatching(message)])
  })
})

describe('exports: envelopes are opened however they are nested or typed', () => {
  const datadog = { id: 'AQAAAY', type: 'log', attributes: { service: 'openai', attributes: HIGH } }
  it.each([
    [
      "Datadog's Logs API shape {id, type: log, attributes: {attributes: event}}",
      jsonl([datadog, { ...datadog, id: 'b', attributes: { attributes: OTHERS[0] } }])
    ],
    ['a typed wrapper {"type": "audit", "attributes": event}', jsonl([{ type: 'audit', attributes: HIGH }, ...OTHERS])],
    ['{"export": {"org": {"events": [...]}}} on one line', jsonl([{ export: { org: { events: [...OTHERS, HIGH] } } }])],
    ['the same, pretty-printed', JSON.stringify({ export: { org: { events: [...OTHERS, HIGH] } } }, null, 2)],
    [
      'a list response with more events under another key',
      jsonl([{ object: 'list', data: OTHERS, has_more: false, extra: { events: [HIGH] } }])
    ],
    [
      'the same, pretty-printed',
      JSON.stringify({ object: 'list', data: OTHERS, has_more: false, extra: { deeper: { events: [HIGH] } } }, null, 2)
    ],
    ['a pretty-printed single event', JSON.stringify(HIGH, null, 2)],
    ['a pretty-printed array of Datadog records', JSON.stringify({ data: [datadog] }, null, 2)]
  ])('%s: the HIGH key inside is found', async (_, content) => {
    const run = await runAction({ 'audit-log-file': file(content), 'create-issues': 'false' })
    expect(run.outputs).toMatchObject({ findings: '1', high: '1', complete: 'true', keys: '["key-high"]' })
    expect(run.code).toBe(1)
  })

  it('a key event nested past the bound (70 envelopes deep) makes the window incomplete, naming the record', async () => {
    let deep: unknown = HIGH
    for (let level = 0; level < 70; level++) deep = { wrapper: deep }
    const run = await runAction({
      'audit-log-file': file(jsonl([...OTHERS, deep])),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    expect(incomplete(run)[0]).toMatch(/1 record that may be API key events could not be read \(line 3; /)
    expect(run.summary.replace(/\\/g, '')).toContain('line 3: nested more than 64 levels deep')
  })
})

describe('exports: key event types as pipelines spell them are read, or counted as unjudged', () => {
  const spelled = (type: string, key = 'key-spelled'): Record<string, unknown> => {
    const { api_key_created: payload, ...rest } = created({ id: `audit_log-${type}`, key, scopes: ['all'] })
    return { ...rest, type, [type]: payload }
  }
  it.each([
    ['api_key_created', 'key-spelled'],
    ['API_KEY_CREATED', 'key-spelled'],
    ['ApiKeyCreated', 'key-spelled'],
    ['tenant_admin_api_key_created', 'key-spelled']
  ])('"type": "%s" is read as the dotted type and judged, on a JSONL line and in a document', async (type) => {
    for (const content of [jsonl([...OTHERS, spelled(type)]), JSON.stringify([...OTHERS, spelled(type)], null, 2)]) {
      const run = await runAction({ 'audit-log-file': file(content), 'create-issues': 'false' })
      expect(run.outputs).toMatchObject({ findings: '1', high: '1', complete: 'true', keys: '["key-spelled"]' })
    }
  })

  it('a type that names a key event OpenAI does not record is counted as unjudged, and fails the run', async () => {
    const run = await runAction({
      'audit-log-file': file(jsonl([...OTHERS, spelled('org_api_key_created')])),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ findings: '0', complete: 'true' })
    expect(run.stdout).toContain('1 API key event could not be judged')
    expect(run.summary.replace(/\\/g, '')).toContain(
      'event type "org_api_key_created" names an API key event, but none OpenAI records: it cannot be judged'
    )
  })
})

describe('exports: a line too long to read that may be a key event makes the window incomplete', () => {
  it('a 17 MiB JSONL line holding api_key.created', async () => {
    const long = JSON.stringify({ ...HIGH, padding: 'x'.repeat(17 * 2 ** 20) })
    const run = await runAction({
      'audit-log-file': file(jsonl(OTHERS) + long + '\n' + jsonl(OTHERS)),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(1)
    expect(run.outputs.complete).toBe('false')
    expect(incomplete(run)[0]).toMatch(/1 record that may be API key events could not be read \(line 3; /)
    expect(run.summary.replace(/\\/g, '')).toContain(
      'line 3: longer than 16 MB, too long to read, and it holds what may be an API key event'
    )
  })

  it('a 17 MiB line with no key event in it is skipped, as before', async () => {
    const long = JSON.stringify({ ...OTHERS[0], padding: 'x'.repeat(17 * 2 ** 20) })
    const run = await runAction({
      'audit-log-file': file(jsonl(OTHERS) + long + '\n' + jsonl([HIGH])),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1' })
  })
})

describe('bounded work: what an export holds cannot stall or crash the run', () => {
  it('128 MiB of newlines before the events, from a 128 KiB gzip: read in seconds, the key found', async () => {
    const bytes = gzipSync(Buffer.concat([Buffer.alloc(128 * 2 ** 20, 0x0a), Buffer.from(jsonl([...OTHERS, HIGH]))]))
    expect(bytes.length).toBeLessThan(200 * 1024)
    const started = Date.now()
    const run = await runAction(
      { 'audit-log-file': file(bytes, 'newlines.jsonl.gz'), 'create-issues': 'false' },
      {},
      150_000
    )
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1', events: '3' })
  }, 160_000)

  it('32,768 key events whose ids collide under FNV-1a: counted in seconds, each once', async () => {
    const ids = collidingIds(15)
    expect(new Set(ids.map((id) => fnv1a(id))).size).toBe(1)
    const events = ids.map((id, n) => created({ id, key: `key-${n}`, scopes: ['api.model.read'] }))
    const started = Date.now()
    const run = await runAction(
      { 'audit-log-file': file(jsonl([...events, HIGH, events[0]])), 'create-issues': 'false', 'fail-on': 'none' },
      {},
      150_000
    )
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(run.outputs).toMatchObject({ complete: 'true', findings: '1', events: String(ids.length + 1) })
    expect(run.summary).toContain(`API key events: ${ids.length + 1}, duplicates skipped: 1`)
  }, 160_000)

  it.each([
    ['arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['objects around a key event', `${'{"a":'.repeat(100_000)}${JSON.stringify(HIGH)}${'}'.repeat(100_000)}`]
  ])(
    'a 100,000-deep nesting of %s in one record: a readable error for it, the window incomplete, the HIGH before it kept',
    async (_, deep) => {
      const run = await runAction({
        'audit-log-file': file(jsonl([HIGH]) + deep + '\n' + jsonl(OTHERS)),
        'create-issues': 'false',
        'fail-on': 'none'
      })
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ complete: 'false', findings: '1', high: '1', keys: '["key-high"]' })
      expect(run.summary).toContain('Read completely: **no**')
      expect(run.stdout).not.toContain('Maximum call stack size exceeded')
      expect(incomplete(run)[0]).toMatch(/could not be read \(line 2( item 1)*; each is listed/)
    }
  )

  it('a key event with a 100,000-deep payload: a readable error for it, unjudged, the HIGH before it kept', async () => {
    const deep = `{"id":"audit_log-deep","type":"api_key.created","api_key.created":{"id":"key-deep","data":{"scopes":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`
    const run = await runAction({
      'audit-log-file': file(jsonl([HIGH]) + deep + '\n' + jsonl(OTHERS)),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ findings: '1', high: '1', keys: '["key-high"]' })
    expect(run.stdout).toContain('1 API key event could not be judged')
    expect(run.summary.replace(/\\/g, '')).toContain('api_key.created event scopes lists no scope name')
  })

  it('a 100,000-deep item in a pretty-printed document: the same', async () => {
    const deep = `[\n${JSON.stringify(HIGH)},\n${'['.repeat(100_000)}${']'.repeat(100_000)},\n${JSON.stringify(OTHERS[0])}\n]\n`
    const run = await runAction({
      'audit-log-file': file(deep, 'deep.json'),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.outputs).toMatchObject({ complete: 'false', findings: '1', high: '1' })
    expect(run.summary.replace(/\\/g, '')).toContain('item 2: nested more than 64 levels deep')
  })
})

describe('a page of the Admin API with two JSON documents', () => {
  it('is not read as its first document: the page fails, and the window is incomplete', async () => {
    const page = { object: 'list', data: [keyEvent(1, now - 60, ['all'])], has_more: false }
    openai = await startFakeOpenAI({ key: KEY, events: [] })
    // "Extra data: line 1 column N", as a SIEM integration saw from the live API.
    openai.fault({ raw: `${JSON.stringify(page)}\n${JSON.stringify({ ...page, data: [] })}` })
    const run = await runAction(apiInputs(openai))
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ complete: 'false', findings: '0' })
    expect(incomplete(run)[0]).toMatch(
      /events from \S+ to \S+ \(the whole window\) were not read: page 1 failed, page 1 was not valid JSON \(/
    )
  })
})
