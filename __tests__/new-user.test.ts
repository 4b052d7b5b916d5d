// What a new user tripped on (issue 22), item by item, through the CLI (main, as bin.ts
// runs it) and dist/index.js (as the runner starts it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { readSettings } from '../src/settings/inputs.js'
import { runAction } from './support/action.js'
import { runCli } from './support/cli.js'
import { FakeGitHub } from './support/fake-github.js'
import { keyEvent, startFakeOpenAI, type AuditLogEvent, type FakeOpenAI } from './support/fake-openai.js'
import { tempDir } from './support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'
const ADMIN_KEY = 'sk-admin-newUserTESTONLY0123456789abcdef'
const NOW = Math.floor(Date.now() / 1000)

/** The pages under docs/. */
function docs(): string[] {
  return readdirSync('docs')
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file))
}

/** Annotations of one kind the runner would show: `::warning title=T::text`. */
function annotations(stdout: string, kind: 'warning' | 'error'): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`::${kind}`))
}

/** The error annotations of the GitHub phase. */
function issueErrors(stdout: string): string[] {
  return annotations(stdout, 'error').filter((line) => line.startsWith('::error::GitHub issue'))
}

/** The CLI in process, its errors as lines. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const run = await runCli(args, { color: false })
  return { ...run, err: run.err === '' ? [] : run.err.split('\n') }
}

describe('1. a fail-on that no finding can reach', () => {
  it('passes, but says so loudly: an annotation, the summary and the verdict', async () => {
    // Escalation off: no finding can be CRITICAL.
    const run = await runAction({
      'audit-log-file': SEED,
      'fail-on': 'critical',
      'escalate-signals': '0',
      'create-issues': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.high).toBe('4')
    const warning =
      'fail-on is critical, which no finding can reach: with these settings the rule gives HIGH and MEDIUM findings only, ' +
      'so the run never fails on a finding. Use fail-on: high (or fail-on: none to turn the gate off on purpose).'
    expect(annotations(run.stdout, 'warning')).toContain(`::warning title=Settings::${warning}`)
    expect(run.summary).toContain('> **Settings**')
    const summary = run.summary.replace(/\\(.)/g, '$1')
    expect(summary).toContain(`> - ${warning}`)
    expect(summary).toContain('### Verdict\n⚠️ Passed, but fail-on (critical) cannot fail on a finding')
    expect(run.summary).not.toContain('✅')
  })

  it('knows MEDIUM cannot be given when every elevated scope is a high one, and says nothing of fail-on none', async () => {
    const clean = await runAction({ 'audit-log-file': SEED, 'fail-on': 'none', 'create-issues': 'false' })
    expect(annotations(clean.stdout, 'warning')).toEqual([])
    const run = await cli(
      'scan',
      '--file',
      SEED,
      '--fail-on',
      'critical',
      '--elevated-scopes',
      'all',
      '--escalate-signals',
      '0'
    )
    expect(run.code).toBe(0)
    expect(run.err[0]).toBe(
      'warning: --fail-on is critical, which no finding can reach: with these settings the rule gives HIGH findings only, ' +
        'so the run never fails on a finding. Use --fail-on high (or --fail-on none to turn the gate off on purpose).'
    )
    expect(run.out).toMatch(/^PASS {2}Passed, but --fail-on \(critical\) cannot fail on a finding/m)
  })

  it('with escalation on (the default), fail-on critical is reachable: no warning, and the escalated findings fail the run', async () => {
    const run = await cli('scan', '--file', SEED, '--fail-on', 'critical')
    expect(run.err.filter((line) => line.startsWith('warning:'))).toEqual([])
    expect(run.out).toContain('CRITICAL')
    expect(run.code).toBe(1)
  })

  it("low and info do reach the rule's findings: they fail on HIGH as medium does, and warn of nothing", async () => {
    for (const level of ['low', 'info']) {
      const run = await cli('scan', '--file', SEED, '--fail-on', level)
      expect(run.code).toBe(1)
      expect(run.err.filter((line) => line.startsWith('warning:'))).toEqual([])
    }
  })
})

describe('2. an input that has no effect in the chosen mode', () => {
  it('the action names it once, in a warning, and still scans', async () => {
    const run = await runAction({
      'audit-log-file': SEED,
      lookback: '7d',
      'openai-base-url': 'https://gateway.example/v1',
      'create-issues': 'false',
      label: 'security',
      'fail-on': 'none'
    })
    expect(run.code).toBe(0)
    expect(annotations(run.stdout, 'warning')).toEqual([
      '::warning title=Settings::lookback has no effect: audit-log-file is set, and an export is scanned whole unless since or until is set.',
      '::warning title=Settings::openai-base-url has no effect: audit-log-file is set, so the export is scanned and the Admin API is asked nothing (no key is looked up).',
      '::warning title=Settings::label has no effect: create-issues is false, so no issue is read or written, and no coverage ledger is kept (audit-log-file is set).'
    ])
    expect(run.outputs.findings).toBe('4')
  })

  it("an input left at its default is not named, nor lookback beside since (the README workflow's backfill)", async () => {
    const run = await runAction({ 'audit-log-file': SEED, 'create-issues': 'false', 'fail-on': 'none' })
    expect(annotations(run.stdout, 'warning')).toEqual([])
    const backfill: Record<string, string> = { 'openai-admin-key': ADMIN_KEY, lookback: '3h', since: '2026-10-01' }
    expect(readSettings((name) => backfill[name] ?? '').warnings).toEqual([])
  })

  it('the CLI names its options: --lookback with --file, --enrich-keys with --file, --label without --repo', async () => {
    const run = await cli(
      'scan',
      '--file',
      SEED,
      '--lookback',
      '7d',
      '--enrich-keys',
      'true',
      '--label',
      'x',
      '--fail-on',
      'none'
    )
    expect(run.code).toBe(0)
    expect(run.err.filter((line) => line.startsWith('warning:'))).toEqual([
      'warning: --lookback has no effect: --file is set, and an export is scanned whole unless --since or --until is set.',
      'warning: --enrich-keys has no effect: --file is set, so the export is scanned and the Admin API is asked nothing (no key is looked up).',
      'warning: --label has no effect: without --repo, no issue or coverage ledger is read or written.'
    ])
  })
})

describe('3. the README, action.yml and the help agree with what runs', () => {
  const read = (file: string): string => readFileSync(file, 'utf8')

  it("the test command's example ends with the count a real run prints", async () => {
    const run = await cli('test')
    const last = run.out.split('\n').at(-1)!
    expect(last).toMatch(/^\d+ passed, 0 failed$/)
    const shown = [read('README.md'), ...docs().map(read)].join('\n').match(/^\d+ passed, \d+ failed$/gm)
    expect(shown).toEqual([last])
  })

  it('no input is required: true, which the runner does not enforce (the admin key is needed only for the API)', () => {
    const inputs = (load(read('action.yml')) as { inputs: Record<string, { required?: boolean }> }).inputs
    expect(Object.entries(inputs).filter(([, input]) => input.required)).toEqual([])
  })

  it("scan --help says each list option takes commas, spaces or newlines, as the inputs' descriptions do", async () => {
    const help = (await cli('scan', '--help')).out
    expect(help).not.toMatch(/comma-separated/)
    expect(help).toMatch(/--project-ids LIST[^\n]*\(commas,\n\s+spaces or newlines, as every LIST\)/)
  })
})

describe("4. the CLI speaks its own language: options and environment variables, not the action's inputs", () => {
  const saved = { ...process.env }
  let openai: FakeOpenAI | undefined
  let github: FakeGitHub | undefined
  afterEach(async () => {
    process.env = { ...saved }
    await openai?.close()
    await github?.stop()
    openai = github = undefined
  })

  it('a wrong OPENAI_ADMIN_KEY: what to do, in OPENAI_ADMIN_KEY and --base-url', async () => {
    openai = await startFakeOpenAI({ key: 'sk-admin-theRealKey0123456789abcdef', events: [] })
    process.env.OPENAI_ADMIN_KEY = 'sk-admin-wrongKey0123456789abcdef'
    const run = await cli('scan', '--base-url', openai.baseURL)
    expect(run.code).toBe(2)
    expect(run.err.join('\n')).toContain('pass it in OPENAI_ADMIN_KEY')
    expect(run.err.join('\n')).not.toMatch(/openai-admin-key|openai-base-url|Input /)
  })

  it('a GitHub failure: no "see the summary" (the CLI writes none), and no section named "Issues (on)"', async () => {
    github = await new FakeGitHub().start()
    process.env.GITHUB_TOKEN = github.token
    process.env.GITHUB_API_URL = github.url
    github.fail({ method: 'POST', status: 500, message: 'Server Error', times: 100 })
    const run = await cli('scan', '--file', SEED, '--repo', 'acme/security', '--write', '--fail-on', 'none')
    expect(run.code).toBe(1)
    expect(run.out).not.toContain('Issues (on)')
    expect(run.out).toContain('Issues (written on GitHub)')
    expect(run.out).toMatch(/^FAIL {2}The GitHub issue of 4 keys could not be written/m)
    expect(run.out).not.toMatch(/summary/)
  })
})

describe('5. scan --repo without GITHUB_TOKEN', () => {
  const saved = { ...process.env }
  afterEach(() => void (process.env = { ...saved }))

  it('is one usage error, exit 2, before anything is read', async () => {
    delete process.env.GITHUB_TOKEN
    const run = await cli('scan', '--file', 'no/such/export.jsonl', '--repo', 'acme/security')
    expect(run.code).toBe(2)
    expect(run.out).toBe('')
    expect(run.err).toEqual([
      "openai-keywatch: GITHUB_TOKEN is not set: --repo acme/security reads that repository's issues (and with --write, writes them). " +
        'Export a token with Issues: Read and write on it (a fine-grained personal access token, or GITHUB_TOKEN=$(gh auth token)), or leave out --repo.'
    ])
  })
})

describe('6. GitHub refuses the token, the repository or its issues: the phase stops at the first refusal', () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await new FakeGitHub({ repository: 'acme/security' }).start()
  })
  afterEach(async () => {
    await github.stop()
  })
  const run = (inputs: Record<string, string> = {}) =>
    runAction(
      { 'audit-log-file': SEED, 'fail-on': 'none', 'github-token': github.token, ...inputs },
      { GITHUB_API_URL: github.url }
    )

  it('a read-only token (403 on the first write): one request refused, one message, findings reported, the run fails', async () => {
    github.fail({ method: 'POST', status: 403, message: 'Resource not accessible by integration', times: 100 })
    const result = await run()
    expect(result.code).toBe(1)
    expect(github.writes).toHaveLength(1)
    // Three of the four keys escalated to CRITICAL by their signals (a tool's user agent or another key, no history).
    expect(result.outputs).toMatchObject({ findings: '4', critical: '3', high: '1', complete: 'true', issues: '[]' })
    const errors = annotations(result.stdout, 'error').filter((line) => line.startsWith('::error::'))
    // The four keys' one annotation, and the verdict, which does not say it again.
    expect(errors).toHaveLength(2)
    expect(errors[1]).toBe('::error::The GitHub issue of 4 keys could not be written (see the job summary).')
    expect(errors[0]).toMatch(/^::error::GitHub issue for 4 keys \(.*\) not written: GitHub answered 403 to POST /)
    expect(errors[0]).toContain(
      'The token may not write issues in acme/security: give it Issues: Read and write (the default ${{ github.token }} with "permissions: issues: write" in the workflow).'
    )
    // The summary says it once, above the keys, not in a row per key.
    expect(result.summary.split('Resource not accessible by integration')).toHaveLength(2)
    expect(result.summary).toContain('What went wrong, for each of them: GitHub answered 403')
    expect(result.stdout).not.toContain('the next run tries again')
    expect(result.stdout).not.toContain('the next run writes it')
  })

  it('Issues switched off (410): says where to switch them on', async () => {
    github.fail({ method: 'GET', status: 410, message: 'Issues are disabled for this repo', times: 100 })
    const result = await run()
    expect(result.code).toBe(1)
    expect(github.requests).toHaveLength(1)
    expect(issueErrors(result.stdout)[0]).toContain(
      "Issues are switched off in acme/security: switch them on (the repository's Settings > General > Features > Issues), or set create-issues: false."
    )
  })

  it('a repository that is not there (404): the name may be wrong, whatever the token', async () => {
    const result = await run({ repository: 'acme/nonexistent' })
    expect(result.code).toBe(1)
    expect(github.requests).toHaveLength(1)
    const error = issueErrors(result.stdout)[0]!
    expect(error).toContain(
      'acme/nonexistent does not exist, or the token cannot see it: check the name (the input repository).'
    )
    expect(error).not.toContain('the next run')
  })
})

describe('7. a key only deleted, when the issues cannot be listed', () => {
  it('is not warned about as "not noted on its issue": it may have none; the keys with findings say why', async () => {
    const github = await new FakeGitHub({ repository: 'acme/security' }).start()
    try {
      // An answer that is not retried (a 5xx is, for seconds) and is no refusal of the token.
      github.fail({ method: 'GET', status: 422, message: 'Validation Failed', times: 100 })
      const result = await runAction(
        { 'audit-log-file': SEED, 'fail-on': 'none', 'github-token': github.token },
        { GITHUB_API_URL: github.url }
      )
      expect(result.code).toBe(1)
      expect(result.stdout).not.toMatch(/Deletion of key .* not noted/)
      expect(annotations(result.stdout, 'warning')).toEqual([])
      expect(issueErrors(result.stdout)[0]).toMatch(
        /^::error::GitHub issue for 4 keys .* not written: Could not list the issues labelled openai-keywatch: GitHub answered 422/
      )
    } finally {
      await github.stop()
    }
  })
})

describe('8. small things', () => {
  const saved = { ...process.env }
  afterEach(() => void (process.env = { ...saved }))

  it('test <directory> runs the specs in it (no raw EISDIR); a directory with none is a usage error', async () => {
    const run = await cli('test', 'rules')
    expect(run.code).toBe(0)
    expect(run.out).toContain('OpenAI.API.Key.Anomalous.Activity (rules/openai_api_key_anomalous_activity.yml)')
    const empty = await cli('test', tempDir('keywatch-specs-'))
    expect(empty.code).toBe(2)
    expect(empty.err[0]).toMatch(/ is a directory with no \.yml spec in it: give a spec file\.$/)
    expect(empty.err.join('\n')).not.toContain('EISDIR')
  })

  it('--version prints the package version', async () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version
    for (const flag of ['--version', '-V'])
      expect(await cli(flag)).toEqual({ code: 0, out: `openai-keywatch ${version}`, err: [] })
  })

  it('no "Looking up" when no key can be looked up, and the note is plural where the keys are', async () => {
    const events = [1, 2, 3, 4].map((n) => {
      const event: Partial<AuditLogEvent> = keyEvent(n, NOW - 3600)
      delete event.project
      return event as AuditLogEvent
    })
    const openai = await startFakeOpenAI({ key: ADMIN_KEY, events })
    try {
      process.env.OPENAI_ADMIN_KEY = ADMIN_KEY
      const run = await cli('scan', '--base-url', openai.baseURL, '--fail-on', 'none')
      expect(run.code).toBe(0)
      expect(run.err.join('\n')).not.toContain('Looking up')
      expect(openai.requests.filter((request) => /api_keys/.test(request.path))).toEqual([])
      expect(run.out).toContain(
        'note: 4 keys not looked up: the events name no project, and a project key can only be looked up in its own project.'
      )
    } finally {
      await openai.close()
    }
  })

  it('an empty file: one error that says so, and a verdict that does not say it again', async () => {
    const file = join(tempDir('keywatch-empty-'), 'empty.jsonl')
    writeFileSync(file, '')
    const run = await runAction({ 'audit-log-file': file, 'create-issues': 'false' })
    expect(run.code).toBe(1)
    const errors = annotations(run.stdout, 'error')
    expect(errors.filter((line) => line.includes('it is empty'))).toHaveLength(1)
    expect(errors).toHaveLength(2)
    expect(errors[1]).toBe(
      '::error::The audit-log window was not read completely (1 part not read, named above): this run cannot say the window is clean.'
    )
  })
})

describe('9. the JSON report, kept', () => {
  it("an example workflow uploads the step's report as an artifact, even when the scan fails the job", () => {
    type Step = { id?: string; uses?: string; if?: string; with?: Record<string, unknown> }
    const workflow = load(readFileSync('examples/workflows/keep-report.yml', 'utf8')) as {
      jobs: Record<string, { steps: Step[] }>
    }
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
    const scan = steps.find((step) => /openai-keywatch@/.test(step.uses ?? ''))!
    const upload = steps.find((step) => /^actions\/upload-artifact@/.test(step.uses ?? ''))!
    expect(steps.indexOf(upload)).toBeGreaterThan(steps.indexOf(scan))
    expect(upload.with!.path).toBe(`\${{ steps.${scan.id}.outputs.report }}`)
    // A job failed by findings still uploads: always() or !cancelled(), never the default success().
    expect(upload.if).toMatch(/always\(\)|!cancelled\(\)/)
    // Shown in the docs, and linted with the others (scripts/workflow-files.mjs reads docs/ too).
    expect(readFileSync('docs/exports-and-cli.md', 'utf8')).toContain(
      readFileSync('examples/workflows/keep-report.yml', 'utf8')
    )
  })
})
