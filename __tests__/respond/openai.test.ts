// Where a key is, as OpenAI says: the real SDK against the fake Admin API on 127.0.0.1.
import { AdminApi, placeOfKey } from '../../src/respond/openai.js'
import { keyEvent, startFakeOpenAI, userKey, type AuditLogEvent, type FakeOpenAI } from '../support/fake-openai.js'

const KEY = 'sk-admin-PLACEabcdefghijklmnopqrstuvwxyz0123456789'
let openai: FakeOpenAI | undefined
afterEach(async () => {
  await openai?.close()
  openai = undefined
})

async function apiWith(events: AuditLogEvent[], keys = [userKey('key_1', { project: 'proj_own' })]): Promise<AdminApi> {
  openai = await startFakeOpenAI({ key: KEY, events, projectKeys: keys })
  return new AdminApi({ adminKey: KEY, baseURL: openai.baseURL, maxRetries: 0 })
}

/** An event of key_1 made with an API key: OpenAI records it under the default project. */
function byApiKey(project: string): AuditLogEvent {
  return {
    ...keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', project),
    actor: { type: 'api_key', api_key: { id: 'key_automation', user: { id: 'user-9' } } }
  }
}

describe('the place of a key', () => {
  it('is the project a person made it in, confirmed by OpenAI holding it there', async () => {
    const api = await apiWith([keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', 'proj_own')])
    const place = await placeOfKey(api, 'key_1')
    expect(place).toMatchObject({ status: 'found', key: { kind: 'project', projectId: 'proj_own' } })
  })

  it('is not a project its events name when OpenAI does not hold it there: never a guess', async () => {
    const api = await apiWith([byApiKey('proj_default')])
    const place = await placeOfKey(api, 'key_1')
    expect(place).toEqual({
      status: 'unknown',
      reason:
        'OpenAI does not hold it in the projects its events name (proj_default), and the audit log records no deletion'
    })
  })

  it('is looked for only in the project --project names, when given', async () => {
    const api = await apiWith([keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', 'proj_own')])
    expect(await placeOfKey(api, 'key_1', 'proj_other')).toEqual({
      status: 'unknown',
      reason: 'OpenAI holds no key key_1 in project proj_other (its own 404)'
    })
    expect(await placeOfKey(api, 'key_1', 'proj_own')).toMatchObject({ status: 'found' })
    // --project: no audit-log read at all.
    expect(openai!.requests.map((request) => request.path)).toEqual([
      '/v1/organization/projects/proj_other/api_keys/key_1',
      '/v1/organization/projects/proj_own/api_keys/key_1'
    ])
  })

  it('without any event, and no admin key of that id, is unknown', async () => {
    const api = await apiWith([])
    expect(await placeOfKey(api, 'key_1')).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('the audit log holds no event of this key')
    })
  })

  it('an API failure is thrown, not taken for "not found"', async () => {
    const api = await apiWith([keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', 'proj_own')])
    openai!.alwaysOn(/api_keys/, { status: 503 })
    await expect(placeOfKey(api, 'key_1')).rejects.toThrow()
  })
})
