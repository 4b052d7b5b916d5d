// 7. Sizes: dist/index.js as the runner starts it, with lists that grow without bound in an
// audit log (scopes on one key, keys in a window): every issue body, comment, summary row and
// list output stays within its bound, and the rest is in the JSON report.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { markedKey } from '../src/github/markers.js'
import { runAction } from './support/action.js'
import { FakeGitHub } from './support/fake-github.js'
import { tempDir } from './support/temp.js'

const now = Math.floor(Date.now() / 1000)

function exportOf(lines: unknown[]): string {
  const file = join(tempDir('keywatch-sizes-'), 'audit.jsonl')
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n')
  return file
}

function created(id: string, keyId: string, scopes: string[], at = now - 600): Record<string, unknown> {
  return {
    id,
    type: 'api_key.created',
    effective_at: at,
    actor: { type: 'session', session: { user: { email: 'dev@company.com' } } },
    'api_key.created': { id: keyId, data: { scopes } }
  }
}

describe('7. sizes', () => {
  it('files the issue of a key with 2,500 scopes, its body under 65,536 characters, the rest counted', async () => {
    const github = await new FakeGitHub().start()
    try {
      const scopes = Array.from({ length: 2500 }, (_, i) => `api.organization.projects.scope${i}.write`)
      const run = await runAction(
        {
          'audit-log-file': exportOf([created('audit_log-1', 'key_wide', ['all', ...scopes])]),
          'github-token': github.token,
          'fail-on': 'none'
        },
        { GITHUB_API_URL: github.url }
      )
      expect(run.stdout).not.toContain('::error::')
      expect(run.code).toBe(0)
      expect(github.issues.map((issue) => markedKey(issue.body))).toEqual(['key_wide'])
      const body = github.issues[0]!.body
      expect(body.length).toBeLessThan(65_536)
      expect(body).toContain('and 2481 more (in the JSON report)')
      const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
      expect(report.keys[0].findings[0].scopes).toHaveLength(2501)
    } finally {
      await github.stop()
    }
  })

  it("shows every finding's row in the summary when one row would be huge", async () => {
    const scopes = Array.from({ length: 16_000 }, (_, i) => `api.${'x'.repeat(50)}.${i}.write`)
    const run = await runAction({
      'audit-log-file': exportOf([
        created('audit_log-huge', 'key_huge', ['all', ...scopes]),
        ...Array.from({ length: 5 }, (_, i) => created(`audit_log-${i}`, `key_${i}`, ['api.fine_tuning.jobs.write']))
      ]),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(0)
    const rows = run.summary.split('\n').filter((line) => /^\| (🔴|🟠) /.test(line))
    expect(rows).toHaveLength(6)
    expect(rows[0]).toContain('`key_huge`')
    expect(run.summary).not.toContain('more finding')
  })

  it('bounds the keys output to 100 keys, with a notice, every key in the report', async () => {
    const run = await runAction({
      'audit-log-file': exportOf(
        Array.from({ length: 2000 }, (_, i) => created(`audit_log-${i}`, `key_${String(i).padStart(4, '0')}`, ['all']))
      ),
      'create-issues': 'false',
      'fail-on': 'none'
    })
    expect(run.code).toBe(0)
    const keys = JSON.parse(run.outputs.keys!) as string[]
    expect(keys).toHaveLength(100)
    expect(keys[0]).toBe('key_0000')
    expect(run.stdout).toContain(
      '::notice::The keys output lists 100 of 2000 keys (at most 100, and 16 KiB of JSON, highest severity first); ' +
        'every one is in the JSON report (output report).'
    )
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8'))
    expect(report.keys).toHaveLength(2000)
  })
})
