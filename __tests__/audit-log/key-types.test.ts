// The spellings of key event types read as OpenAI's, those counted as unjudged, and the rest.
import { keyTypeOf, looksLikeKeyType, mentionsKeyType } from '../../src/audit-log/key-types.js'

describe('key event type spellings', () => {
  it.each([
    ['api_key.created', 'api_key.created'],
    ['api_key_created', 'api_key.created'],
    ['API_KEY_UPDATED', 'api_key.updated'],
    ['APIKEY-UPDATED', 'api_key.updated'],
    ['ApiKeyDeleted', 'api_key.deleted'],
    ['api-key-created', 'api_key.created'],
    [' api_key.created ', 'api_key.created'],
    ['tenant_admin_api_key_created', 'tenant.admin_api_key.created'],
    ['tenant.admin-api-key.updated', 'tenant.admin_api_key.updated'],
    ['TENANT_PROJECT_API_KEY_CREATED', 'tenant.project_api_key.created']
  ])('%j is read as %s', (spelling, type) => {
    expect(keyTypeOf(spelling)).toBe(type)
    expect(looksLikeKeyType(spelling)).toBe(false)
    expect(mentionsKeyType(`{"type":"${spelling}"}`)).toBe(true)
  })

  it.each([
    'org_api_key_created',
    'tenant.service_account_api_key.created',
    'api_key.created.v2',
    'project_api_key_deleted'
  ])("%j names an API key event that is not one of OpenAI's: unjudged", (spelling) => {
    expect(keyTypeOf(spelling)).toBeUndefined()
    expect(looksLikeKeyType(spelling)).toBe(true)
  })

  it.each(['login.succeeded', 'api_key.rotated', 'external_key.registered', 'monkey.business', 'key_abc123'])(
    '%j is another event type',
    (type) => {
      expect(keyTypeOf(type)).toBeUndefined()
      expect(looksLikeKeyType(type)).toBe(false)
    }
  )

  it('reads only what the prefilter can see: "key" written key, KEY or Key', () => {
    expect(keyTypeOf('api_kEy_created')).toBeUndefined()
    expect(mentionsKeyType('api_kEy_created')).toBe(false)
  })
})
