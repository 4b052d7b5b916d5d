// The key lookups, driven by the real `openai` SDK against the fake Admin API on 127.0.0.1.
import {
  LOOKUP_REFUSED,
  lookUpKeys,
  lookupTarget,
  NOT_OWN_PROJECT,
  type KeyLookupOptions
} from '../../src/audit-log/key-lookup.js'
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
    expect(infos.get('key_3')).toEqual({ status: 'not-found', lookedUpAt: NOW / 1000, projectId: 'proj_main' })
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
      reason: 'the events name no project, and a project key can only be looked up in its own project'
    })
    expect(lookups.notes).toEqual([
      '1 key not looked up: the events name no project, and a project key can only be looked up in its own project.'
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
  it.each([
    ['an HTML page', { status: 404, html: '<html><head><title>404 Not Found</title></head><body>nginx</body></html>' }],
    ['an empty body', { status: 404, html: '' }],
    ['JSON of another service', { status: 404, body: { message: 'Not Found', documentation_url: 'https://x' } }],
    ['JSON of another service', { status: 404, body: { error: 'not found' } }],
    ['JSON of another service', { status: 404, body: { detail: 'Not Found' } }],
    [
      "OpenAI's shape but another type",
      { status: 404, body: { error: { message: 'gone', type: 'server_error', param: null, code: null } } }
    ],
    [
      "OpenAI's shape but another code",
      {
        status: 404,
        body: { error: { message: 'x', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
      }
    ],
    [
      "OpenAI's shape without code and param",
      { status: 404, body: { error: { message: 'x', type: 'invalid_request_error' } } }
    ]
  ])('never reads a 404 with %s as the key not found', async (_, fault) => {
    const fake = await start()
    fake.fault(fault)
    const { infos, lookups } = await lookUp(fake, await keysOf([keyEvent(1, 1_790_000_000)]))
    expect(infos.get('key_1')).toEqual({
      status: 'not-looked-up',
      reason: expect.stringMatching(
        /^the Admin API's 404 for it is not OpenAI's answer for a key it does not hold \(.*\): something in front of the API may have answered$/
      )
    })
    expect(lookups).toMatchObject({ lookedUp: 0, notLookedUp: 1 })
  })

  it("takes OpenAI's own 404 for the key, with a not-found code or none, as not found", async () => {
    const fake = await start()
    fake.fault({
      status: 404,
      body: { error: { message: 'No such key', type: 'invalid_request_error', param: 'key_id', code: 'not_found' } }
    })
    const { infos } = await lookUp(fake, await keysOf([keyEvent(1, 1_790_000_000)]))
    expect(infos.get('key_1')).toEqual({ status: 'not-found', lookedUpAt: NOW / 1000, projectId: 'proj_main' })
  })

  it('says nothing of a key from a 404 in a project named by events made with an API key (the default project)', async () => {
    const fake = await start()
    const viaKey = (n: number, project = 'proj_default'): AuditLogEvent => ({
      ...keyEvent(n, 1_790_000_000, ['all'], 'api_key.created', project),
      actor: { type: 'api_key', api_key: { id: 'key_automation', user: { id: 'user-1', email: 'ops@example.com' } } }
    })
    const keys = await keysOf([viaKey(1)])
    expect(lookupTarget(keys[0]!.findings)).toEqual({ kind: 'project', projectId: 'proj_default', own: false })
    const { infos } = await lookUp(fake, keys)
    expect(keyRequests(fake)).toEqual(['/v1/organization/projects/proj_default/api_keys/key_1'])
    expect(infos.get('key_1')).toEqual({ status: 'not-looked-up', reason: NOT_OWN_PROJECT })
    // Found there, it is found all the same.
    server = undefined
    await fake.close()
    const holding = await start({ projectKeys: [userKey('key_1', { project: 'proj_default' })] })
    expect((await lookUp(holding, keys)).infos.get('key_1')).toMatchObject({ status: 'found' })
    // A person's event names the key's own project: that one is asked.
    const mixed = await keysOf([
      viaKey(2),
      { ...keyEvent(2, 1_789_000_000, ['all'], 'api_key.updated', 'proj_own'), id: 'audit_log-person' }
    ])
    expect(lookupTarget(mixed[0]!.findings)).toEqual({ kind: 'project', projectId: 'proj_own', own: true })
  })

  it("takes OpenAI's own 404 for an admin key as not found, with no project", async () => {
    const fake = await start()
    const admin: AuditLogEvent = {
      id: 'audit_log-admin',
      type: 'tenant.admin_api_key.created',
      effective_at: 1_790_000_000,
      actor: { type: 'api_key', api_key: { id: 'key_root' } },
      'tenant.admin_api_key.created': { id: 'key_admin9' }
    }
    const { infos } = await lookUp(fake, await keysOf([admin]))
    expect(infos.get('key_admin9')).toEqual({ status: 'not-found', lookedUpAt: NOW / 1000 })
  })
})
