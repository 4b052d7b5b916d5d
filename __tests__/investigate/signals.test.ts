// The signals and the escalation as pure functions of an event and the identity's events.
import { escalatedCounts, escalationOf, oneUp } from '../../src/investigate/escalate.js'
import { actedAs, identityOf } from '../../src/investigate/identity.js'
import { signalsOf, type SignalInput } from '../../src/investigate/signals.js'
import type { ActivityEvent, Actor, HistoryRead } from '../../src/model/index.js'
import { noSeverities } from '../../src/model/index.js'

const T = 1_790_000_000
const DAY = 86_400
const HOME: Actor = {
  type: 'session',
  name: 'eve@acme.test',
  email: 'eve@acme.test',
  userId: 'user-eve',
  ip: '203.0.113.5',
  userAgent: 'Mozilla/5.0 Firefox/121.0',
  country: 'US',
  asn: '7922'
}
const READ: HistoryRead = { source: 'OpenAI Admin API', status: 'read', events: 0, since: T - 14 * DAY, logins: true }

function at(
  id: string,
  time: number,
  actor: Actor,
  type = 'login.succeeded',
  key?: ActivityEvent['key']
): ActivityEvent {
  return { id, type, effectiveAt: time, actor, ...(key ? { key } : {}) }
}
const created = (keyId: string) => ({
  keyId,
  action: 'created' as const,
  keyKind: 'project' as const,
  scopes: [],
  unrestricted: true
})

function judge(actor: Actor, events: ActivityEvent[], history: HistoryRead = READ): Record<string, boolean> {
  const input: SignalInput = {
    event: { id: 'ev', effectiveAt: T, actor, keyId: 'key_x', created: true },
    events,
    history
  }
  return Object.fromEntries(signalsOf(input).map((signal) => [signal.name, signal.counts]))
}

describe('signals', () => {
  it('a routine identity: an earlier key, the same address and browser, nothing counts', () => {
    const signals = judge(HOME, [at('old', T - 5 * DAY, HOME, 'api_key.created', created('key_old'))])
    expect(Object.entries(signals).filter(([, counts]) => counts)).toEqual([])
  })

  it('no earlier event at all is one signal, unknown identity, not new source and first key', () => {
    expect(judge(HOME, [])).toEqual({ 'unknown-identity': true })
  })

  it('a tool or an empty user agent in a dashboard session is a scripted client; none recorded is not judged', () => {
    const history = [at('old', T - 5 * DAY, HOME, 'api_key.created', created('key_old'))]
    expect(judge({ ...HOME, userAgent: 'python-requests/2.31.0' }, history)['scripted-client']).toBe(true)
    expect(judge({ ...HOME, userAgent: '' }, history)['scripted-client']).toBe(true)
    expect(judge({ ...HOME, userAgent: undefined }, history)['scripted-client']).toBe(false)
    expect(judge(HOME, history)['scripted-client']).toBeUndefined()
  })

  it('a new address, country or ASN; its own login just before does not make it familiar', () => {
    const away = { ...HOME, ip: '185.220.101.9', country: 'DE', asn: '64512' }
    const history = [at('old', T - 5 * DAY, HOME), at('just-before', T - 60, away)]
    expect(judge(away, history)['new-source']).toBe(true)
    expect(judge(HOME, history)['new-source']).toBeUndefined()
  })

  it('three failed logins in the 24 hours before; two are not enough, nor older ones', () => {
    const failed = (n: number, time: number) => at(`f${n}`, time, HOME, 'login.failed')
    const base = [at('old', T - 5 * DAY, HOME, 'api_key.created', created('key_old'))]
    expect(judge(HOME, [...base, failed(1, T - 600), failed(2, T - 500), failed(3, T - 400)])['failed-logins']).toBe(
      true
    )
    expect(judge(HOME, [...base, failed(1, T - 600), failed(2, T - 500)])['failed-logins']).toBeUndefined()
    expect(
      judge(HOME, [...base, failed(1, T - 2 * DAY), failed(2, T - 500), failed(3, T - 400)])['failed-logins']
    ).toBeUndefined()
    expect(judge(HOME, base, { ...READ, logins: false })['failed-logins']).toBe(false)
  })

  it('a burst of three keys within 24 hours, and a key deleted by its creator within a day', () => {
    const base = [at('old', T - 5 * DAY, HOME, 'api_key.created', created('key_old'))]
    const burst = [
      at('k1', T - 3600, HOME, 'api_key.created', created('key_1')),
      at('k2', T - 60, HOME, 'api_key.created', created('key_2'))
    ]
    expect(judge(HOME, [...base, ...burst]).burst).toBe(true)
    expect(judge(HOME, [...base, burst[0]!]).burst).toBeUndefined()
    const deleted = at('del', T + 2700, HOME, 'api_key.deleted', { ...created('key_x'), action: 'deleted' })
    expect(judge(HOME, [...base, deleted])['short-lived']).toBe(true)
  })

  it('an API key actor is a credential to rotate too; history not read leaves signals not judged', () => {
    const viaKey: Actor = {
      type: 'api_key',
      name: 'x',
      apiKeyId: 'key_parent',
      userId: 'user-eve',
      email: 'eve@acme.test'
    }
    const signals = judge(viaKey, [], { status: 'not-read', reason: 'history is 0 (off)', events: 0, logins: false })
    expect(signals).toEqual({ 'via-key': true, 'new-source': false, 'first-key': false })
  })
})

