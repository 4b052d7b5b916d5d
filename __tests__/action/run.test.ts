// The action's run() in process, with @actions/core mocked as in GitHub's
// actions/typescript-action template: what it says to the runner, read from the mocks.
import { jest } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '../../__fixtures__/core.js'
import { FakeGitHub } from '../support/fake-github.js'

jest.unstable_mockModule('@actions/core', () => core)

// Imported after the mock is registered, so the action gets the mocked @actions/core.
const { run } = await import('../../src/action/run.js')

const SAMPLE = 'examples/audit-log.sample.jsonl'
const ADMIN_KEY = 'sk-admin-xyzTESTONLY0123456789abcdef'

/** The runner's variables the action reads; each is put back after every test. */
const ENV = [
  'RUNNER_TEMP',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_REPOSITORY',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
  'GITHUB_ACTION'
] as const
let saved: Partial<Record<(typeof ENV)[number], string>>
let temp: string

beforeEach(() => {
  saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]))
  for (const name of ENV) delete process.env[name]
  temp = mkdtempSync(join(tmpdir(), 'keywatch-action-'))
  process.env.RUNNER_TEMP = temp
  process.env.GITHUB_RUN_ID = '4242'
  process.env.GITHUB_RUN_ATTEMPT = '1'
})

afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  rmSync(temp, { recursive: true, force: true })
})

/** Inputs as the runner gives them: '' for an input the workflow does not set. */
function inputs(values: Record<string, string>): void {
  core.getInput.mockImplementation((name) => values[name] ?? '')
}

/** The outputs the action set, by name. */
function outputs(): Record<string, unknown> {
  return Object.fromEntries(core.setOutput.mock.calls.map(([name, value]) => [name, value]))
}

/** What a mock recorded: its calls' arguments, and where each call falls among all mocks' calls. */
type Recorded = { mock: { calls: readonly (readonly unknown[])[]; invocationCallOrder: readonly number[] } }

/** Every call made to the mocked @actions/core, in the order made, as [function, ...arguments]. */
function coreCalls(): [string, ...unknown[]][] {
  const { summary, ...functions } = core
  const mocks: [string, Recorded][] = [
    ...Object.entries(functions),
    ['summary.addRaw', summary.addRaw],
    ['summary.write', summary.write]
  ]
  return mocks
    .flatMap(([name, mock]) =>
      mock.mock.calls.map((args, i): [number, string, readonly unknown[]] => [
        mock.mock.invocationCallOrder[i]!,
        name,
        args
      ])
    )
    .sort(([a], [b]) => a - b)
    .map(([, name, args]) => [name, ...args])
}

