// openai-keywatch on the command line: the action's pipeline for local scans and
// backfills, the demo on the bundled sample, and the rule spec's test runner.
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { targetFromEnv } from './github/issues.js'
import { report as buildReport, scanWindow, triageIssues, type Scanned, type ScanLog } from './pipeline.js'
import { errorMessage } from './redact.js'
import { RULE } from './rules/api-key-anomalous-activity.js'
import { loadSpec, runSpec } from './rules/spec.js'
import { readSettings, SettingsError, type InputName, type Settings } from './settings.js'
import { painter, renderIssuePreviews, renderText, verdict, type Paint } from './terminal.js'
import { reportLines, type Report } from './triage/report.js'
import { renderIssue } from './triage/issues.js'
import { renderSummary } from './triage/summary.js'

export const EXIT = { clean: 0, findings: 1, usage: 2 } as const

const SPEC_FILE = join('rules', 'openai_api_key_anomalous_activity.yml')
const SAMPLE_FILE = join('examples', 'audit-log.sample.jsonl')

const EXIT_CODES = `Exit codes:
  0  clean: no finding at or above --fail-on
  1  findings at or above --fail-on (test: a spec test failed)
  2  usage error, or the window could not be read completely (never reported clean)`

const HELP = {
  main: `Usage: openai-keywatch <command> [options]

Watches OpenAI organization audit logs for API keys created or updated with
elevated scopes (rule OpenAI.API.Key.Anomalous.Activity).

Commands:
  scan       scan the Admin API's audit logs (OPENAI_ADMIN_KEY) or an exported file
  demo       scan the bundled sample audit log and show what the action would do
  test       run a Panther-format rule spec's tests against the rule

Run "openai-keywatch <command> --help" for a command's options.

${EXIT_CODES}`,
  test: `Usage: openai-keywatch test [spec.yml ...]

Runs every test of each Panther-format spec against the rule and prints, per
test, PASS or FAIL with the severity and title, then "N passed, M failed".
Without a file, runs the bundled ${SPEC_FILE}.

Options:
  -h, --help             this help

Exit codes: 0 all passed, 1 a test failed, 2 a spec could not be read.`,
  demo: `Usage: openai-keywatch demo [options]

Runs the real pipeline on the bundled sample audit log (${SAMPLE_FILE}) in
dry-run: prints the summary, the issues the action would open (one per key,
with the rule's runbook as a checklist) and the gate's verdict with the default
fail-on (high). Reads no API, writes nothing to GitHub, and exits 0 whatever the
verdict.

Options:
  --markdown DIR         also write the job summary (summary.md), each issue's
                         body (issue-N.md) and their titles and labels
                         (issues.json) into DIR
  -h, --help             this help`,
  scan: `Usage: openai-keywatch scan [options]

Scans an audit-log window and prints the findings by key and the verdict.
Reads the OpenAI Admin API with the key in the environment variable
OPENAI_ADMIN_KEY (read-only, or the Audit Logs scope with Read), or an export
with --file. Writes nothing to GitHub unless --repo and --write are given.

Each option is the action input of the same name (see action.yml):
  --file PATH              exported audit log: JSONL, JSON array or saved list
                           response, optionally gzip-compressed (audit-log-file)
  --lookback DURATION      window ending now, API only (default 24h): 90m, 24h, 7d
  --since TIME             window start (inclusive): ISO 8601 or Unix seconds
  --until TIME             window end (exclusive); default now
  --project-ids LIST       only the key events of these OpenAI projects, comma-separated
  --fail-on LEVEL          critical, high (default), medium, low, info or none
  --allow-actors LIST      emails, user ids or service-account ids to suppress
  --elevated-scopes LIST   scopes that make a finding
                           (default: all, models:write, organization:write, api_keys:write, admin)
  --high-scopes LIST       elevated scopes that make it HIGH (default: all, admin)
  --base-url URL           Admin API base URL (openai-base-url;
                           default https://api.openai.com/v1)
  --label NAME             label of the issues (default openai-keywatch)
  --max-issues N           at most N new issues per run (default 25)
  --reopen-closed BOOL     reopen a key's closed issue on new findings (default true)

Issues (GitHub):
  --repo OWNER/NAME        triage in this repository's issues, one per key (token in
                           GITHUB_TOKEN, API URL in GITHUB_API_URL); a dry run that
                           only reads and prints what it would do, unless --write
  --write                  with --repo, open and update the issues for real

Output:
  --json                   print the JSON report on stdout instead of the text
  --summary FILE           also write the Markdown job summary to FILE
  -h, --help               this help

Examples:
  OPENAI_ADMIN_KEY=sk-admin-... openai-keywatch scan --lookback 7d
  openai-keywatch scan --since 2026-10-01 --until 2026-11-01 --json > october.json
  openai-keywatch scan --file export.jsonl.gz --fail-on medium --summary summary.md

${EXIT_CODES}`
}

class UsageError extends Error {}

type Out = (line: string) => void

