// The export source in every form it accepts, and its byte prefilter: it may skip parsing a
// line only when the line cannot be a key event, and never skips a malformed one.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { FileSource, type FileSourceOptions } from '../../src/audit-log/file-source.js'
import { createLineSorter } from '../../src/audit-log/line-sorter.js'
import { DEFAULT_RULE_OPTIONS } from '../../src/rules/api-key-anomalous-activity.js'
import { scan } from '../../src/scan/engine.js'
import { drain, idOf } from '../support/events.js'
import { keyEvent, otherEvent, type AuditLogEvent } from '../support/fake-openai.js'
import { tempDir } from '../support/temp.js'

const dir = tempDir('keywatch-files-')
let files = 0

function file(content: string | Buffer, name = `audit-${++files}.jsonl`): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const jsonl = (events: unknown[]): string => events.map((event) => JSON.stringify(event)).join('\n') + '\n'

async function read(path: string, options: FileSourceOptions = {}) {
  const { events, status } = await drain(new FileSource(path, options))
  return { status, events, ids: events.map(idOf) }
}

async function scanFile(path: string, options: FileSourceOptions = {}) {
  const result = await scan(new FileSource(path, options), {
    rule: DEFAULT_RULE_OPTIONS,
    window: options,
    allowActors: []
  })
  return { status: result.source, result }
}

const T = 1_790_000_000
const MIXED: AuditLogEvent[] = [
  otherEvent(1, T + 1),
  keyEvent(2, T + 2, ['all']),
  otherEvent(3, T + 3, 'project.updated'),
  keyEvent(4, T + 4, ['models:read'], 'api_key.updated'),
  keyEvent(5, T + 5, [], 'api_key.deleted'),
  otherEvent(6, T + 6, 'user.added')
]
const KEY_IDS = ['audit_log-000002', 'audit_log-000004', 'audit_log-000005']

