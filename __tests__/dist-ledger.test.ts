// The coverage ledger through dist/index.js as the runner starts it, against the fake Admin
// API and the fake GitHub on 127.0.0.1: a run that could not read its window, missed runs,
// a gap beyond max-catch-up, reruns, a status issue a person broke, a dry run, an export.
import { readFileSync } from 'node:fs'
import { isLedgerBody, parseLedger, renderLedger } from '../src/ledger/body.js'
import { normalised, type Ledger } from '../src/ledger/ledger.js'
import { markedKey } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { BOT, FakeGitHub, type FakeIssue } from './support/fake-github.js'
import { keyEvent, startFakeOpenAI, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'

const KEY = 'sk-admin-LEDGERabcdefghijklmnopqrstuvwxyz0123456789'
const HOUR = 3600
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI | undefined
let github: FakeGitHub
beforeEach(async () => {
  github = await new FakeGitHub().start()
})
afterEach(async () => {
  await openai?.close()
  await github.stop()
  openai = undefined
})

async function serve(events: AuditLogEvent[]): Promise<FakeOpenAI> {
  openai = await startFakeOpenAI({ key: KEY, events })
  return openai
}

function run(inputs: Record<string, string> = {}) {
  return runAction(
    {
      'openai-admin-key': KEY,
      'openai-base-url': openai!.baseURL,
      'github-token': github.token,
      'enrich-keys': 'false',
      'fail-on': 'none',
      lookback: '1h',
      ...inputs
    },
    { GITHUB_API_URL: github.url }
  )
}

/** A status issue as the action would have written it, with this record. */
function seedLedger(ledger: Ledger, issue: Partial<FakeIssue> = {}): FakeIssue {
  const body = renderLedger(normalised(ledger, now), { lookback: '1h', maxCatchUp: '7d' }, now)
  return github.addIssue({
    title: 'OpenAI keywatch: audit-log coverage (status)',
    labels: ['openai-keywatch'],
    body,
    ...issue
  })
}

const ledgerIssues = (): FakeIssue[] => github.issues.filter((issue) => isLedgerBody(issue.body))
const recordOf = (issue: FakeIssue): Ledger => {
  const parsed = parseLedger(issue.body)
  if ('problem' in parsed) throw new Error(parsed.problem)
  return parsed.ledger
}
const keyIssues = (): (string | undefined)[] => github.issues.map((issue) => markedKey(issue.body)).filter(Boolean)
/** The effective_at[gte] of the audit-log requests: where each run's window started. */
const starts = (): number[] => [...new Set(openai!.requests.map((r) => Number(r.query.get('effective_at[gte]'))))]
/** A time a run took from its own clock: at most a minute or two after this file's `now`. */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(expected)
  expect(actual).toBeLessThan(expected + 120)
}
const writes = (): string[] => github.writes.map((w) => `${w.method} ${w.path}`)

/** 120 key events without elevated scopes in the last 20 minutes: more than one page. */
const busy = (): AuditLogEvent[] =>
  Array.from({ length: 120 }, (_, n) => keyEvent(500 + n, now - 1200 + n, ['models:read']))

