// The whole action as the runner starts it (dist/index.js), reading a fake Admin API and
// triaging in a fake GitHub, both on 127.0.0.1, over several scheduled runs.
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, otherEvent, startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js'

const KEY = 'sk-admin-E2Ecombined0123456789abcdefghijklmnop'
const now = Math.floor(Date.now() / 1000)

let openai: FakeOpenAI
let github: FakeGitHub
afterEach(async () => {
  await openai?.close()
  await github?.stop()
})

it('opens one issue per key, stays silent on reruns, and comments only on what is new', async () => {
  const events = [
    keyEvent(1, now - 7200, ['all']),
    keyEvent(2, now - 7000, ['models:write'], 'api_key.updated'),
    keyEvent(3, now - 6900, ['models:read']),
    ...Array.from({ length: 20 }, (_, n) => otherEvent(n, now - 6000 + n))
  ]
  openai = await startFakeOpenAI({ key: KEY, events })
  github = await new FakeGitHub().start()
  const run = () =>
    runAction(
      {
        'openai-admin-key': KEY,
        'openai-base-url': openai.baseURL,
        'github-token': github.token,
        lookback: '3h',
        // The issues alone: the ledger's runs are in dist-ledger.test.ts.
        ledger: 'false'
      },
      { GITHUB_API_URL: github.url }
    )

  const first = await run()
  expect(first.code).toBe(1) // a HIGH finding, fail-on high
  expect(first.outputs).toMatchObject({ complete: 'true', findings: '2', high: '1', medium: '1' })
  expect(github.issues.map((issue) => [issue.title, [...issue.labels].sort()])).toEqual([
    ['[HIGH] Project key key_1 created by person1@example.com in Main', ['openai-keywatch', 'severity:high']],
    [
      '[MEDIUM] Project key key_2 given models:write by person2@example.com in Main',
      ['openai-keywatch', 'severity:medium']
    ]
  ])
  expect(JSON.parse(first.outputs.issues!)).toEqual([1, 2])
  expect(github.issues[0]!.body).toContain('- [ ] Validate the identity responsible for the API key activity.')

  // The next scheduled run reads the same events (the look-back overlaps): nothing changes.
  github.reset()
  const second = await run()
  expect(second.code).toBe(1)
  expect(github.writes).toEqual([])
  expect(JSON.parse(second.outputs.issues!)).toEqual([])

  // A new elevated update of key 1, and key 2 deleted: one comment each, then silence again.
  events.push(
    { ...keyEvent(1, now - 600, ['admin'], 'api_key.updated'), id: 'audit_log-upd1' },
    {
      ...keyEvent(2, now - 300, [], 'api_key.deleted'),
      id: 'audit_log-del2'
    }
  )
  github.reset()
  const third = await run()
  expect(github.writes.map((w) => `${w.method} ${w.path}`).sort()).toEqual([
    'POST /repos/acme/security/issues/1/comments',
    'POST /repos/acme/security/issues/2/comments'
  ])
  expect(github.comments.find((c) => c.issue === 2)?.body).toContain('The key was deleted')
  expect(third.outputs.findings).toBe('3')

  github.reset()
  await run()
  expect(github.writes).toEqual([])
  expect(github.issues).toHaveLength(2)
})