describe('FileSource: JSONL', () => {
  it('hands on every key event and counts the others without parsing them', async () => {
    const { status, ids } = await read(file(jsonl(MIXED)))
    expect(ids).toEqual(KEY_IDS)
    expect(status).toMatchObject({ complete: true, prefiltered: 3, unreadableCount: 0 })
    const { result } = await scanFile(file(jsonl(MIXED)))
    expect(result.eventsScanned).toBe(6)
    expect(result.keyEvents).toBe(3)
    expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_2'])
  })

  it('finds a key event spelled with JSON escapes', async () => {
    const escaped = [
      '{"id":"audit_log-esc1","type":"api\\u005fkey.created","effective_at":1790000000,"api\\u005fkey.created":{"id":"key_esc1","data":{"scopes":["all"]}}}',
      '{"id":"audit_log-esc2","type":"\\u0061pi_key.updated","effective_at":1790000000,"api_key.updated":{"id":"key_esc2","changes_requested":{"scopes":["admin"]}}}',
      '{"id":"audit_log-esc3","type":"api_key\\u002ecreated","effective_at":1790000000,"api_key_created":{"id":"key_esc3","data":{"scopes":["all"]}}}'
    ]
    const { result } = await scanFile(file(escaped.join('\n') + '\n' + jsonl([otherEvent(9, T)])))
    expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_esc1', 'key_esc2', 'key_esc3'])
    expect([...result.findings].map((finding) => finding.severity)).toEqual(['HIGH', 'HIGH', 'HIGH'])
    expect(result.eventsScanned).toBe(4)
  })

  it('finds key events in the flattened shape log pipelines store', async () => {
    const seed = readFileSync('__fixtures__/seed-events.jsonl', 'utf8')
    const { result } = await scanFile(file(seed))
    const parsed = seed
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string })
    expect(result.keyEvents).toBe(parsed.filter((event) => event.type.startsWith('api_key.')).length)
    expect(result.findings).toHaveLength(4)
  })

  it('reports a malformed line with its number, skips it and scans the rest', async () => {
    const lines = jsonl(MIXED).split('\n')
    lines.splice(2, 0, '{"id":"audit_log-cut","type":"login.succeeded","effective_at":17900')
    lines.splice(4, 0, 'not json at all')
    const { status, ids } = await read(file(lines.join('\n')))
    expect(ids).toEqual(KEY_IDS)
    expect(status.unreadableCount).toBe(2)
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 3', 'line 5'])
    expect(status.unreadable[0]!.reason).toMatch(/^not valid JSON \(/)
    expect(status.complete).toBe(true)
  })

  it('reports a key event cut right after an inner brace, though it ends in "}"', async () => {
    const cut =
      '{"id":"audit_log-cut2","type":"api_key.created","effective_at":1790000000,"actor":{"type":"session","session":{"user":{"id":"u"}}}'
    const { status } = await read(file(jsonl([otherEvent(1, T)]) + cut + '\n' + jsonl([otherEvent(2, T)])))
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 2'])
    expect(status.prefiltered).toBe(2)
  })

  it('reports two events run together on one line when a key event is among them; two others count as one', async () => {
    const joined = JSON.stringify(otherEvent(1, T)) + JSON.stringify(keyEvent(2, T))
    const { status } = await read(
      file(joined + '\n' + JSON.stringify(otherEvent(3, T)) + JSON.stringify(otherEvent(4, T)) + '\n')
    )
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 1'])
    expect(status.complete).toBe(false)
    expect(status.prefiltered).toBe(1)
  })

  it('reads CRLF, blank lines, a byte-order mark and a last line without a newline', async () => {
    const text = '\ufeff' + jsonl(MIXED).split('\n').join('\r\n\r\n').trimEnd()
    const { status, ids } = await read(file(text))
    // The last line, without a newline, is always parsed: it could be an export cut short.
    expect(ids).toEqual([...KEY_IDS, MIXED[5]!.id])
    expect(status).toMatchObject({ complete: true, prefiltered: 2, unreadableCount: 0 })
  })

  it('reads a byte-order mark where the text starts, in every format, and nowhere else', async () => {
    const array = await read(file(`\ufeff${JSON.stringify(MIXED)}`, 'bom.json'))
    // A document's events are all handed on; only JSONL lines are sorted by the prefilter.
    expect(array.ids).toEqual(MIXED.map((event) => event.id))
    expect(array.status.complete).toBe(true)
    const list = await read(file(`\ufeff${JSON.stringify({ object: 'list', data: MIXED }, null, 2)}`, 'bom-list.json'))
    expect(list.ids).toEqual(MIXED.map((event) => event.id))
    expect(list.status.complete).toBe(true)
    const zipped = await read(file(gzipSync(`\ufeff${jsonl(MIXED)}`), 'bom.jsonl.gz'))
    expect(zipped.ids).toEqual(KEY_IDS)
    // A second mark, or one after blanks, is text: JSON does not allow it, in a document or a line.
    for (const name of ['bom-twice.json', 'bom-twice.jsonl']) {
      const twice = await read(file(`\ufeff\ufeff${JSON.stringify(MIXED)}`, name))
      expect(twice.ids).toEqual([])
      expect(twice.status.complete).toBe(false)
    }
    const late = await read(file(`  \ufeff${jsonl(MIXED)}`))
    expect(late.status.unreadable.map((entry) => entry.where)).toEqual(['line 1'])
  })

  it('gives the same answer as parsing every line, across chunk boundaries', async () => {
    // Over 2 MB, so lines straddle the 1 MB reads; some have escapes, some are key events.
    const events: AuditLogEvent[] = []
    for (let n = 0; n < 12000; n++) {
      const event =
        n % 37 === 0
          ? keyEvent(n, T + n, ['all'])
          : otherEvent(n, T + n, n % 5 === 0 ? 'project.updated' : 'login.succeeded')
      if (n % 101 === 0) event.note = 'quote " and backslash \\ inside'
      events.push(event)
    }
    const text = jsonl(events)
    expect(text.length).toBeGreaterThan(2 * 2 ** 20)
    const { status, events: read_ } = await read(file(text))
    // Escapes that cannot spell "key" (\" and \\ here) do not make a line worth parsing.
    const expected = events.filter((event) => event.type.startsWith('api_key.'))
    expect(read_.map(idOf)).toEqual(expected.map((event) => event.id))
    expect(status.prefiltered + read_.length).toBe(12000)
    expect(status.unreadableCount).toBe(0)
    expect(status.bytes).toBe(Buffer.byteLength(text))
  })

  it('counts skipped events only inside since/until when they are given', async () => {
    const events = [
      otherEvent(1, T - 10),
      otherEvent(2, T),
      otherEvent(3, T + 50),
      otherEvent(4, T + 100),
      keyEvent(5, T + 100),
      keyEvent(6, T + 20)
    ]
    const { status, result } = await scanFile(file(jsonl(events)), { since: T, until: T + 100 })
    expect(status.prefiltered).toBe(2)
    expect(result.eventsScanned).toBe(3)
    expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_6'])
  })

  it('reads a gzip-compressed file, known by its magic bytes', async () => {
    const { status, ids } = await read(file(gzipSync(jsonl(MIXED)), 'export.jsonl'))
    expect(ids).toEqual(KEY_IDS)
    expect(status.prefiltered).toBe(3)
  })

  it('fails closed on a gzip file cut short, keeping what it read', async () => {
    const big: AuditLogEvent[] = []
    for (let n = 0; n < 3000; n++) big.push(n % 10 === 0 ? keyEvent(n, T + n) : otherEvent(n, T + n))
    const zipped = gzipSync(jsonl(big))
    const { status, events } = await read(file(zipped.subarray(0, Math.floor(zipped.length / 2)), 'cut.jsonl.gz'))
    expect(events.length).toBeGreaterThan(0)
    expect(status.complete).toBe(false)
    expect(status.missing[0]).toMatch(
      /everything after the events read: the gzip data is cut short: the file ends at byte \d+, inside the compressed data/
    )
  })

  it('fails closed on an empty file: an export that holds nothing cannot say the window is clean', async () => {
    for (const content of ['', '\n \n', Buffer.from([0xef, 0xbb, 0xbf, 0x0a])]) {
      const { status } = await read(file(content))
      expect(status.complete).toBe(false)
      expect(status.missing[0]).toMatch(/the whole file: it is empty, it holds no events$/)
    }
  })

  it('parses every line of a file of saved list pages, one a line', async () => {
    const pages = [
      { object: 'list', data: MIXED.slice(0, 3), first_id: 'a', last_id: 'b', has_more: true },
      { object: 'list', data: MIXED.slice(3), first_id: 'c', last_id: 'd', has_more: false }
    ]
    const { ids } = await read(file(jsonl(pages)))
    expect(ids).toEqual(MIXED.map((event) => event.id))
  })
})

