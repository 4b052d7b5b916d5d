// The bundle, started as the runner starts it, on the seed's events, writing its issues
// to a fake GitHub named by GITHUB_API_URL. Production timings: writes are spaced as
// GitHub asks, so the first run takes a few seconds.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { markedKey } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { tempDir } from './support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'
const SEED_KEYS = ['key-child001', 'key-existing123', 'key-malicious001', 'key-suspicious001']

let github: FakeGitHub

beforeAll(async () => {
  github = await new FakeGitHub({ repository: 'acme/security' }).start()
})
afterAll(async () => {
  await github.stop()
})

describe('dist/index.js with a fake GitHub', () => {
  it('opens exactly 4 issues on the seed, and the second run writes nothing', async () => {
    const inputs = { 'audit-log-file': SEED, 'escalate-signals': '0', 'fail-on': 'high', 'github-token': github.token }
    const env = { GITHUB_API_URL: github.url }

    const first = await runAction(inputs, env)
    expect(first.code).toBe(1)
    expect(github.issues).toHaveLength(4)
    expect(github.issues.map((issue) => markedKey(issue.body)).sort()).toEqual(SEED_KEYS)
    expect(github.issues.every((issue) => issue.labels.join() === 'openai-keywatch,severity:high')).toBe(true)
    expect(github.issues[0]!.body).toContain('https://github.com/acme/security/actions/runs/4242')
    expect(JSON.parse(first.outputs.issues!)).toEqual([1, 2, 3, 4])
    expect(first.summary).toContain('created: 4')
    // The runner swallows ::add-mask:: and masks the token everywhere after it.
    expect(first.stdout.replace(/^::add-mask::.*$/m, '')).not.toContain(github.token)
    const report = JSON.parse(readFileSync(first.outputs.report!, 'utf8'))
    expect(report.issues.map((issue: { action: string }) => issue.action)).toEqual([
      'created',
      'created',
      'created',
      'created'
    ])

    github.reset()
    const second = await runAction(inputs, env)
    expect(second.code).toBe(1)
    expect(github.issues).toHaveLength(4)
    expect(github.writes).toEqual([])
    // One request: the list of the labelled issues. The seed's deletion is of a key without an issue.
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/security/issues'])
    expect(JSON.parse(second.outputs.issues!)).toEqual([])
    expect(second.summary).toContain('unchanged: 4')
    expect(second.stdout).toContain('::error::4 findings at or above fail-on (high).')
  })

  it('files in the repository and assigns to the users the inputs name', async () => {
    const secops = await new FakeGitHub({ repository: 'acme/secops', token: 'github_pat_secops0123456789' }).start()
    try {
      const dir = tempDir('keywatch-seed-')
      const file = join(dir, 'one.jsonl')
      writeFileSync(
        file,
        readFileSync(SEED, 'utf8')
          .split('\n')
          .filter((line) => line.includes('key-suspicious001'))
          .join('\n')
      )
      const run = await runAction(
        {
          'audit-log-file': file,
          'fail-on': 'none',
          'github-token': secops.token,
          repository: 'acme/secops',
          assignees: 'alice, bob'
        },
        { GITHUB_API_URL: secops.url }
      )
      expect(run.code).toBe(0)
      expect(secops.issues.map((issue) => [markedKey(issue.body), issue.assignees])).toEqual([
        ['key-suspicious001', ['alice', 'bob']]
      ])
      expect(secops.requests.every((request) => request.path.startsWith('/repos/acme/secops/'))).toBe(true)
      // The run it links to is the workflow's, in the workflow's repository.
      expect(secops.issues[0]!.body).toContain('https://github.com/acme/security/actions/runs/4242')
      expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(secops.token)
    } finally {
      await secops.stop()
    }
  })

  it('fails the run and still reports every finding when GitHub refuses', async () => {
    github.reset()
    github.issues = []
    // What a workflow without "permissions: issues: write" gets.
    github.fail({ method: 'POST', status: 403, message: 'Resource not accessible by integration', times: 1000 })
    // One of the seed's keys: each refused creation still waits its turn (writes are spaced).
    const dir = tempDir('keywatch-seed-')
    const file = join(dir, 'one.jsonl')
    writeFileSync(
      file,
      readFileSync(SEED, 'utf8')
        .split('\n')
        .filter((line) => line.includes('key-suspicious001') || line.includes('key-abc123'))
        .join('\n')
    )
    const run = await runAction(
      { 'audit-log-file': file, 'fail-on': 'none', 'github-token': github.token },
      { GITHUB_API_URL: github.url }
    )
    expect(run.code).toBe(1)
    expect(run.outputs.findings).toBe('1')
    expect(run.summary).toContain('### Issue failures: 1')
    expect(run.summary).toContain('| 🔴 HIGH | `key-suspicious001` |')
    expect(run.stdout).toContain(
      '::error::GitHub issue for key key-suspicious001 not written: GitHub answered 403 to POST /repos/acme/security/issues: ' +
        'Resource not accessible by integration'
    )
    expect(run.stdout).toContain(
      'The token may not write issues in acme/security: give it Issues: Read and write (the default ${{ github.token }} with "permissions: issues: write" in the workflow).'
    )
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.counts.total).toBe(1)
    expect(report.issues).toEqual([expect.objectContaining({ keyId: 'key-suspicious001', action: 'failed' })])
    expect(report.gate.failed).toBe(true)
  })
})
