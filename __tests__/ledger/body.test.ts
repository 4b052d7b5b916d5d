// The status issue's body: the record round-trips through it, and any other text a person
// (or an attacker) may leave there is a problem in words, never an exception or a record.
import { createHash } from 'node:crypto'
import { BODY_BUDGET, dataLine, isLedgerBody, LEDGER_MARKER, parseLedger, renderLedger } from '../../src/ledger/body.js'
import { normalised, type Ledger } from '../../src/ledger/ledger.js'

const NOW = 1_796_000_000
const H = 3600
const WORDS = { lookback: '1h', maxCatchUp: '7d' }
const LEDGER: Ledger = normalised(
  {
    since: NOW - 10 * H,
    covered: [
      { start: NOW - 10 * H, end: NOW - 6 * H },
      { start: NOW - 3 * H, end: NOW }
    ],
    last: { start: NOW - H, end: NOW },
    gaps: [
      {
        start: NOW - 6 * H,
        end: NOW - 3 * H,
        kind: 'failed',
        why: 'page 2 failed -->\n<img src=x> @org/team #1',
        at: NOW - 3 * H
      }
    ]
  },
  NOW
)

/** A data line of `text` with a digest that matches, as a person who read this code could write it. */
function forgedRaw(text: string): string {
  const data = Buffer.from(text).toString('base64url')
  const digest = createHash('sha256').update(`openai-keywatch:ledger:${data}`, 'utf8').digest('hex')
  return `<!-- openai-keywatch:ledger-data v1 ${data} ${digest} -->`
}
const forged = (wire: unknown): string => forgedRaw(JSON.stringify(wire))

const problem = (body: string | null | undefined): string => {
  const parsed = parseLedger(body)
  return 'problem' in parsed ? parsed.problem : 'read'
}

describe('the status issue body', () => {
  it('round-trips the record', () => {
    const body = renderLedger(LEDGER, WORDS, NOW)
    expect(isLedgerBody(body)).toBe(true)
    expect(parseLedger(body)).toEqual({ ledger: LEDGER })
    expect(body.length).toBeLessThan(65_536)
  })

  it('reads a body that came back from github.com with CRLF line ends', () => {
    const body = renderLedger(LEDGER, WORDS, NOW).replace(/\n/g, '\r\n')
    expect(isLedgerBody(body)).toBe(true)
    expect(parseLedger(body)).toEqual({ ledger: LEDGER })
  })

  it('shows attacker text from a failure inert, and it cannot close the hidden block', () => {
    const body = renderLedger(LEDGER, WORDS, NOW)
    const shown = body.split('<!-- openai-keywatch:ledger-data')[0]!
    expect(shown).not.toMatch(/(?<!\\)<img/)
    expect(shown).not.toMatch(/@org\/team/)
    expect(shown).not.toMatch(/#1/)
    expect(body.match(/-->/g)).toHaveLength(2)
    expect(body).toContain('| a run could not read it')
  })

  it('holds the largest record within what GitHub holds, the newest entries kept', () => {
    const big = normalised(
      {
        since: NOW - 29 * 86_400,
        covered: Array.from({ length: 1000 }, (_, n) => ({
          start: NOW - 29 * 86_400 + n * 2000,
          end: NOW - 29 * 86_400 + n * 2000 + 1000
        })),
        gaps: Array.from({ length: 1000 }, (_, n) => ({
          start: NOW - 86_400 + n * 10,
          end: NOW - 86_400 + n * 10 + 5,
          kind: 'failed' as const,
          why: 'ü'.repeat(900),
          at: n
        }))
      },
      NOW
    )
    const body = renderLedger(big, WORDS, NOW)
    expect(body.length).toBeLessThanOrEqual(BODY_BUDGET)
    const parsed = parseLedger(body)
    if ('problem' in parsed) throw new Error(parsed.problem)
    expect(parsed.ledger.gaps.at(-1)).toEqual(big.gaps.at(-1))
    expect(parsed.ledger.covered.at(-1)).toEqual(big.covered.at(-1))
    expect(parsed.ledger.since).toBe(big.since)
  })

  it.each([
    [null, 'its body is empty'],
    ['', 'its body is empty'],
    [LEDGER_MARKER, 'its body has no record of the coverage'],
    [`${LEDGER_MARKER}\n${'x'.repeat(70_000)}`, 'more than GitHub holds'],
    [`${LEDGER_MARKER}\n<!-- openai-keywatch:ledger-data v1 !!! -->`, 'its body has no record of the coverage'],
    [`${LEDGER_MARKER}\nsee ${dataLine(LEDGER)}`, 'its body has no record of the coverage'],
    [`${LEDGER_MARKER}\n${dataLine(LEDGER)}\n${dataLine(LEDGER)}`, '2 ledger-data lines'],
    [
      `${LEDGER_MARKER}\n${dataLine(LEDGER).replace('v1 ', 'v2 ')}`,
      'version 2, which this version of the action (1) does not read'
    ],
    [`${LEDGER_MARKER}\n${dataLine(LEDGER).replace(/ [0-9a-f]{64} /, ` ${'0'.repeat(64)} `)}`, 'its record was edited'],
    [`${LEDGER_MARKER}\n${forgedRaw('{')}`, 'not valid JSON'],
    [`${LEDGER_MARKER}\n${forged([1, 2])}`, 'values the action does not write'],
    [`${LEDGER_MARKER}\n${forged({ v: 1, covered: [[5, 1]], gaps: [] })}`, 'values the action does not write'],
    [`${LEDGER_MARKER}\n${forged({ v: 1, covered: [[-5, 1]], gaps: [] })}`, 'values the action does not write'],
    [`${LEDGER_MARKER}\n${forged({ v: 1, covered: [['1', '2']], gaps: [] })}`, 'values the action does not write'],
    [`${LEDGER_MARKER}\n${forged({ v: 1, covered: [[1.5, 2]], gaps: [] })}`, 'values the action does not write'],
    [
      `${LEDGER_MARKER}\n${forged({ v: 1, covered: Array.from({ length: 201 }, (_, n) => [n * 2, n * 2 + 1]), gaps: [] })}`,
      'values the action does not write'
    ],
    [
      `${LEDGER_MARKER}\n${forged({ v: 1, covered: [], gaps: [[1, 2, 'whatever', 'x', 3]] })}`,
      'values the action does not write'
    ],
    [
      `${LEDGER_MARKER}\n${forged({ v: 1, since: 'yesterday', covered: [], gaps: [] })}`,
      'values the action does not write'
    ],
    [`${LEDGER_MARKER}\n${forged({ v: 1, covered: [], gaps: [], last: [3] })}`, 'values the action does not write']
  ])('refuses %#: %s', (body, words) => {
    expect(problem(body)).toContain(words)
  })

  it('is found by its marker on a line of its own only', () => {
    expect(isLedgerBody(`text ${LEDGER_MARKER}`)).toBe(false)
    expect(isLedgerBody(`text\n${LEDGER_MARKER}\nmore`)).toBe(true)
    expect(isLedgerBody(undefined)).toBe(false)
  })
})