describe('run()', () => {
  it('reports the bundled sample in outputs and fails the step with fail-on: high', async () => {
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'high' })
    await run()
    expect(outputs()).toMatchObject({ findings: 14, critical: 6, high: 5, medium: 3, events: 46, complete: 'true' })
    expect(JSON.parse(outputs().keys as string)).toHaveLength(13)
    expect(outputs().issues).toBe('[]')
    // The JSON report is written into RUNNER_TEMP, and says what the outputs say.
    const path = join(temp, 'openai-keywatch-report-4242-1.json')
    expect(outputs().report).toBe(path)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      eventsScanned: 46,
      counts: { total: 14, critical: 6, high: 5, medium: 3 },
      gate: { failed: true }
    })
    expect(core.setFailed).toHaveBeenCalledTimes(1)
    expect(core.setFailed).toHaveBeenCalledWith('11 findings at or above fail-on (high).')
    // 6 CRITICAL and 5 HIGH keys and 2 MEDIUM ones: 5 errors (the most a kind gets), the other 6 log lines, 2 warnings.
    expect(core.error).toHaveBeenCalledTimes(5)
    expect(core.warning).toHaveBeenCalledTimes(2)
    expect(core.notice).toHaveBeenCalledWith(expect.stringMatching(/^6 more messages are log lines above/))
    // No GITHUB_STEP_SUMMARY: no job summary.
    expect(core.summary.write).not.toHaveBeenCalled()
  })

  it('passes with fail-on: none, outputs set all the same', async () => {
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'none' })
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(outputs()).toMatchObject({ findings: 14, critical: 6, high: 5, medium: 3, events: 46, complete: 'true' })
    expect(core.info).toHaveBeenCalledWith(expect.stringContaining('Passed: fail-on is none.'))
  })

  it('writes the job summary when the runner gives the step one', async () => {
    const file = join(temp, 'step-summary.md')
    writeFileSync(file, '')
    process.env.GITHUB_STEP_SUMMARY = file
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'none' })
    await run()
    expect(core.summary.addRaw).toHaveBeenCalledTimes(1)
    expect(core.summary.addRaw.mock.calls[0]![0]).toContain('## OpenAI Anomalous API Key Activity')
    expect(core.summary.write).toHaveBeenCalledTimes(1)
  })

  it('stops on a bad input with a message naming it, and sets no output', async () => {
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', lookback: 'soon' })
    await run()
    expect(core.setFailed).toHaveBeenCalledTimes(1)
    expect(core.setFailed).toHaveBeenCalledWith(
      'Input lookback is "soon": use a positive whole number with a unit, s, m, h, d or w (for example 90m, 24h, 7d).'
    )
    expect(core.setOutput).not.toHaveBeenCalled()
  })

  it('masks the admin key before anything else, and says it nowhere', async () => {
    // With audit-log-file the key is never sent: no request is made.
    inputs({ 'openai-admin-key': ADMIN_KEY, 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'none' })
    await run()
    const calls = coreCalls()
    expect(calls.slice(0, 2)).toEqual([
      ['getInput', 'openai-admin-key'],
      ['setSecret', ADMIN_KEY]
    ])
    expect(core.setSecret).toHaveBeenCalledTimes(1)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(outputs().findings).toBe(14)
    // Nothing else the action said to the runner holds the key.
    const said = JSON.stringify(calls.filter(([name]) => name !== 'setSecret'))
    expect(said).toContain('Scanned 46 events')
    expect(said).not.toContain(ADMIN_KEY.slice('sk-admin-'.length))
  })

  it('names the report after the step too: two steps of the action in one job write two reports', async () => {
    process.env.GITHUB_ACTION = '__org_openai-keywatch_2'
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'none' })
    await run()
    expect(outputs().report).toBe(join(temp, 'openai-keywatch-report-4242-1-__org_openai-keywatch_2.json'))
  })

  it('writes the findings (summary, outputs, annotations) before the GitHub phase, then the issues', async () => {
    const github = await new FakeGitHub().start()
    try {
      const file = join(temp, 'step-summary.md')
      writeFileSync(file, '')
      Object.assign(process.env, {
        GITHUB_STEP_SUMMARY: file,
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'acme/security'
      })
      // GitHub takes the listing and never answers: the budget ends the phase.
      github.stall({ method: 'GET', mode: 'hang', times: 100 })
      const requestsAt: Record<string, number> = {}
      core.setOutput.mockImplementation((name) => void (requestsAt[`output ${name}`] ??= github.requests.length))
      core.summary.write.mockImplementation(async () => {
        requestsAt[`summary ${core.summary.write.mock.calls.length}`] = github.requests.length
        return core.summary
      })
      inputs({
        'audit-log-file': SAMPLE,
        'fail-on': 'none',
        'github-token': github.token,
        'github-budget': '1s'
      })
      await run()
      // The findings were out before GitHub was asked anything; the summary was written again after.
      expect(requestsAt).toMatchObject({ 'output findings': 0, 'output complete': 0, 'summary 1': 0 })
      expect(requestsAt['summary 2']).toBeGreaterThan(0)
      expect(core.summary.write.mock.calls).toEqual([[{ overwrite: true }], [{ overwrite: true }]])
      expect(core.summary.emptyBuffer).toHaveBeenCalledTimes(2)
      const [first, second] = core.summary.addRaw.mock.calls.map(([text]) => text)
      expect(first).toContain('`key_AdminOps0009`')
      expect(first).toContain('The issues are being written to GitHub now')
      expect(first).toContain('So far, before the GitHub phase:')
      expect(second).toContain('### Issue failures: 13')
      expect(second).not.toContain('being written to GitHub now')
      expect(core.error).toHaveBeenCalledWith(
        expect.stringMatching(
          /^GitHub issue for 13 keys \(key_AdminOps0009, .*, \.\.\.\) not written: the GitHub phase used its whole budget \(github-budget: 1s\) before it was done\./
        ),
        {}
      )
      expect(outputs()).toMatchObject({ findings: 14, issues: '[]', complete: 'true' })
      expect(core.setFailed).toHaveBeenCalledWith(
        'The GitHub issue of 13 keys could not be written (see the job summary).'
      )
    } finally {
      core.setOutput.mockReset()
      core.summary.write.mockImplementation(async () => core.summary)
      await github.stop()
    }
  })

  it('still sets the outputs and the verdict when the job summary cannot be written', async () => {
    process.env.GITHUB_STEP_SUMMARY = join(temp, 'missing-dir', 'summary.md')
    core.summary.write.mockRejectedValueOnce(new Error("Unable to access summary file: '/nowhere'."))
    inputs({ 'audit-log-file': SAMPLE, 'create-issues': 'false', 'fail-on': 'high' })
    await run()
    expect(core.warning).toHaveBeenCalledWith(
      "The job summary could not be written (GITHUB_STEP_SUMMARY): Unable to access summary file: '/nowhere'. " +
        'The findings are in the log, the annotations, the outputs and the JSON report.'
    )
    expect(outputs()).toMatchObject({ findings: 14, high: 5, complete: 'true' })
    expect(core.setFailed).toHaveBeenCalledWith('11 findings at or above fail-on (high).')
  })
})