describe('FileSource: JSON documents', () => {
  it('streams a JSON array, compact or pretty, and gzip-compressed', async () => {
    for (const text of [JSON.stringify(MIXED), JSON.stringify(MIXED, null, 2)]) {
      const { ids, status } = await read(file(text, `array-${++files}.json`))
      expect(ids).toEqual(MIXED.map((event) => event.id))
      expect(status.complete).toBe(true)
    }
    const { ids } = await read(file(gzipSync(JSON.stringify(MIXED, null, 2)), 'array.json.gz'))
    expect(ids).toEqual(MIXED.map((event) => event.id))
  })

  it('streams a saved list response, pretty or on one line', async () => {
    const response = { object: 'list', data: MIXED, first_id: MIXED[0]!.id, last_id: MIXED[5]!.id, has_more: false }
    for (const text of [JSON.stringify(response, null, 2), JSON.stringify(response)]) {
      const { ids } = await read(file(text, `list-${++files}.json`))
      expect(ids).toEqual(MIXED.map((event) => event.id))
    }
    const { result } = await scanFile(file(gzipSync(JSON.stringify(response, null, 2)), 'list.json.gz'))
    expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_2'])
  })

  it('fails closed on a truncated array, keeping the events before the break', async () => {
    const text = JSON.stringify(MIXED, null, 2)
    const { status, ids } = await read(file(text.slice(0, text.indexOf('audit_log-000004')), 'cut.json'))
    expect(ids).toEqual(MIXED.slice(0, 3).map((event) => event.id))
    expect(status.complete).toBe(false)
    expect(status.missing[0]).toMatch(/everything after item 3: it is not valid JSON/)
    expect(status.unreadableCount).toBe(1)
  })

  it('fails closed on a JSON object that is not a list response', async () => {
    const { status, ids } = await read(
      file(JSON.stringify({ object: 'organization', name: 'acme' }, null, 2), 'other.json')
    )
    expect(ids).toEqual([])
    expect(status.complete).toBe(false)
    expect(status.missing[0]).toContain('it is not JSONL, a JSON array or a list response')
  })
})