describe('escalation', () => {
  const signal = (counts: boolean) => ({ name: 'burst' as const, label: 'burst', counts, evidence: [] })
  it('goes up one level at the threshold, never past CRITICAL, never with 0', () => {
    expect(escalationOf('HIGH', [signal(true), signal(true)], 2)).toEqual({
      from: 'HIGH',
      to: 'CRITICAL',
      because: ['burst', 'burst']
    })
    expect(escalationOf('MEDIUM', [signal(true), signal(true)], 2)?.to).toBe('HIGH')
    expect(escalationOf('HIGH', [signal(true), signal(false)], 2)).toBeUndefined()
    expect(escalationOf('HIGH', [signal(true), signal(true)], 0)).toBeUndefined()
    expect(oneUp('CRITICAL')).toBe('CRITICAL')
  })

  it('moves each escalated finding in the counts the gate reads', () => {
    const counts = { ...noSeverities(), HIGH: 2, MEDIUM: 1 }
    expect(escalatedCounts(counts, [{ from: 'HIGH', to: 'CRITICAL', because: [] }, undefined])).toMatchObject({
      CRITICAL: 1,
      HIGH: 1,
      MEDIUM: 1
    })
  })
})

describe('identity', () => {
  it('is the session user, or the owner of the key that acted; one filter per request chain', () => {
    expect(identityOf(HOME)).toMatchObject({
      key: 'user:user-eve',
      filters: [{ param: 'actor_ids', value: 'user-eve' }]
    })
    expect(identityOf({ type: 'session', name: 'a@b.c', email: 'a@b.c' }).filters).toEqual([
      { param: 'actor_emails', value: 'a@b.c' }
    ])
    const bot: Actor = { type: 'api_key', name: 'x', apiKeyId: 'key_p', serviceAccountId: 'svc_1' }
    expect(identityOf(bot)).toMatchObject({
      key: 'service_account:svc_1',
      filters: [
        { param: 'actor_ids', value: 'svc_1' },
        { param: 'actor_ids', value: 'key_p' }
      ]
    })
    expect(actedAs(identityOf(HOME), { ...HOME, ip: 'other' })).toBe(true)
    expect(
      actedAs(identityOf({ type: 'unknown', name: 'unknown actor' }), { type: 'unknown', name: 'unknown actor' })
    ).toBe(false)
  })
})
