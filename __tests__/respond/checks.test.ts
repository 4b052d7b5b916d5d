// The preconditions of a revocation and the comments that say what came of it, without HTTP.
import { keyMarker, markerId } from '../../src/github/markers.js'
import {
  EventPayloadError,
  isLabeled,
  keyOfIssue,
  labelRequestOf,
  mayRevoke,
  type IssueNow
} from '../../src/respond/checks.js'
import { failedComment, refusedComment, revokedComment } from '../../src/respond/comments.js'
import type { HeldKey } from '../../src/respond/openai.js'

const REVOKE = 'keywatch:revoke'
const labeled = (label: unknown, extra: Record<string, unknown> = {}) => ({
  action: 'labeled',
  label,
  issue: { number: 7 },
  sender: { login: 'alice' },
  ...extra
})

describe('the label event', () => {
  it('is a revocation request only when labeled with exactly the revoke label', () => {
    expect(isLabeled(labeled({ name: REVOKE }))).toBe(true)
    expect(isLabeled({ action: 'opened' })).toBe(false)
    expect(isLabeled(null)).toBe(false)
    expect(labelRequestOf(labeled({ name: REVOKE }), REVOKE)).toEqual({
      ok: true,
      value: { issueNumber: 7, sender: 'alice' }
    })
    for (const label of [{ name: 'Keywatch:Revoke' }, { name: 'keywatch:revoke ' }, { name: 'triaged' }, undefined]) {
      const check = labelRequestOf(labeled(label), REVOKE)
      expect(check).toMatchObject({ ok: false, comment: false })
    }
    expect(labelRequestOf({ action: 'unlabeled', label: { name: REVOKE } }, REVOKE)).toMatchObject({ ok: false })
  })

  it('refuses a labeled payload without an issue number or a sender: nothing on a guess', () => {
    expect(() => labelRequestOf(labeled({ name: REVOKE }, { issue: { number: '7' } }), REVOKE)).toThrow(
      EventPayloadError
    )
    expect(() => labelRequestOf(labeled({ name: REVOKE }, { sender: {} }), REVOKE)).toThrow(EventPayloadError)
  })
})

const BOT = { login: 'github-actions[bot]', type: 'Bot' }
const issue = (extra: Partial<IssueNow> = {}): IssueNow => ({
  number: 3,
  labels: ['openai-keywatch', REVOKE],
  body: `${keyMarker('key_abc')}\n## key\n`,
  author: BOT,
  pullRequest: false,
  ...extra
})

describe("the issue is the action's own", () => {
  it("names the key of an issue the action's bot opened, GitHub Actions' or an App's", () => {
    expect(keyOfIssue(issue(), REVOKE)).toEqual({ ok: true, value: 'key_abc' })
    expect(keyOfIssue(issue({ author: { login: 'keywatch-app[bot]', type: 'Bot' } }), REVOKE)).toEqual({
      ok: true,
      value: 'key_abc'
    })
  })

  it('says nothing when the label is gone already (a second delivery, or taken off)', () => {
    expect(keyOfIssue(issue({ labels: ['openai-keywatch', 'keywatch:revoked'] }), REVOKE)).toMatchObject({
      ok: false,
      comment: false
    })
  })

  it.each([
    ['a person opened it (a marker anyone can write)', { author: { login: 'mallory', type: 'User' } }],
    ['a user whose login merely looks like a bot', { author: { login: 'mallory[bot]', type: 'User' } }],
    ['no author', { author: undefined }],
    ['no key marker', { body: 'key_abc, please' }],
    ['the marker is not on a line of its own', { body: `see ${keyMarker('key_abc')}` }],
    ['a pull request', { pullRequest: true }],
    ['a hashed id', { body: `${keyMarker('key with spaces')}\n` }]
  ])('refuses, with a comment, when %s', (_what, extra) => {
    const check = keyOfIssue(issue(extra), REVOKE)
    expect(check).toMatchObject({ ok: false, comment: true })
  })

  it('a hashed marker is refused, and the words say how to revoke it instead', () => {
    expect(markerId('key with spaces')).toMatch(/^sha256-/)
    const check = keyOfIssue(issue({ body: `${keyMarker('key with spaces')}\n` }), REVOKE)
    expect(check.ok ? '' : check.reason).toContain('openai-keywatch revoke --key ID')
  })
})

describe('the person who added the label', () => {
  it('may ask with write, maintain (shown as write) or admin permission', () => {
    expect(mayRevoke('a', { permission: 'admin', role: 'admin' })).toEqual({ ok: true, value: 'admin' })
    expect(mayRevoke('a', { permission: 'write', role: 'maintain' })).toEqual({ ok: true, value: 'maintain' })
    expect(mayRevoke('a', { permission: 'write' })).toEqual({ ok: true, value: 'write' })
  })

  it.each([
    [{ permission: 'read', role: 'triage' }, 'a has read (role triage) permission'],
    [{ permission: 'read', role: 'read' }, 'a has read permission'],
    [{ permission: 'none' }, 'a has none permission'],
    [
      { refused: 'GitHub answered 404' },
      'GitHub did not confirm that a may write to the repository (GitHub answered 404)'
    ]
  ])('may not with %j', (seen, words) => {
    const check = mayRevoke('a', seen)
    expect(check).toMatchObject({ ok: false, comment: true })
    expect(check.ok ? '' : check.reason).toContain(words)
  })
})

describe('the comments', () => {
  const asked = { sender: 'alice', role: 'write', revokeLabel: REVOKE, at: 1_790_000_000 }
  const key: HeldKey = {
    kind: 'project',
    projectId: 'proj_main',
    keyId: 'key_abc',
    name: '@acme/security [click](https://evil.example) <img src=x>',
    owner: { type: 'service_account', id: 'svc_1', name: '@everyone' },
    how: 'found in project proj_main, which its event audit_log-1 names'
  }

  it('keep what the key was named inert: no mention, link or HTML', () => {
    const body = revokedComment(key, { status: 'deleted', answer: '{"deleted":true}' }, asked)
    // Escaped (\\<, \\]) or broken (@ and a zero-width space), as the sanitiser makes them.
    expect(body).not.toMatch(/@acme|@everyone|(?<!\\)\]\(https:|(?<!\\)<img/)
    expect(body).toContain('Rotation is not revocation')
    expect(body).toContain('<!-- openai-keywatch:revoked=key_abc -->')
  })

  it('a refusal changes nothing and says so; a 403 names the permission the SDK names', () => {
    expect(refusedComment('rita has read permission', asked)).toContain('Nothing was changed')
    const refused = failedComment({ ...key, owner: { type: 'user' } }, { status: 'refused', answer: '403: no' }, asked)
    expect(refused).toContain('"Requires permission to write project API keys"')
    expect(refused).toContain('stays open')
    const admin = failedComment(
      { ...key, kind: 'admin', owner: { type: 'user' } } as HeldKey,
      { status: 'refused', answer: '403: no' },
      asked
    )
    expect(admin).toContain('the permission to delete admin API keys')
  })
})