describe('the prefilter', () => {
  const sort = (text: string, window: { since?: number; until?: number } = {}) => {
    const sorter = createLineSorter({ ...window, maxLineBytes: 1000 })
    const first = sorter.push(Buffer.from(text))
    const last = sorter.end()
    return {
      parsed: [...first.parse, ...last.parse].map((line) => line.line),
      unreadable: [...first.unreadable, ...last.unreadable].map((line) => line.line),
      skipped: first.prefiltered + last.prefiltered
    }
  }

  it('skips only lines shaped like one object: "{" first, "}" last', () => {
    const lines = [
      '{"a":{"b":[1,2,{"c":"}{]["}]},"d":"x"}',
      '{"a":1}{"b":2}',
      '{"a":{"b":1}',
      '{"a":"b}',
      '{"a":"b"}}',
      '["a"]',
      '{"a":[}',
      '{"type":"x","list":"api_key.created"}',
      '{"object":"list","data":[]}'
    ]
    // Lines 2, 3, 4, 5 and 7 are not valid JSON, but hold no key event in any reading: they
    // are counted, not parsed (checking the grammar of every line would triple the scan's time).
    expect(sort(lines.join('\n'))).toEqual({ parsed: [6, 8, 9], unreadable: [], skipped: 6 })
  })

  it('parses a line whose effective_at it cannot read for certain, when a window is given', () => {
    const lines = [
      '{"id":"a","effective_at":1790000000,"type":"x"}',
      '{"effective_at" : 1790000001 }',
      '{"effective_at":"1790000000"}',
      '{"effective_at":1790000000.5}',
      '{"x":{"effective_at":1},"effective_at":1790000000}',
      '{"id":"x"}',
      '{"effective_at":1700000000}'
    ]
    expect(sort(lines.join('\n') + '\n', { since: 1790000000 })).toEqual({
      parsed: [3, 4, 5, 6],
      unreadable: [],
      skipped: 2
    })
  })

  it('parses every line that may hold a key event type in a spelling the scan reads, and no other', () => {
    const lines = [
      '{"type":"api_key.created"}',
      '{"type":"api_key_created"}',
      '{"type":"TENANT_ADMIN_API_KEY_UPDATED"}',
      '{"type":"ApiKeyDeleted"}',
      '{"type":"api-key-created"}',
      '{"type":"login.succeeded","actor":{"type":"api_key","api_key":{"id":"key_c0ffee"}}}',
      '{"type":"api\\u005fkey.created"}',
      '{"type":"api_key\\u005fcreated"}',
      '{"type":"api_k\\u0065y.created"}',
      '{"type":"login.succeeded","name":"Jos\\u00e9 \\"Pepe\\" \\\\ Key West"}',
      '{"type":"x","note":"monkey.updated"}',
      '{"type":"x","note":"keyboard created"}'
    ]
    // Line 11 holds "key" and a verb: parsed, and found to be another type. Line 12 does not.
    expect(sort(lines.join('\n') + '\n')).toEqual({
      parsed: [1, 2, 3, 4, 5, 7, 8, 9, 11],
      unreadable: [],
      skipped: 3
    })
  })

  it('counts a run of empty lines as lines without a search for each', () => {
    const text = '\n'.repeat(100_000) + '{"a":1}\n' + '\n'.repeat(5) + '{"type":"api_key.created"}\n'
    expect(sort(text)).toEqual({ parsed: [100_007], unreadable: [], skipped: 1 })
  })

  it('says of a line too long to read whether its bytes hold what may be a key event', () => {
    const sorter = createLineSorter({ maxLineBytes: 1000 })
    // The type is cut between two reads.
    const key = `{"a":"${'x'.repeat(2000)}api_key.created${'y'.repeat(2000)}"}`
    const parts = [
      sorter.push(Buffer.from(key.slice(0, 2006 + 6))),
      sorter.push(Buffer.from(key.slice(2006 + 6) + '\n{"a":1}\n')),
      sorter.end()
    ]
    expect(parts.flatMap((part) => part.unreadable)).toEqual([
      {
        line: 1,
        reason: 'longer than 0 MB, too long to read, and it holds what may be an API key event',
        keyEvent: true
      }
    ])
    expect(parts.reduce((sum, part) => sum + part.prefiltered, 0)).toBe(1)
  })

  it('reports a line too long to be an event, and reads on', () => {
    const long = `{"a":"${'x'.repeat(3000)}"}`
    const sorter = createLineSorter({ maxLineBytes: 1000 })
    const parts = [
      sorter.push(Buffer.from('{"a":1}\n' + long.slice(0, 1500))),
      sorter.push(Buffer.from(long.slice(1500) + '\n{"b":2}\n')),
      sorter.end()
    ]
    expect(parts.flatMap((part) => part.unreadable)).toEqual([
      { line: 2, reason: 'longer than 0 MB: not an audit-log event' }
    ])
    expect(parts.reduce((sum, part) => sum + part.prefiltered, 0)).toBe(2)
  })
})