describe('the coverage ledger (dist/index.js)', () => {
  it('after a run that could not read its window, the next one reads from where complete coverage ends and finds what fell in the hole', async () => {
    await serve([keyEvent(1, now - 90 * 60, ['all']), ...busy()])
    // The last complete run read up to two hours ago.
    const status = seedLedger({
      since: now - 6 * HOUR,
      covered: [{ start: now - 6 * HOUR, end: now - 2 * HOUR }],
      gaps: []
    })
    // The first page of the first request, then an outage: five retries, all 503.
    const outage = { status: 503, headers: { 'retry-after-ms': '10' } }
    openai!.fault({ pass: true }, outage, outage, outage, outage, outage, outage)
    const failed = await run()
    expect(failed.code).toBe(1)
    expect(failed.outputs.complete).toBe('false')
    expect(starts()[0]).toBe(now - 2 * HOUR)
    expect(keyIssues()).toEqual([])
    // Nothing added but the gap, and why.
    const hole = recordOf(status)
    expect(hole.covered).toEqual([{ start: now - 6 * HOUR, end: now - 2 * HOUR }])
    expect(hole.gaps).toEqual([expect.objectContaining({ kind: 'failed', start: now - 2 * HOUR })])
    expect(status.body).toContain('a run could not read it')
    expect(failed.summary).toContain('this window recorded as a gap')

    openai!.requests.length = 0
    const next = await run()
    expect(next.code).toBe(0)
    expect(starts()[0]).toBe(now - 2 * HOUR)
    expect(keyIssues()).toEqual(['key_1'])
    expect(next.summary).toMatch(/caught up (59|60) minutes missed since the last complete run/)
    const record = recordOf(status)
    expect(record.covered).toEqual([{ start: now - 6 * HOUR, end: expect.any(Number) }])
    expect(record.covered[0]!.end).toBeGreaterThanOrEqual(now)
    expect(record.gaps).toEqual([])
    expect(ledgerIssues()).toHaveLength(1)
  })

  it('after a first run that could not read its window, the next one reads that window again', async () => {
    await serve([keyEvent(1, now - 90 * 60, ['all']), ...busy()])
    const outage = { status: 503, headers: { 'retry-after-ms': '10' } }
    openai!.fault({ pass: true }, outage, outage, outage, outage, outage, outage)
    const failed = await run({ lookback: '2h' })
    expect(failed.code).toBe(1)
    const [status] = ledgerIssues()
    expect(status!.labels).toEqual(['openai-keywatch'])
    // The watch begins with the window, though none of it is covered.
    const hole = recordOf(status!)
    near(hole.since, now - 2 * HOUR)
    expect(hole.covered).toEqual([])

    openai!.requests.length = 0
    const next = await run({ lookback: '1h' })
    expect(next.code).toBe(0)
    expect(starts()[0]).toBe(hole.since)
    expect(keyIssues()).toEqual(['key_1'])
  })

  it('after missed runs (coverage 5 hours old), the next run catches up', async () => {
    await serve([keyEvent(2, now - 3 * HOUR, ['admin'])])
    const status = seedLedger({
      since: now - 10 * HOUR,
      covered: [{ start: now - 10 * HOUR, end: now - 5 * HOUR }],
      gaps: []
    })
    const caughtUp = await run()
    expect(caughtUp.code).toBe(0)
    expect(starts()[0]).toBe(now - 5 * HOUR)
    expect(keyIssues()).toEqual(['key_2'])
    expect(caughtUp.summary).toMatch(/caught up (3|4) hours missed since the last complete run/)
    const report = JSON.parse(readFileSync(caughtUp.outputs.report!, 'utf8'))
    expect(report.ledger).toMatchObject({
      issue: { number: status.number },
      written: 'updated',
      adds: { covered: true }
    })
    expect(report.window.since).toBe(new Date((now - 5 * HOUR) * 1000).toISOString())
    expect(recordOf(status).covered).toEqual([{ start: now - 10 * HOUR, end: expect.any(Number) }])
    expect(recordOf(status).covered[0]!.end).toBeGreaterThanOrEqual(now)
  })

  it('reports a gap beyond max-catch-up and does not read it', async () => {
    await serve([keyEvent(3, now - 15 * HOUR, ['all']), keyEvent(4, now - 5 * HOUR, ['all'])])
    const status = seedLedger({
      since: now - 30 * HOUR,
      covered: [{ start: now - 30 * HOUR, end: now - 20 * HOUR }],
      gaps: []
    })
    const caughtUp = await run({ 'max-catch-up': '10h' })
    expect(caughtUp.code).toBe(0)
    const start = starts()[0]!
    expect(start).toBeGreaterThanOrEqual(now - 10 * HOUR)
    expect(start).toBeLessThan(now - 10 * HOUR + 60)
    // key_3 lies in the gap beyond max-catch-up: not read, so no issue; key_4 is caught up.
    expect(keyIssues()).toEqual(['key_4'])
    expect(caughtUp.summary).toContain('**Not read, beyond max-catch-up**')
    expect(caughtUp.stdout).toMatch(
      /::warning::The audit log from \S+ to \S+ \(10 hours\) was missed and is older than max-catch-up \(10h\): it was not read\. Backfill it with since and until\./
    )
    const record = recordOf(status)
    expect(record.gaps).toEqual([
      expect.objectContaining({ kind: 'beyond-max-catch-up', start: now - 20 * HOUR, end: start })
    ])
    expect(status.body).toContain('backfill it with since/until')

    // The next run says it again in the summary, but warns no more: the status issue has it.
    const again = await run({ 'max-catch-up': '10h' })
    expect(again.summary).toContain('**Not read, beyond max-catch-up**')
    expect(again.stdout).not.toContain('was missed and is older than max-catch-up')
  })

  it('a rerun over the same coverage writes only the ledger edit, or nothing when nothing changed', async () => {
    await serve([keyEvent(5, now - 150 * 60, ['all'])])
    const backfill = { since: String(now - 3 * HOUR), until: String(now - 2 * HOUR) }
    await run(backfill)
    expect(keyIssues()).toEqual(['key_5'])
    expect(recordOf(ledgerIssues()[0]!)).toMatchObject({ covered: [{ start: now - 3 * HOUR, end: now - 2 * HOUR }] })
    github.reset()
    const same = await run(backfill)
    expect(same.code).toBe(0)
    expect(github.writes).toEqual([])
    expect(same.summary).toContain('status issue already up to date')

    // A scheduled run, then another over what it read: the key's issue is left as it is,
    // the ledger is edited once (its coverage grows to now), and nothing is filed twice.
    await run({ lookback: '3h' })
    github.reset()
    // A second later, so that the second run's window ends later than the first's.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await run({ lookback: '3h' })
    expect(writes()).toEqual([`PATCH /repos/acme/security/issues/${ledgerIssues()[0]!.number}`])
    expect(keyIssues()).toEqual(['key_5'])
    expect(github.comments).toEqual([])
  })

  it('a corrupted, edited, closed or forged status issue does not fail the run', async () => {
    await serve([keyEvent(6, now - 3 * HOUR, ['all'])])
    // Corrupted: the marker, and a record that is no record.
    const corrupted = seedLedger(
      { covered: [], gaps: [] },
      { body: '<!-- openai-keywatch:ledger -->\n\n<!-- openai-keywatch:ledger-data v1 !!! -->' }
    )
    const first = await run()
    expect(first.code).toBe(0)
    near(starts()[0], now - HOUR)
    expect(first.stdout.match(/::warning::The coverage ledger could not be read/g)).toHaveLength(1)
    expect(first.stdout).toContain('status issue #1: its body has no record of the coverage')
    expect(first.summary).toContain('**could not be read**')
    // Replaced by this run's record, in place.
    expect(recordOf(corrupted).covered).toHaveLength(1)

    // Edited by hand: a value changed without the digest.
    const record = { since: now - 8 * HOUR, covered: [{ start: now - 8 * HOUR, end: now - 6 * HOUR }], gaps: [] }
    corrupted.body = renderLedger(record, { lookback: '1h', maxCatchUp: '7d' }, now).replace(
      /(ledger-data v1 )(\S+)/,
      (_, head: string, data: string) => {
        const wire = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'))
        wire.covered[0][1] = now
        return `${head}${Buffer.from(JSON.stringify(wire)).toString('base64url')}`
      }
    )
    openai!.requests.length = 0
    const edited = await run()
    expect(edited.code).toBe(0)
    expect(edited.stdout).toContain('its record was edited (its digest does not match)')
    near(starts()[0], now - HOUR)

    // Closed by a person: read (the run catches up), and reopened by the same one edit.
    corrupted.body = renderLedger(normalised(record, now), { lookback: '1h', maxCatchUp: '7d' }, now)
    corrupted.state = 'closed'
    openai!.requests.length = 0
    github.reset()
    const closed = await run()
    expect(closed.code).toBe(0)
    expect(starts()[0]).toBe(now - 6 * HOUR)
    expect(corrupted.state).toBe('open')
    // The key found in the caught-up hours gets its issue; the status issue one edit.
    expect(writes()).toEqual([
      'POST /repos/acme/security/issues',
      `PATCH /repos/acme/security/issues/${corrupted.number}`
    ])
    expect(closed.summary).toContain('status issue was closed: reopened and updated')

    // Forged: a person's issue with the marker and a record that claims everything is read.
    github.issues = []
    const person = { login: 'mallory', type: 'User' as const }
    seedLedger(
      { since: now - 8 * HOUR, covered: [{ start: now - 8 * HOUR, end: now - 60 }], gaps: [] },
      { user: person }
    )
    openai!.requests.length = 0
    const forged = await run()
    expect(forged.code).toBe(0)
    expect(forged.stdout).toContain(
      "#1 carries the status issue's marker but was not opened by the action (it was by mallory): it is ignored."
    )
    near(starts()[0], now - HOUR)
    const own = ledgerIssues().filter((issue) => issue.user.login === BOT.login)
    expect(own).toHaveLength(1)
  })

  it('a GitHub that does not answer the ledger read: the run reads its lookback and says so once', async () => {
    await serve([keyEvent(7, now - 600, ['all'])])
    github.stall({ method: 'GET', path: /\/issues$/, mode: 'hang' })
    const slow = await run({ 'github-budget': '3s' })
    expect(slow.code).toBe(0)
    near(starts()[0], now - HOUR)
    expect(
      slow.stdout.match(/::warning::The coverage ledger could not be read: GitHub could not be read/g)
    ).toHaveLength(1)
    expect(slow.outputs.findings).toBe('1')
  })

  it('a dry run reads the ledger and writes nothing', async () => {
    await serve([keyEvent(8, now - 3 * HOUR, ['all'])])
    const status = seedLedger({
      since: now - 10 * HOUR,
      covered: [{ start: now - 10 * HOUR, end: now - 5 * HOUR }],
      gaps: []
    })
    const body = status.body
    const dry = await run({ 'dry-run': 'true' })
    expect(dry.code).toBe(0)
    expect(starts()[0]).toBe(now - 5 * HOUR)
    expect(github.writes).toEqual([])
    expect(status.body).toBe(body)
    expect(dry.summary).toContain('dry run: read, not written')
  })

  it('an export leaves the ledger as it was', async () => {
    const status = seedLedger({
      since: now - 10 * HOUR,
      covered: [{ start: now - 10 * HOUR, end: now - 5 * HOUR }],
      gaps: []
    })
    const body = status.body
    const exported = await runAction(
      { 'audit-log-file': '__fixtures__/seed-events.jsonl', 'github-token': github.token, 'fail-on': 'none' },
      { GITHUB_API_URL: github.url }
    )
    expect(exported.code).toBe(0)
    expect(status.body).toBe(body)
    expect(github.writes.filter((w) => w.path.endsWith(`/issues/${status.number}`))).toEqual([])
    expect(exported.summary).toContain('Coverage ledger: off (an exported audit log was scanned')
  })

  it('is kept with create-issues false, and not at all with ledger false', async () => {
    await serve([keyEvent(9, now - 600, ['all'])])
    const kept = await run({ 'create-issues': 'false' })
    expect(kept.code).toBe(0)
    expect(keyIssues()).toEqual([])
    expect(ledgerIssues()).toHaveLength(1)
    expect(writes()).toEqual(['POST /repos/acme/security/issues'])

    github.issues = []
    github.reset()
    const off = await run({ 'create-issues': 'false', ledger: 'false' })
    expect(off.code).toBe(0)
    expect(github.requests).toEqual([])
    expect(off.summary).toContain('Coverage ledger: off (ledger is false)')
  })
})
