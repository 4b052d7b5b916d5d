// A key event that names no key is about no key in particular: a creation or an update is a
// key event that cannot be judged (never a finding of a made-up key), and a deletion closes
// nothing.
import { readEvent } from '../../src/audit-log/normalize.js'
import { scanned } from '../support/events.js'

const base = { effective_at: 1_790_000_000, actor: { type: 'session', session: { user: { email: 'a@b.c' } } } }

describe('key events without a key id', () => {
  it.each([
    ['api_key.created', { 'api_key.created': { data: { scopes: ['all'] } } }],
    ['api_key.updated', { api_key_updated: { changes_requested: { scopes: [] } } }],
    ['tenant.admin_api_key.created', { 'tenant.admin_api_key.created': {} }],
    ['tenant.project_api_key.created', { 'tenant.project_api_key.created': { id: '' } }]
  ])('a %s cannot be judged', (type, payload) => {
    expect(readEvent({ id: 'audit_log-1', type, ...base, ...payload })).toEqual({
      kind: 'malformed',
      id: 'audit_log-1',
      reason: `${type} event has no key id: its key cannot be told apart from others, looked up or tracked in an issue`,
      keyEvent: true
    })
  })

  it.each(['api_key.deleted', 'tenant.admin_api_key.deleted'])('a %s is matched to no key', (type) => {
    expect(readEvent({ id: 'audit_log-2', type, ...base, [type]: {} })).toEqual({
      kind: 'malformed',
      id: 'audit_log-2',
      reason: `${type} event has no key id: it is not matched to any key or issue`
    })
    expect(readEvent({ id: 'audit_log-3', type, ...base })).toMatchObject({ kind: 'malformed' })
  })

  it('never become findings or deletions of one shared key; the creations count as unjudged', async () => {
    const result = await scanned([
      { id: 'audit_log-1', type: 'api_key.created', ...base, api_key_created: { data: { scopes: ['all'] } } },
      { id: 'audit_log-2', type: 'api_key.created', ...base, api_key_created: { data: { scopes: ['all'] } } },
      { id: 'audit_log-3', type: 'api_key.deleted', ...base, api_key_deleted: {} }
    ])
    expect(result.findings).toHaveLength(0)
    expect(result.deletions).toHaveLength(0)
    expect(result.malformedKeyEvents).toBe(2)
    expect(result.malformedCount).toBe(3)
    expect(result.malformed.map((entry) => entry.where)).toEqual([
      'line 1 (event audit_log-1)',
      'line 2 (event audit_log-2)',
      'line 3 (event audit_log-3)'
    ])
  })
})
