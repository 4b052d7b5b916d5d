// The stages composed: what the scan could not judge reaches the gate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportOf, scanWindow } from '../src/pipeline.js'
import { readSettings } from '../src/settings/inputs.js'
import type { InputName } from '../src/settings/settings.js'

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keywatch-pipeline-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the pipeline', () => {
  it('fails the gate on an API key event it could not judge, whatever fail-on says', async () => {
    const file = join(dir, 'malformed.jsonl')
    const event = {
      id: 'audit_log-bad1',
      type: 'api_key.created',
      effective_at: 1_790_000_000,
      actor: { type: 'session', session: { user: { email: 'dev@company.com' } } },
      // A string, not a list: the scopes cannot be read, so the key cannot be judged.
      'api_key.created': { id: 'key_bad', data: { scopes: 'all' } }
    }
    writeFileSync(file, `${JSON.stringify(event)}\n`)
    const inputs: Partial<Record<InputName, string>> = {
      'audit-log-file': file,
      'fail-on': 'none',
      'create-issues': 'false'
    }
    const settings = readSettings((name) => inputs[name] ?? '', { RUNNER_TEMP: dir })

    const scanned = await scanWindow(settings)
    expect(scanned.result.malformedKeyEvents).toBe(1)
    expect(scanned.result.findings).toHaveLength(0)
    const result = reportOf(settings, scanned)

    expect(result.complete).toBe(true)
    expect(result.counts.total).toBe(0)
    expect(result.gate.failed).toBe(true)
    expect(result.gate.reason).toContain('could not be judged')
    expect(result.gate.reason).toBe(
      '1 API key event could not be judged (malformed, see the job summary): this run cannot say it is harmless.'
    )
  })

  it('an event with a null actor names no identity: its history is not read, and no signal counts for it', async () => {
    const file = join(dir, 'null-actor.jsonl')
    const event = {
      id: 'audit_log-null1',
      type: 'api_key.created',
      effective_at: 1_790_000_000,
      actor: null,
      'api_key.created': { id: 'key_null', data: { scopes: ['all'] } }
    }
    writeFileSync(file, `${JSON.stringify(event)}\n`)
    const inputs: Partial<Record<InputName, string>> = { 'audit-log-file': file, 'create-issues': 'false' }
    const scanned = await scanWindow(readSettings((name) => inputs[name] ?? '', { RUNNER_TEMP: dir }))
    const [key] = scanned.keys
    expect(key).toMatchObject({
      severity: 'HIGH',
      investigation: { history: { status: 'not-read', reason: 'the event names no actor' } }
    })
    expect(key!.investigation!.signals.filter((signal) => signal.counts)).toEqual([])
    expect(scanned.investigations).toMatchObject({ identities: 0, read: 0 })
  })
})
