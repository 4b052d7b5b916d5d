// The status issue's adapter against the fake GitHub: two runs at once keep the union of
// what each read, a personal access token's own issue is trusted and no one else's, and a
// refused write is a note, never an exception.
import { parseLedger, renderLedger } from '../../src/ledger/body.js'
import { keepLedger, planFromLedger, type LedgerOptions } from '../../src/ledger/keep.js'
import { pickStatus, type StatusIssue } from '../../src/ledger/status-issue.js'
import { normalised, type Ledger } from '../../src/ledger/ledger.js'
import { FakeGitHub, type FakeIssue } from '../support/fake-github.js'

const H = 3600
const NOW = Math.floor(Date.now() / 1000)
const WORDS = { lookback: '1h', maxCatchUp: '7d' }

let github: FakeGitHub
beforeEach(async () => {
  github = await new FakeGitHub().start()
})
afterEach(async () => {
  await github.stop()
})

function options(): LedgerOptions {
  return {
    target: {
      token: github.token,
      apiUrl: github.url,
      repository: 'acme/security',
      label: 'openai-keywatch',
      budget: { ms: 20_000, words: 'github-budget: 20s' },
      timings: { secondMs: 1, writeSpacingMs: 0, notifySpacingMs: 0 }
    },
    lookback: H,
    maxCatchUp: 7 * 24 * H,
    words: WORDS,
    dryRun: false
  }
}

function seed(ledger: Ledger, issue: Partial<FakeIssue> = {}): FakeIssue {
  return github.addIssue({
    labels: ['openai-keywatch'],
    body: renderLedger(normalised(ledger, NOW), WORDS, NOW),
    ...issue
  })
}

function recordOf(issue: FakeIssue): Ledger {
  const parsed = parseLedger(issue.body)
  if ('problem' in parsed) throw new Error(parsed.problem)
  return parsed.ledger
}

const lines: string[] = []
const warn = (line: string): void => void lines.push(line)

describe('the status issue', () => {
  it('keeps the union when another run wrote between this run’s read and its write', async () => {
    const status = seed({ since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 5 * H }], gaps: [] })
    const plan = await planFromLedger(
      options(),
      { now: NOW, window: { start: NOW - H, end: NOW }, scheduled: true },
      warn
    )
    expect(plan.window).toEqual({ start: NOW - 5 * H, end: NOW })
    // Meanwhile a backfill run records a window of its own.
    status.body = renderLedger(
      normalised(
        {
          since: NOW - 10 * H,
          covered: [
            { start: NOW - 10 * H, end: NOW - 5 * H },
            { start: NOW - 20 * H, end: NOW - 15 * H }
          ],
          gaps: []
        },
        NOW
      ),
      WORDS,
      NOW
    )
    github.reset()
    const note = await keepLedger(plan, { covered: true }, warn)
    expect(note.written).toBe('updated')
    expect(recordOf(status).covered).toEqual([
      { start: NOW - 20 * H, end: NOW - 15 * H },
      { start: NOW - 10 * H, end: NOW }
    ])
    // One read again right before the one edit.
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/security/issues',
      `PATCH /repos/acme/security/issues/${status.number}`
    ])
  })

  it("trusts a personal access token's own issue, and no other person's", async () => {
    github.actor = { login: 'alice', type: 'User' }
    seed(
      { since: NOW - 9 * H, covered: [{ start: NOW - 9 * H, end: NOW - 8 * H }], gaps: [] },
      { user: { login: 'bob', type: 'User' } }
    )
    const own = seed({ since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 5 * H }], gaps: [] })
    const plan = await planFromLedger(
      options(),
      { now: NOW, window: { start: NOW - H, end: NOW }, scheduled: true },
      warn
    )
    expect(plan.read.issue?.number).toBe(own.number)
    expect(plan.window.start).toBe(NOW - 5 * H)
    expect(plan.note.notes).toEqual([
      "#1 carries the status issue's marker but was not opened by the action (it was by bob): it is ignored."
    ])
  })

  it('a refused write is a note, and the record is left as it was', async () => {
    const status = seed({ since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 5 * H }], gaps: [] })
    const body = status.body
    const plan = await planFromLedger(
      options(),
      { now: NOW, window: { start: NOW - H, end: NOW }, scheduled: true },
      warn
    )
    github.fail({ method: 'PATCH', status: 403, message: 'Resource not accessible by integration' })
    const note = await keepLedger(plan, { covered: true }, warn)
    expect(note.written).toBe('not-written')
    expect(note.notes.at(-1)).toContain(
      'The status issue could not be written (GitHub answered 403 to PATCH /repos/acme/security/issues/1: Resource not accessible by integration'
    )
    expect(status.body).toBe(body)
  })

  it('a dry run writes nothing, and says what it would add', async () => {
    seed({ since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 5 * H }], gaps: [] })
    const plan = await planFromLedger(
      { ...options(), dryRun: true },
      { now: NOW, window: { start: NOW - H, end: NOW }, scheduled: true },
      warn
    )
    github.reset()
    const note = await keepLedger(plan, { covered: false, kind: 'failed', why: 'page 2 failed' }, warn)
    expect(note).toMatchObject({ written: 'dry-run', adds: { covered: false, why: 'page 2 failed' } })
    expect(github.requests).toEqual([])
  })
})

describe('pickStatus', () => {
  const body = (ledger: Ledger): string => renderLedger(normalised(ledger, NOW), WORDS, NOW)
  const issue = (number: number, text: string, author = 'github-actions[bot]'): StatusIssue => ({
    number,
    url: `https://github.com/acme/security/issues/${number}`,
    state: 'open',
    body: text,
    author
  })
  const bot = (candidate: StatusIssue): boolean => candidate.author === 'github-actions[bot]'

  it('merges every record of the action, writes to the oldest, and uses a readable one when another is broken', () => {
    const read = pickStatus(
      [
        issue(9, body({ since: NOW - 3 * H, covered: [{ start: NOW - 3 * H, end: NOW - 2 * H }], gaps: [] })),
        issue(4, body({ since: NOW - 5 * H, covered: [{ start: NOW - 5 * H, end: NOW - 4 * H }], gaps: [] })),
        issue(6, 'edited to nothing'),
        issue(2, body({ since: 0, covered: [{ start: NOW - 9 * H, end: NOW }], gaps: [] }), 'mallory')
      ],
      bot,
      NOW
    )
    expect(read.issue?.number).toBe(4)
    expect(read.ledger).toEqual({
      since: NOW - 5 * H,
      covered: [
        { start: NOW - 5 * H, end: NOW - 4 * H },
        { start: NOW - 3 * H, end: NOW - 2 * H }
      ],
      gaps: []
    })
    expect(read.problem).toBeUndefined()
    expect(read.notes).toEqual([
      "#2 carries the status issue's marker but was not opened by the action (it was by mallory): it is ignored.",
      "status issue #6: its body has no record of the coverage (the hidden ledger-data line is gone); the other status issue's record is used."
    ])
  })

  it('is a problem when no record of the action can be read, and nothing when there is no status issue', () => {
    expect(pickStatus([issue(3, 'x')], bot, NOW)).toMatchObject({
      issue: { number: 3 },
      problem: 'status issue #3: its body has no record of the coverage (the hidden ledger-data line is gone)'
    })
    expect(pickStatus([], bot, NOW)).toEqual({ issue: undefined, ledger: undefined, problem: undefined, notes: [] })
  })
})
