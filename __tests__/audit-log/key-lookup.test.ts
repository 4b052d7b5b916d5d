// The key lookups, driven by the real `openai` SDK against the fake Admin API on 127.0.0.1.
import { LOOKUP_REFUSED, lookUpKeys, type KeyLookupOptions } from '../../src/audit-log/key-lookup.js'
import type { KeyFindings } from '../../src/model/index.js'
import { groupByKey } from '../../src/scan/by-key.js'
import { scanned } from '../support/events.js'
import {
  keyEvent,
  serviceAccountKey,
  startFakeOpenAI,
  userKey,
  type AuditLogEvent,
  type FakeOpenAI,
  type FakeOptions
} from '../support/fake-openai.js'

const KEY = 'sk-admin-LOOKUPabcdefghijklmnopqrstuvwxyz012345'
const NOW = 1_790_086_400_000

let server: FakeOpenAI | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(options: Partial<FakeOptions> = {}): Promise<FakeOpenAI> {
  server = await startFakeOpenAI({ key: KEY, events: [], ...options })
  return server
}

/** The keys with findings of these events, as the scan groups them. */
async function keysOf(events: AuditLogEvent[]): Promise<KeyFindings[]> {
  return groupByKey((await scanned(events)).findings)
}

function lookUp(fake: FakeOpenAI, keys: KeyFindings[], options: Partial<KeyLookupOptions> = {}) {
  return lookUpKeys(keys, {
    adminKey: KEY,
    baseURL: fake.baseURL,
    maxRetries: 1,
    requestTimeoutMs: 2000,
    now: () => NOW,
    ...options
  })
}

const keyRequests = (fake: FakeOpenAI): string[] =>
  fake.requests.map((request) => request.path).filter((path) => !path.endsWith('/audit_logs'))

