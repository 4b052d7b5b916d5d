// The engine over events in memory: what is counted, judged, de-duplicated and refused.
import { readEvent } from '../../src/audit-log/normalize.js'
import { newStatus } from '../../src/audit-log/source.js'
import type { AuditLogSource } from '../../src/model/index.js'
import { DEFAULT_RULE_OPTIONS, findingOf } from '../../src/rules/api-key-anomalous-activity.js'
import { scan, type ScanOptions } from '../../src/scan/engine.js'
import { gate } from '../../src/report/gate.js'

function source(events: unknown[]): AuditLogSource {
  return {
    label: 'memory',
    async *events() {
      yield events.map((raw, index) => ({ reading: readEvent(raw), where: `line ${index + 1}` }))
      return newStatus()
    }
  }
}

const created = (id: string | undefined, keyId: string, scopes: unknown, extra: Record<string, unknown> = {}) => ({
  ...(id ? { id } : {}),
  type: 'api_key.created',
  effective_at: 1_790_000_000,
  'api_key.created': { id: keyId, data: { scopes } },
  ...extra
})

const options: ScanOptions = { rule: DEFAULT_RULE_OPTIONS, window: {}, allowActors: [] }

describe('scan', () => {
  it('fails the gate on an API key event it cannot judge, whatever fail-on says', async () => {
    const result = await scan(source([created('a1', 'key_1', 'all'), { id: 'x', no: 'type' }]), options)
    expect([...result.findings]).toEqual([])
    expect(result.malformedCount).toBe(2)
    expect(result.malformedKeyEvents).toBe(1)
    expect(result.malformed).toEqual([
      { where: 'line 1 (event a1)', reason: 'api_key.created event scopes is string, not a list' },
      { where: 'line 2 (event x)', reason: 'event has no type' }
    ])
    const verdict = gate({
      severities: result.severities,
      failOn: 'none',
      complete: true,
      missing: [],
      unjudgedKeyEvents: result.malformedKeyEvents
    })
    expect(verdict.failed).toBe(true)
    expect(verdict.reason).toContain('1 API key event could not be judged')
  })

  it('counts a key event once however often it is read, and remembers only key events', async () => {
    const other = { id: 'o1', type: 'login.succeeded', effective_at: 1_790_000_000 }
    const result = await scan(
      source([created('a1', 'key_1', ['all']), created('a1', 'key_1', ['all']), other]),
      options
    )
    expect(result.findings).toHaveLength(1)
    expect(result.duplicates).toBe(1)
    expect(result.eventsScanned).toBe(2)
  })

  it('keeps only the key events of project-ids, from a file as from the API', async () => {
    const events = [
      created('a1', 'key_1', ['all'], { project: { id: 'proj_a' } }),
      created('a2', 'key_2', ['all'], { project: { id: 'proj_b' } }),
      created('a3', 'key_3', ['all'])
    ]
    const result = await scan(source(events), { ...options, projectIds: ['proj_a'] })
    expect([...result.findings].map((finding) => finding.keyId)).toEqual(['key_1'])
    expect(result.otherProjects).toBe(2)
  })

  it('gives each event without an id its own id, so neither hides the other', async () => {
    const result = await scan(
      source([created(undefined, 'key_1', ['all']), created(undefined, 'key_1', ['admin'])]),
      options
    )
    expect(result.findings).toHaveLength(2)
    const [first, second] = [...result.findings].map((finding) => finding.eventId)
    expect(first).toMatch(/^no-id-[0-9a-f]{24}$/)
    expect(first).not.toBe(second)
  })

  it('treats a time past what a date can hold as absent instead of failing the run', async () => {
    const result = await scan(source([created('a1', 'key_1', ['all'], { effective_at: 99_999_999_999_999 })]), options)
    expect(result.findings).toHaveLength(1)
    expect(result.findings.at(0)!.effectiveAt).toBeUndefined()
  })

  it('keeps findings and deletions whole: every field reads back, and JSON has them all', async () => {
    const actor = {
      type: 'session',
      session: { user: { id: 'user-1', email: 'é\ud800@company.com' }, ip_address: '203.0.113.9', user_agent: 'ua "x"' }
    }
    const result = await scan(
      source([
        created('a1', 'key_1', ['Models:Write', 'all'], { actor, project: { id: 'proj_1' } }),
        created('a2', 'key_2', ['models:write'], { effective_at: 1_790_000_001 }),
        { id: 'd1', type: 'api_key.deleted', effective_at: 1_790_000_002, actor, 'api_key.deleted': { id: 'key_1' } }
      ]),
      options
    )
    const [high, medium] = result.findings
    expect(JSON.parse(JSON.stringify(high))).toEqual({
      severity: 'HIGH',
      title: 'OpenAI API key key_1 created with elevated scopes [Models:Write, all] by é\ud800@company.com',
      dedup: 'openai-api-key:key_1',
      keyId: 'key_1',
      keyName: undefined,
      eventId: 'a1',
      eventType: 'api_key.created',
      effectiveAt: 1_790_000_000,
      scopes: ['Models:Write', 'all'],
      elevatedScopes: ['Models:Write', 'all'],
      projectId: 'proj_1',
      actor: expect.objectContaining({ type: 'session', name: 'é\ud800@company.com', userAgent: 'ua "x"' }),
      alertContext: expect.objectContaining({ event_id: 'a1', source_ip: '203.0.113.9', project_id: 'proj_1' })
    })
    // Attacker text comes back exactly, a lone surrogate too.
    expect(high!.actor.email).toBe('é\ud800@company.com')
    // Reading one finding after another gives each its own fields.
    expect([high!.keyId, medium!.keyId, high!.eventId, medium!.severity, medium!.effectiveAt]).toEqual([
      'key_1',
      'key_2',
      'a1',
      'MEDIUM',
      1_790_000_001
    ])
    expect(JSON.parse(JSON.stringify(result.deletions))).toEqual([
      {
        keyId: 'key_1',
        eventId: 'd1',
        eventType: 'api_key.deleted',
        effectiveAt: 1_790_000_002,
        actor: expect.objectContaining({ email: 'é\ud800@company.com', ip: '203.0.113.9' })
      }
    ])
  })

  it("reads each kept finding back as the rule's finding of its event: the same fields, in the same order", async () => {
    const keyActor = {
      type: 'api_key',
      api_key: { id: 'key_actor', type: 'service_account', service_account: { id: 'svc_1' } }
    }
    const events = [
      created('a1', 'key_1', [], { project: { id: 'proj_1', name: 'Prod "main"' } }),
      {
        id: 'a2',
        type: 'tenant.admin_api_key.updated',
        effective_at: 1_790_000_000.5,
        actor: keyActor,
        'tenant.admin_api_key.updated': {
          id: 'key_2',
          changes_requested: { name: 'ops', scopes: ['api.management.write'] }
        }
      },
      {
        id: 'a3',
        type: 'api_key_created',
        api_key_created: { id: 'key_3', data: { name: 'ci', scopes: ['models:write'] } }
      },
      // Allowed actors, by email, user id and service account id, whatever the case: suppressed.
      created('a4', 'key_4', ['all'], { actor: { type: 'session', session: { user: { email: 'Ops@Company.com' } } } }),
      created('a5', 'key_5', ['all'], { actor: { type: 'session', session: { user: { id: 'user-7' } } } }),
      created('a6', 'key_6', ['all'], { actor: { ...keyActor, api_key: { service_account: { id: 'svc_9' } } } })
    ]
    const result = await scan(source(events), { ...options, allowActors: ['ops@company.com', 'USER-7', 'Svc_9'] })
    const expected = events.map((raw) => {
      const reading = readEvent(raw)
      return reading.kind === 'key' ? findingOf(reading.event, DEFAULT_RULE_OPTIONS) : undefined
    })
    expect(result.findings).toHaveLength(3)
    expect(result.suppressed).toHaveLength(3)
    for (const [index, finding] of [...result.findings, ...result.suppressed].entries()) {
      expect(JSON.stringify(finding)).toBe(JSON.stringify(expected[index]))
      expect(finding).toEqual(expected[index])
    }
    expect(result.severities).toEqual({ CRITICAL: 0, HIGH: 2, MEDIUM: 1, LOW: 0, INFO: 0 })
  })

  it("returns the source's status in its result, and tells progress as events come, the last word exact", async () => {
    const status = { ...newStatus(), prefiltered: 40, pages: 2, bytes: 1000 }
    const told: unknown[] = []
    const counting: AuditLogSource = {
      label: 'memory',
      async *events(progress) {
        progress?.({ pages: 1, bytes: 500, prefiltered: 10 })
        yield [{ reading: readEvent(created('a1', 'key_1', ['all'])), where: 'page 1' }]
        progress?.({ pages: 2, bytes: 1000, prefiltered: 40 })
        yield [{ reading: readEvent(created('a2', 'key_2', ['all'])), where: 'page 2' }]
        return status
      }
    }
    const result = await scan(counting, { ...options, progress: (progress) => told.push(progress) })
    expect(result.source).toBe(status)
    expect(result.eventsScanned).toBe(42)
    expect(told).toEqual([
      { events: 10, pages: 1, bytes: 500 },
      { events: 11, pages: 1, bytes: 500 },
      { events: 41, pages: 2, bytes: 1000 },
      { events: 42, pages: 2, bytes: 1000 },
      { events: 42, pages: 2, bytes: 1000 }
    ])
  })

  it('closes the source when the scan stops early', async () => {
    let closed = false
    const failing: AuditLogSource = {
      label: 'memory',
      async *events() {
        try {
          yield [{ reading: readEvent(created('a1', 'key_1', ['all'])), where: 'line 1' }]
          yield [{ reading: readEvent(created('a2', 'key_2', ['all'])), where: 'line 2' }]
          return newStatus()
        } finally {
          closed = true
        }
      }
    }
    const progress = () => {
      throw new Error('the log is gone')
    }
    await expect(scan(failing, { ...options, progress })).rejects.toThrow('the log is gone')
    expect(closed).toBe(true)
  })
})
