// The bundle, started as the runner starts it, on the seed's 8 events.
import { readFileSync } from 'node:fs'
import { runAction } from './support/action.js'

const SEED = '__fixtures__/seed-events.jsonl'

describe('dist/index.js on the seed events', () => {
  it('finds exactly the 4 HIGH keys and fails with fail-on: high', async () => {
    const run = await runAction({ 'audit-log-file': SEED, 'fail-on': 'high', 'create-issues': 'false' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ findings: '4', high: '4', medium: '0', events: '8', complete: 'true' })
    expect(JSON.parse(run.outputs.keys!).sort()).toEqual([
      'key-child001',
      'key-existing123',
      'key-malicious001',
      'key-suspicious001'
    ])
    expect(run.stdout).toContain('::error::4 findings at or above fail-on (high).')
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.counts.high).toBe(4)
    expect(run.summary).toContain('OpenAI Anomalous API Key Activity')
  })

  it('passes with fail-on: none', async () => {
    const run = await runAction({ 'audit-log-file': SEED, 'fail-on': 'none', 'create-issues': 'false' })
    expect(run.code).toBe(0)
    expect(run.outputs.findings).toBe('4')
  })

  it('stops on a bad input with a message naming it', async () => {
    const run = await runAction({ 'audit-log-file': SEED, 'fail-on': 'hihg' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '::error::Input fail-on is "hihg": use one of critical, high, medium, low, info, none.'
    )
    expect(run.outputs).toEqual({})
  })
})