describe('lookUpKeys', () => {
  it('says whose key it is, when it was last used, and whether it still exists, one request per key', async () => {
    const fake = await start({
      projectKeys: [
        userKey('key_1', { email: 'alice@example.com', lastUsedAt: 1_790_080_000 }),
        serviceAccountKey('key_2', { project: 'proj_ci' })
      ]
    })
    const keys = await keysOf([
      keyEvent(1, 1_790_000_000),
      keyEvent(1, 1_790_000_100, ['all'], 'api_key.updated'),
      keyEvent(2, 1_790_000_000, ['all'], 'api_key.created', 'proj_ci'),
      keyEvent(3, 1_790_000_000)
    ])
    const { infos, lookups } = await lookUp(fake, keys)
    expect(infos.get('key_1')).toEqual({
      status: 'found',
      lookedUpAt: NOW / 1000,
      name: 'Key key_1',
      redactedValue: 'sk-proj-****abcd',
      owner: { type: 'user', id: 'user-owner1', name: 'Owner One', email: 'alice@example.com', role: 'owner' },
      createdAt: 1_790_000_000,
      lastUsedAt: 1_790_080_000
    })
    expect(infos.get('key_2')).toMatchObject({
      status: 'found',
      owner: { type: 'service_account', id: 'svc_acct_deploybot', name: 'deploybot', role: 'member' },
      lastUsedAt: null
    })
    expect(infos.get('key_3')).toEqual({ status: 'gone', lookedUpAt: NOW / 1000 })
    expect(keyRequests(fake).sort()).toEqual([
      '/v1/organization/projects/proj_ci/api_keys/key_2',
      '/v1/organization/projects/proj_main/api_keys/key_1',
      '/v1/organization/projects/proj_main/api_keys/key_3'
    ])
    expect(fake.requests.every((request) => request.authorization === `Bearer ${KEY}`)).toBe(true)
    expect(lookups).toEqual({ requests: 3, lookedUp: 3, notLookedUp: 0, notes: [] })
  })

  it('looks an admin API key up among the admin keys, with its expiry', async () => {
    const fake = await start({
      adminKeys: [
        {
          object: 'organization.admin_api_key',
          id: 'key_admin',
          name: 'Automation',
          redacted_value: 'sk-admin-****1234',
          created_at: 1_790_000_000,
          last_used_at: null,
          expires_at: null,
          owner: { type: 'user', id: 'user-o', name: 'Olivia', role: 'owner' }
        }
      ]
    })
    const keys = await keysOf([
      {
        id: 'audit_log-a',
        type: 'tenant.admin_api_key.created',
        effective_at: 1_790_000_000,
        actor: { type: 'session', session: { user: { id: 'user-o', email: 'olivia@example.com' } } },
        'tenant.admin_api_key.created': { id: 'key_admin' }
      }
    ])
    const { infos } = await lookUp(fake, keys)
    expect(keyRequests(fake)).toEqual(['/v1/organization/admin_api_keys/key_admin'])
    expect(infos.get('key_admin')).toMatchObject({
      status: 'found',
      name: 'Automation',
      owner: { type: 'user', id: 'user-o', name: 'Olivia', role: 'owner' },
      lastUsedAt: null,
      expiresAt: null
    })
  })

  it('does not look up a project key whose events name no project, and says why', async () => {
    const fake = await start()
    const event = keyEvent(1, 1_790_000_000)
    delete event.project
    const { infos, lookups } = await lookUp(fake, await keysOf([event]))
    expect(fake.requests).toEqual([])
    expect(infos.get('key_1')).toEqual({
      status: 'not-looked-up',
      reason: 'its events name no project, and a project key can only be looked up in its project'
    })
    expect(lookups.notes).toEqual([
      '1 key not looked up: its events name no project, and a project key can only be looked up in its project.'
    ])
  })

  it('stops at the first refusal (403) of each kind, with one note naming the permission', async () => {
    const fake = await start({ projectKeys: [userKey('key_1'), userKey('key_2')] })
    const refusal = {
      status: 403,
      body: {
        error: {
          message: 'You have insufficient permissions for this operation. Missing scopes: api.management.read.',
          type: 'invalid_request_error',
          param: null,
          code: null
        }
      }
    }
    fake.alwaysOn(/api_keys/, refusal)
    const admin: AuditLogEvent = {
      id: 'audit_log-a',
      type: 'tenant.admin_api_key.updated',
      effective_at: 1_790_000_000,
      'tenant.admin_api_key.updated': { id: 'key_admin', changes_requested: { scopes: ['api.management.write'] } }
    }
    const keys = await keysOf([admin, ...Array.from({ length: 10 }, (_, n) => keyEvent(n, 1_790_000_000 + n))])
    const { infos, lookups } = await lookUp(fake, keys)
    // One refused request for the project keys, one for the admin keys.
    expect(keyRequests(fake)).toHaveLength(2)
    expect(lookups.requests).toBe(2)
    expect([...infos.values()].every((info) => info.status === 'not-looked-up' && info.reason === LOOKUP_REFUSED)).toBe(
      true
    )
    expect(lookups.notes).toEqual([
      '11 keys not looked up: the admin key lacks permission to read API keys (API keys: Read). Give the admin key ' +
        'that permission to see owners and last use, or set enrich-keys: false (the API answered 403: You have ' +
        'insufficient permissions for this operation. Missing scopes: api.management.read.)'
    ])
  })

  it('looks up at most maxLookups keys, the first ones, and counts the rest', async () => {
    const fake = await start({ projectKeys: [userKey('key_0'), userKey('key_1'), userKey('key_2')] })
    const keys = await keysOf(Array.from({ length: 5 }, (_, n) => keyEvent(n, 1_790_000_000 + n)))
    const { infos, lookups } = await lookUp(fake, keys, { maxLookups: 2 })
    expect(keyRequests(fake)).toHaveLength(2)
    expect(keys.slice(0, 2).map((key) => infos.get(key.keyId)?.status)).toEqual(['found', 'found'])
    expect(lookups).toMatchObject({ requests: 2, lookedUp: 2, notLookedUp: 3 })
    expect(lookups.notes).toEqual([
      '3 keys not looked up: at most 2 keys are looked up a run, those of highest severity first.'
    ])
  })

  it('retries a server error as the SDK does, notes it, and stops after three failures', async () => {
    const fake = await start({ projectKeys: [userKey('key_0')] })
    fake.alwaysOn(/api_keys/, { status: 503, headers: { 'retry-after-ms': '5' } })
    const keys = await keysOf(Array.from({ length: 6 }, (_, n) => keyEvent(n, 1_790_000_000 + n)))
    const { lookups } = await lookUp(fake, keys)
    // Three keys, each tried twice (one retry); the other three are not tried.
    expect(keyRequests(fake)).toHaveLength(6)
    expect(lookups.notes).toEqual([
      '3 keys not looked up: the API answered 503 after 1 retry (The server had an error while processing your request.).',
      '3 keys not looked up: the lookups stopped after 3 of them failed.'
    ])
  })

  it('does not look up an id the client cannot put in a path, and goes on with the others', async () => {
    const fake = await start({ projectKeys: [userKey('key_9')] })
    const odd: AuditLogEvent = {
      ...keyEvent(1, 1_790_000_000),
      'api_key.created': { id: '..', data: { scopes: ['all'] } }
    }
    const keys = await keysOf([odd, keyEvent(9, 1_790_000_000)])
    const { infos } = await lookUp(fake, keys)
    expect(infos.get('..')).toMatchObject({ status: 'not-looked-up' })
    expect(infos.get('key_9')).toMatchObject({ status: 'found' })
    expect(keyRequests(fake)).toEqual(['/v1/organization/projects/proj_main/api_keys/key_9'])
  })

  it('never reads a 404 for the route itself as a key that is gone', async () => {
    const fake = await start()
    fake.fault({
      status: 404,
      body: { error: { message: 'Invalid URL (GET /v1/organization/projects/proj_main/api_keys/key_1)' } }
    })
    const { infos } = await lookUp(fake, await keysOf([keyEvent(1, 1_790_000_000)]))
    expect(infos.get('key_1')).toMatchObject({ status: 'not-looked-up' })
  })
})
