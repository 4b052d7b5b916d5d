// The CLI's commands: scan (the action's pipeline for local scans and backfills), demo (the
// bundled sample, dry-run) and test (a Panther-format spec's tests against the rule).
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import {
  issueOptions,
  keepCoverage,
  readCoverage,
  reportOf,
  scanWindow,
  triageIssues,
  type Scanned,
  type ScanEnvironment,
  type ScanLog
} from '../pipeline.js'
import { renderIssue } from '../issues/render.js'
import type { Report } from '../report/report.js'
import { renderSummary } from '../report/summary.js'
import { reportLines } from '../report/write.js'
import { RULE } from '../rules/api-key-anomalous-activity.js'
import { readCliSettings, SCAN_FLAGS } from '../settings/cli.js'
import { SettingsError, type InputName, type Settings } from '../settings/settings.js'
import { parseSpec, runSpec, SpecError, type Spec } from '../spec/spec.js'
import { oneLine } from '../text.js'
import { EXIT, HELP, parse, SAMPLE_FILE, SPEC_FILE, UsageError, usageError } from './args.js'
import { renderIssuePreviews, renderText, verdict, type Paint } from './text.js'

export type Out = (line: string) => void

/** What a command may read besides its arguments: standard input, for scan --file -. */
export interface Input {
  stdin: Readable & { isTTY?: boolean }
}

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

/** Why a file could not be read, in words. */
function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'there is no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return code ?? (error as Error).message
}

/** Reads a spec file: the edge where the spec runner meets the disk. */
async function loadSpec(path: string): Promise<Spec> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new SpecError(`Cannot read spec ${path}: ${unreadable(error)}.`)
  }
  return parseSpec(text, path)
}

/** The spec files a path names: the file itself, or a directory's .yml and .yaml files, by name. */
async function specFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined)
  if (!info?.isDirectory()) return [path]
  const files = (await readdir(path)).filter((name) => /\.ya?ml$/i.test(name)).sort()
  if (files.length === 0) throw new UsageError(`${path} is a directory with no .yml spec in it: give a spec file.`)
  return files.map((name) => join(path, name))
}

export async function testCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parse('test', args, { help: { type: 'boolean', short: 'h' } }, true)
  if (values.help) {
    out(HELP.test)
    return EXIT.clean
  }
  const files = positionals.length > 0 ? (await Promise.all(positionals.map(specFiles))).flat() : [bundled(SPEC_FILE)]
  let passed = 0
  let failed = 0
  for (const file of files) {
    const spec = await loadSpec(file)
    if (spec.RuleID !== RULE.id) {
      throw new UsageError(
        `${file} is the spec of rule ${JSON.stringify(spec.RuleID)}: openai-keywatch test runs the specs of ${RULE.id} only.`
      )
    }
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

export function settingsFrom(inputs: Map<InputName, string>, repository?: string, input?: Input): Settings {
  try {
    return readCliSettings(inputs, process.env, repository, input?.stdin)
  } catch (error) {
    if (error instanceof SettingsError) throw usageError(error)
    throw error
  }
}

/**
 * Progress lines and the SDK's warnings go to stderr, so that --json stays clean on stdout;
 * each on one line, as a workflow step that runs the CLI prints them to the runner's log.
 */
export function scanLog(err: Out): ScanLog {
  return {
    progress: {
      group: (title) => err(oneLine(title)),
      line: (text) => err(`  ${oneLine(text)}`),
      endGroup: () => undefined
    },
    warn: (line) => err(`warning: ${oneLine(line)}`)
  }
}

async function scanAndReport(
  settings: Settings,
  environment: ScanEnvironment,
  triage: (scanned: Scanned) => ReturnType<typeof triageIssues> = async () => []
): Promise<Report> {
  try {
    // The ledger with --repo, as the action keeps it: read before the scan, written after the issues.
    const warn = environment.log?.warn
    const coverage = await readCoverage(settings, { ...environment, warn })
    const scanned = await scanWindow(settings, { ...environment, coverage })
    const issues = await triage(scanned)
    return reportOf(settings, await keepCoverage(scanned, issues, coverage, warn), issues)
  } catch (error) {
    // since/until are checked against the clock when the window is resolved.
    if (error instanceof SettingsError) throw usageError(error)
    throw error
  }
}

export async function scanCommand(args: string[], out: Out, err: Out, paint: Paint, input?: Input): Promise<number> {
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
  if (values.write && !values.repo)
    throw new UsageError('--write needs --repo OWNER/NAME: the repository to write issues in.')
  inputs.set('create-issues', values.repo ? 'true' : 'false')
  inputs.set('dry-run', values.write ? 'false' : 'true')
  const settings = settingsFrom(inputs, values.repo, input)
  for (const warning of settings.warnings) err(`warning: ${warning}`)
  const report = await scanAndReport(settings, { log: scanLog(err), stdin: input?.stdin }, (scanned) =>
    triageIssues(settings, scanned)
  )
  if (values.summary) await writeFile(values.summary, renderSummary(report))
  if (values.json) for (const block of reportLines(report)) out(block)
  else out(renderText(report, paint))
  if (!report.complete) return EXIT.usage
  return report.gate.failed ? EXIT.findings : EXIT.clean
}

export async function demoCommand(args: string[], out: Out, err: Out, paint: Paint): Promise<number> {
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
  const report = await scanAndReport(settings, { log: scanLog(err) })
  const previews = report.keys.map((key) => ({
    ...renderIssue(key, issueOptions(settings)),
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
  out(paint('dim', 'Next: "openai-keywatch scan --help", and the README\'s "Set-up" and "The workflow".'))

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