/** A file shipped with the package: next to it (dist/cli/ or src/, two or one levels down). */
function bundled(file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, file)
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return file
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

/** parseArgs with its errors turned into one line that says what was wrong and where to look. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: string[],
  options: T,
  allowPositionals = false
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true })
  } catch (error) {
    const code = (error as { code?: string }).code
    const message = (error as Error).message
    const named = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? ''
    const help = `run "openai-keywatch ${command} --help" for the options`
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`Unknown option ${named} for ${command}: ${help}.`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        options[named.replace(/^-+/, '')]?.type === 'boolean'
          ? `Option ${named} takes no value: ${help}.`
          : message.includes('ambiguous')
            ? `Option ${named} needs a value; for a value that starts with "-", write ${named}=VALUE: ${help}.`
            : `Option ${named} needs a value: ${help}.`
      )
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const argument = /'([^']*)'/.exec(message)?.[1] ?? ''
      throw new UsageError(`Unexpected argument "${argument}" for ${command}, which takes only options: ${help}.`)
    }
    throw error
  }
}

async function testCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parse('test', args, { help: { type: 'boolean', short: 'h' } }, true)
  if (values.help) {
    out(HELP.test)
    return EXIT.clean
  }
  const files = positionals.length > 0 ? positionals : [bundled(SPEC_FILE)]
  let passed = 0
  let failed = 0
  for (const file of files) {
    const spec = await loadSpec(file)
    out(`${spec.RuleID} (${file})`)
    for (const outcome of runSpec(spec)) {
      const verdict = outcome.result ? `${outcome.severity}  ${outcome.title}` : 'no alert'
      out(`  ${outcome.passed ? 'PASS' : 'FAIL'}  ${outcome.name}  [${verdict}]`)
      for (const failure of outcome.failures) out(`        ${failure}`)
      if (outcome.passed) passed++
      else failed++
    }
  }
  out(`${passed} passed, ${failed} failed`)
  return failed > 0 ? EXIT.findings : EXIT.clean
}

/** scan's options that are action inputs, flag name to input name. */
export const SCAN_FLAGS: Record<string, InputName> = {
  file: 'audit-log-file',
  lookback: 'lookback',
  since: 'since',
  until: 'until',
  'project-ids': 'project-ids',
  'fail-on': 'fail-on',
  'allow-actors': 'allow-actors',
  'elevated-scopes': 'elevated-scopes',
  'high-scopes': 'high-scopes',
  'base-url': 'openai-base-url',
  label: 'label',
  'max-issues': 'max-issues',
  'reopen-closed': 'reopen-closed'
}

const FLAG_OF = new Map<string, string>(Object.entries(SCAN_FLAGS).map(([flag, input]) => [input, flag]))