describe('FileSource: events in envelopes', () => {
  const high = keyEvent(7, T + 7, ['all'])
  const other = otherEvent(8, T + 8)

  it.each([
    ['{"data": event}', [{ data: high }, { data: other }]],
    ['{"event": event}', [{ event: high }, { event: other }]],
    ['Elasticsearch\'s {"_source": event}', [{ _index: 'audit', _id: '1', _source: high, sort: [1] }]],
    ['a typed wrapper {"type": ..., "data": event}', [{ type: 'openai.audit', data: high }]],
    ['{"events": [...]} on one line', [{ events: [other, high] }]],
    ['{"object": "list", "items": [...]} on one line', [{ object: 'list', items: [high, other] }]],
    ['an array of events on one line', [[other, high]]]
  ])('reads the events inside %s, and finds the HIGH key', async (_, records) => {
    const { status, result } = await scanFile(file(jsonl(records)))
    expect(status).toMatchObject({ complete: true, unreadableCount: 0 })
    expect([...result.findings].map((finding) => [finding.keyId, finding.severity])).toEqual([['key_7', 'HIGH']])
    expect(result.malformedCount).toBe(0)
  })

  it('reads a pretty-printed wrapper and an Elasticsearch search answer as documents', async () => {
    for (const document of [
      { events: [other, high] },
      { took: 3, hits: { total: 2, hits: [{ _source: other }, { _source: high }] } },
      [{ _source: other }, { _source: high }],
      // A search's own fields may name the type it searched for: they are no record.
      { meta: { query: '@type:api_key.created OR @type:login.succeeded' }, data: [other, high] }
    ]) {
      const { status, result } = await scanFile(file(JSON.stringify(document, null, 2), `doc-${++files}.json`))
      expect(status).toMatchObject({ complete: true })
      expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_7'])
      expect(result.eventsScanned).toBe(2)
    }
  })
})

