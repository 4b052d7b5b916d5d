// The bundle, started as the runner starts it, on the seed's 8 events.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { runAction } from './support/action.js'
import { created } from './support/events.js'
import { tempDir } from './support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'

describe('dist/index.js on the seed events', () => {
  it('finds exactly the 4 HIGH keys and fails with fail-on: high', async () => {
    const run = await runAction({
      'audit-log-file': SEED,
      'escalate-signals': '0',
      'fail-on': 'high',
      'create-issues': 'false'
    })
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
    const run = await runAction({
      'audit-log-file': SEED,
      'escalate-signals': '0',
      'fail-on': 'none',
      'create-issues': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.findings).toBe('4')
  })

  it('stops on a bad input with a message naming it', async () => {
    const run = await runAction({ 'audit-log-file': SEED, 'escalate-signals': '0', 'fail-on': 'hihg' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '::error::Input fail-on is "hihg": use one of critical, high, medium, low, info, none.'
    )
    expect(run.outputs).toEqual({})
  })

  it('annotates the first few keys of each kind and logs the rest, as GitHub shows 10 of each a step', async () => {
    const events = [
      ...Array.from({ length: 12 }, (_, i) =>
        created({
          id: `audit_log-h${i}`,
          key: `key-high${i}`,
          scopes: ['all'],
          email: i === 9 ? 'x@evil.com\n::add-mask::leak\n::error::forged' : undefined
        })
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        created({ id: `audit_log-m${i}`, key: `key-medium${i}`, scopes: ['models:write'] })
      )
    ]
    const file = join(tempDir('keywatch-dist-'), 'many.jsonl')
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'))
    const run = await runAction({
      'audit-log-file': file,
      'fail-on': 'high',
      'create-issues': 'false',
      'escalate-signals': '0'
    })
    expect(run.code).toBe(1)
    const lines = run.stdout.split('\n')
    // 5 keys and the verdict; 5 keys.
    expect(lines.filter((line) => line.startsWith('::error')).length).toBe(6)
    expect(lines.filter((line) => line.startsWith('::warning')).length).toBe(5)
    expect(lines.filter((line) => line.startsWith('::notice::10 more messages are log lines above'))).toHaveLength(1)
    for (let i = 0; i < 12; i++) expect(run.stdout).toContain(`OpenAI API key key-high${i} created`)
    for (let i = 0; i < 8; i++) expect(run.stdout).toContain(`OpenAI API key key-medium${i} created`)
    expect(lines.some((line) => line.startsWith('::add-mask::') || line.startsWith('::error::forged'))).toBe(false)
    expect(run.stdout).toContain(
      'Error: HIGH: OpenAI API key key-high9: OpenAI API key key-high9 created with elevated scopes [all] by x@evil.com ::add-mask::leak ::error::forged (1 event)'
    )
  })

  it('reports every finding of a backfill too large to keep in memory, and leaves no temporary file', async () => {
    // About 4.5 MB of kept events: past the 2 MB a run holds in memory, so most go to the temporary file.
    const count = 9000
    const dir = tempDir('keywatch-dist-')
    const file = join(dir, 'backfill.jsonl')
    const events = Array.from({ length: count }, (_, i) =>
      created({
        userAgent: `Mozilla/5.0 ${'(KHTML, like Gecko) '.repeat(8)}${i}`,
        id: `audit_log-${i}`,
        key: `key-${i}`,
        scopes: i % 3 === 0 ? ['models:write'] : ['all'],
        at: 1_790_000_000 + i
      })
    )
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'))
    const temp = join(dir, 'tmp')
    mkdirSync(temp)
    const run = await runAction(
      { 'audit-log-file': file, 'fail-on': 'none', 'create-issues': 'false' },
      { RUNNER_TEMP: temp }
    )
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ findings: String(count), high: '6000', medium: '3000', complete: 'true' })
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    const ids = report.keys.flatMap((key: { findings: { eventId: string }[] }) =>
      [...key.findings].map((f) => f.eventId)
    )
    expect(new Set(ids).size).toBe(count)
    const last = report.keys.find((key: { keyId: string }) => key.keyId === `key-${count - 1}`)
    expect(last.findings.at(0)).toMatchObject({
      eventId: `audit_log-${count - 1}`,
      effectiveAt: 1_790_000_000 + count - 1
    })
    expect(last.findings.at(0).alertContext).toMatchObject({
      event_id: `audit_log-${count - 1}`,
      source_ip: '203.0.113.9'
    })
    // The report stays; the temporary file of kept events is gone.
    expect(readdirSync(temp)).toEqual([basename(run.outputs.report!)])
  })
})