/** Settings errors name action inputs; on the command line they name the options. */
function inFlags(message: string): string {
  const flag = (input: string): string => (FLAG_OF.has(input) ? `--${FLAG_OF.get(input)}` : input)
  return message
    .replace(
      /^Inputs (\S+) (\(.*?\)) and (\S+) \(/,
      (_m, a: string, when: string, b: string) => `Options ${flag(a)} ${when} and ${flag(b)} (`
    )
    .replace(/^Input (\S+)/, (_m, name: string) => (FLAG_OF.has(name) ? `Option ${flag(name)}` : `Input ${name}`))
}

function settingsFrom(inputs: Map<InputName, string>): Settings {
  try {
    return readSettings((name) => inputs.get(name) ?? '')
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(inFlags(error.message))
    throw error
  }
}

/** Progress lines and the SDK's warnings go to stderr, so that --json stays clean on stdout. */
function scanLog(err: Out): ScanLog {
  return {
    progress: { group: (title) => err(title), line: (text) => err(`  ${text}`), endGroup: () => undefined },
    warn: (line) => err(`warning: ${line}`)
  }
}

async function scanAndReport(
  settings: Settings,
  log: ScanLog,
  triage: (scanned: Scanned) => ReturnType<typeof triageIssues> = async () => []
): Promise<Report> {
  try {
    const scanned = await scanWindow(settings, Date.now(), log)
    return buildReport(settings, scanned, await triage(scanned))
  } catch (error) {
    // since/until are checked against the clock when the window is resolved.
    if (error instanceof SettingsError) throw new UsageError(inFlags(error.message))
    throw error
  }
}

async function scanCommand(args: string[], out: Out, err: Out, paint: Paint): Promise<number> {
  const flags = Object.fromEntries(Object.keys(SCAN_FLAGS).map((flag) => [flag, { type: 'string' as const }]))
  const { values } = parse('scan', args, {
    ...flags,
    repo: { type: 'string' },
    write: { type: 'boolean' },
    json: { type: 'boolean' },
    summary: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help) {
    out(HELP.scan)
    return EXIT.clean
  }
  const inputs = new Map<InputName, string>()
  for (const [flag, input] of Object.entries(SCAN_FLAGS)) {
    const value = (values as Record<string, unknown>)[flag]
    if (typeof value === 'string') {
      if (value.trim() === '') throw new UsageError(`Option --${flag} is empty: give it a value or leave it out.`)
      inputs.set(input, value)
    }
  }
  if (typeof values.summary === 'string' && values.summary.trim() === '') {
    throw new UsageError('Option --summary is empty: give it the path of the Markdown file to write.')
  }
  const adminKey = process.env.OPENAI_ADMIN_KEY ?? ''
  if (!inputs.has('audit-log-file') && adminKey.trim() === '') {
    throw new UsageError(
      'OPENAI_ADMIN_KEY is not set: export an OpenAI Admin API key (sk-admin-..., read-only or with the ' +
        'Audit Logs scope set to Read) to scan the Admin API, or pass --file to scan an exported audit log.'
    )
  }
  if (values.write && !values.repo)
    throw new UsageError('--write needs --repo OWNER/NAME: the repository to write issues in.')
  inputs.set('openai-admin-key', adminKey)
  inputs.set('create-issues', values.repo ? 'true' : 'false')
  inputs.set('dry-run', values.write ? 'false' : 'true')
  inputs.set('github-token', process.env.GITHUB_TOKEN ?? '')
  const settings = settingsFrom(inputs)
  const report = await scanAndReport(settings, scanLog(err), (scanned) =>
    triageIssues(settings, scanned, {
      ...targetFromEnv(process.env, settings.githubToken),
      repository: values.repo ?? '',
      runUrl: undefined
    })
  )
  if (values.summary) await writeFile(values.summary, renderSummary(report))
  if (values.json) for (const block of reportLines(report)) out(block)
  else out(renderText(report, paint))
  if (!report.complete) return EXIT.usage
  return report.gate.failed ? EXIT.findings : EXIT.clean
}

async function demoCommand(args: string[], out: Out, err: Out, paint: Paint): Promise<number> {
  const { values } = parse('demo', args, { markdown: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (values.help) {
    out(HELP.demo)
    return EXIT.clean
  }
  const sample = bundled(SAMPLE_FILE)
  const settings = settingsFrom(
    new Map<InputName, string>([
      ['audit-log-file', shown(sample)],
      ['dry-run', 'true']
    ])
  )
  const report = await scanAndReport(settings, scanLog(err))
  const previews = report.keys.map((key) => ({
    ...renderIssue(key, { label: settings.label, reopenClosed: settings.reopenClosed }),
    checklist: RULE.runbook
  }))

  out(renderText(report, paint, { verdict: false }))
  out('')
  out(
    paint('bold', `Issues the action would open or update: ${previews.length} (one per key; dry run, nothing written)`)
  )
  if (previews.length > 0) out(renderIssuePreviews(previews, paint))
  out('')
  out(`${paint('bold', 'The gate')} (fail-on: ${report.failOn}): ${verdict(report, paint)}`)
  out(
    report.gate.failed
      ? paint('dim', 'In a workflow this run would fail (scan exits 1); the demo exits 0.')
      : paint('dim', 'In a workflow this run would pass.')
  )
  out('')
  out(paint('dim', 'Next: "openai-keywatch scan --help", and the README\'s "Set-up on GitHub".'))

  if (values.markdown) {
    await mkdir(values.markdown, { recursive: true })
    await writeFile(join(values.markdown, 'summary.md'), renderSummary(report))
    const index = previews.map((preview, n) => ({
      file: `issue-${n + 1}.md`,
      keyId: report.keys[n]!.keyId,
      title: preview.title,
      labels: preview.labels
    }))
    for (const [n, preview] of previews.entries()) await writeFile(join(values.markdown, index[n]!.file), preview.body)
    await writeFile(join(values.markdown, 'issues.json'), `${JSON.stringify(index, null, 2)}\n`)
  }
  return EXIT.clean
}

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
function colorWanted(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR
}

export async function main(
  argv: string[],
  out: Out = (line: string) => console.log(line),
  err: Out = (line: string) => console.error(line),
  options: { color?: boolean } = {}
): Promise<number> {
  const [command, ...args] = argv
  const secrets = [process.env.OPENAI_ADMIN_KEY ?? '', process.env.GITHUB_TOKEN ?? '']
  const paint = painter(options.color ?? colorWanted())
  try {
    switch (command) {
      case 'test':
        return await testCommand(args, out)
      case 'scan':
        return await scanCommand(args, out, err, paint)
      case 'demo':
        return await demoCommand(args, out, err, paint)
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        ;(command === undefined ? err : out)(HELP.main)
        return command === undefined ? EXIT.usage : EXIT.clean
      default:
        throw new UsageError(`Unknown command "${command}": use scan, demo or test (openai-keywatch --help).`)
    }
  } catch (error) {
    // A usage error, an unreadable spec or a window that could not be read: never "clean".
    err(`openai-keywatch: ${errorMessage(error, secrets)}`)
    return EXIT.usage
  }
}