describe('FileSource: fails closed on what it cannot read', () => {
  const high = JSON.stringify(keyEvent(7, T + 7, ['all']))
  const others = jsonl([otherEvent(1, T + 1), otherEvent(2, T + 2)])

  it('a last line cut short: the export did not finish', async () => {
    const { status, events } = await read(file(others + high.slice(0, high.length - 20)))
    expect(events).toHaveLength(0)
    expect(status.complete).toBe(false)
    expect(status.missing).toHaveLength(1)
    expect(status.missing[0]).toMatch(
      /, line 3, its last, is cut short \(no newline at its end, and not valid JSON\): the export did not finish/
    )
    expect(status.missing[0]).toContain('export the audit log again as UTF-8')
  })

  it('a key event with a trailing comma or a raw control character: one message with the count', async () => {
    const comma = `${high},`
    const control = high.replace('"all"', '"a\u0001ll"')
    const { status } = await read(file(`${comma}\n${others}${control}\n${jsonl([otherEvent(3, T)])}`))
    expect(status.complete).toBe(false)
    expect(status.missing).toEqual([
      `file ${join(dir, `audit-${files}.jsonl`)}, 2 records that may be API key events could not be read (line 1, line 4; ` +
        'each is listed under the skipped records): fix them or export the audit log again as UTF-8 (JSONL, a JSON ' +
        'array or a list response) and scan it again'
    ])
    expect(status.unreadable.map((entry) => entry.where)).toEqual(['line 1', 'line 4'])
    expect(status.unreadable[0]!.reason).toMatch(/^not valid JSON \(.*\), and it may be an API key event$/)
  })

  it('a line that is not an event but mentions one', async () => {
    const { status } = await read(file(`${others}{"note":"api_key.created","scopes":["all"]}\n`))
    expect(status.complete).toBe(false)
    expect(status.missing[0]).toContain('1 record that may be API key events could not be read (line 3;')
  })

  it('UTF-16 with a byte-order mark, as PowerShell writes it', async () => {
    const text = others + high + '\n'
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])
    ]) {
      const { status, events } = await read(file(bytes))
      expect(events).toEqual([])
      expect(status.complete).toBe(false)
      expect(status.missing[0]).toMatch(/, the whole file: it is UTF-16 text .* not UTF-8: convert it/)
    }
  })

  it('NUL bytes: UTF-16 without a byte-order mark, a file of zeros, a tail never written', async () => {
    const utf16 = await read(file(Buffer.from(others + high + '\n', 'utf16le')))
    expect(utf16.status.complete).toBe(false)
    expect(utf16.status.missing[0]).toMatch(/, the whole file: it holds NUL bytes, so it is not UTF-8 text/)

    // 64 MB of zeros: refused from its first megabyte, not read to the end.
    const zeros = file(Buffer.alloc(64 << 20))
    const empty = await read(zeros)
    expect(empty.status.bytes).toBeLessThanOrEqual(2 << 20)
    expect(empty.status.missing[0]).toMatch(/the whole file: it holds NUL bytes/)

    const tail = await read(file(Buffer.concat([Buffer.from(`${high}\n${others}`), Buffer.alloc(4096)])))
    expect(tail.ids).toEqual(['audit_log-000007'])
    expect(tail.status.complete).toBe(false)
    expect(tail.status.missing[0]).toMatch(
      new RegExp(`, everything from byte ${high.length + 1 + others.length}: it holds NUL bytes`)
    )
  })

  it('an HTML page or plain text saved in place of the export', async () => {
    const html = await read(
      file('<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body>api_key</body></html>\n')
    )
    expect(html.status.complete).toBe(false)
    expect(html.status.missing).toHaveLength(1)
    expect(html.status.missing[0]).toMatch(/, the whole file: it is an HTML or XML page, not an audit-log export/)

    const text = await read(file('Export finished.\nNo errors.\n'))
    expect(text.status.complete).toBe(false)
    expect(text.status.missing).toEqual([
      expect.stringMatching(/, the whole file: no record in it is an audit-log event \(2 records not understood; /)
    ])
  })

  it('a list or an array with no event in it, like an empty file', async () => {
    for (const content of [
      '[]',
      '{"object":"list","data":[],"has_more":false}\n',
      '{\n  "object": "list",\n  "data": []\n}'
    ]) {
      const { status } = await read(file(content, `none-${++files}.json`))
      expect(status.complete).toBe(false)
      expect(status.missing[0]).toMatch(/the whole file: it holds no events \(an empty list\)$/)
    }
  })

  it('refuses a missing file, a directory, a named pipe and a device, saying what to do', async () => {
    const refused = async (path: string) =>
      read(path).then(
        () => undefined,
        (error: Error) => error
      )
    expect(await refused(join(dir, 'nowhere.jsonl'))).toMatchObject({
      name: 'ExportFileError',
      message: expect.stringMatching(/^there is no such file \(.*nowhere\.jsonl\): check the path/)
    })
    expect((await refused(dir))?.message).toBe('it is a directory: give the path of the export file inside it.')
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    // No writer ever comes: the source must not wait for one.
    expect((await refused(fifo))?.message).toMatch(/^it is a named pipe \(FIFO\), not a file/)
    expect((await refused('/dev/null'))?.message).toMatch(/^it is not a regular file/)
  })

  it('reads standard input, plain or gzip-compressed', async () => {
    for (const bytes of [Buffer.from(jsonl(MIXED)), gzipSync(jsonl(MIXED))]) {
      const source = new FileSource('-', { stdin: Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]) })
      const result = await scan(source, { rule: DEFAULT_RULE_OPTIONS, window: {}, allowActors: [] })
      expect(source.label).toBe('standard input')
      expect(result.source).toMatchObject({ complete: true, bytes: bytes.length })
      expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_2'])
    }
  })
})
