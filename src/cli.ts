// openai-keywatch on the command line: the action's pipeline for local scans and
// backfills, and the rule spec's test runner.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { report as buildReport, scanWindow } from './pipeline.js'
import { errorMessage } from './redact.js'
import { loadSpec, runSpec } from './rules/spec.js'
import { readSettings, type InputName } from './settings.js'

export const EXIT = { clean: 0, findings: 1, usage: 2 } as const

const SPEC_FILE = join('rules', 'openai_api_key_anomalous_activity.yml')

const HELP = {
  main: `Usage: openai-keywatch <command> [options]

Watches OpenAI organization audit logs for API keys created or updated with
elevated scopes (rule OpenAI.API.Key.Anomalous.Activity).

Commands:
  scan       scan the Admin API's audit logs or an exported file
  test       run a Panther-format rule spec's tests against the rule

Run "openai-keywatch <command> --help" for a command's options.

Exit codes: 0 clean, 1 findings at or above --fail-on (or failed tests),
2 usage error or an incomplete window.`,
  test: `Usage: openai-keywatch test [spec.yml ...]

Runs every test of each Panther-format spec against the rule and prints, per
test, PASS or FAIL with the severity and title, then "N passed, M failed".
Without a file, runs the bundled ${SPEC_FILE}.

Exit codes: 0 all passed, 1 a test failed, 2 a spec could not be read.`,
  scan: `Usage: openai-keywatch scan [options]

Scans the audit-log window and prints the findings. Reads the Admin API with the
key in OPENAI_ADMIN_KEY, or an export with --file.

Options:
  --file PATH            exported audit log: JSONL, JSON array or list response (.gz too)
  --lookback DURATION    window ending now, API only (default 24h): 90m, 24h, 7d
  --since TIME           window start: ISO 8601 or Unix seconds
  --until TIME           window end (exclusive)
  --project-ids LIST     only these projects (API only), comma-separated
  --fail-on LEVEL        critical, high (default), medium, low, info or none
  --allow-actors LIST    emails, user ids or service-account ids to suppress
  --elevated-scopes LIST scopes that make a finding (default: the rule's list)
  --high-scopes LIST     elevated scopes that make it HIGH (default: all, admin)
  --base-url URL         Admin API base URL (default https://api.openai.com/v1)
  --json                 print the JSON report instead of the text summary
  -h, --help             this help

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or incomplete window.`
}

class UsageError extends Error {}

/** The bundled spec: next to the package (dist/cli/ or src/ two or one levels down). */
function bundledSpec(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, SPEC_FILE)
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return SPEC_FILE
}

async function testCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    out(HELP.test)
    return EXIT.clean
  }
  const files = positionals.length > 0 ? positionals : [bundledSpec()]
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

const SCAN_FLAGS: Record<string, InputName> = {
  file: 'audit-log-file',
  lookback: 'lookback',
  since: 'since',
  until: 'until',
  'project-ids': 'project-ids',
  'fail-on': 'fail-on',
  'allow-actors': 'allow-actors',
  'elevated-scopes': 'elevated-scopes',
  'high-scopes': 'high-scopes',
  'base-url': 'openai-base-url'
}

async function scanCommand(args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const options = Object.fromEntries(Object.keys(SCAN_FLAGS).map((flag) => [flag, { type: 'string' as const }]))
  const { values } = parseArgs({
    args,
    options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    out(HELP.scan)
    return EXIT.clean
  }
  const inputs = new Map<InputName, string>()
  for (const [flag, input] of Object.entries(SCAN_FLAGS)) {
    const value = (values as Record<string, unknown>)[flag]
    if (typeof value === 'string') inputs.set(input, value)
  }
  inputs.set('openai-admin-key', process.env.OPENAI_ADMIN_KEY ?? '')
  inputs.set('dry-run', 'true')
  const settings = readSettings((name) => inputs.get(name) ?? '')
  const scanned = await scanWindow(settings, Date.now(), {
    progress: { group: (title) => err(title), line: (text) => err(`  ${text}`), endGroup: () => undefined },
    warn: (line) => err(`warning: ${line}`)
  })
  const report = buildReport(settings, scanned)
  if (values.json) out(JSON.stringify(report, null, 2))
  else {
    out(`${report.rule.name}: ${report.eventsScanned} events scanned from ${report.source}`)
    if (!report.complete) out(`INCOMPLETE: ${report.missing.join('; ')}`)
    for (const key of report.keys) {
      for (const finding of key.findings) out(`  ${finding.severity.padEnd(6)} ${finding.title}  (${finding.eventId})`)
    }
    out(
      `${report.counts.total} findings (HIGH ${report.counts.high}, MEDIUM ${report.counts.medium}) on ${report.keys.length} keys`
    )
    out(report.gate.reason)
  }
  if (!report.complete) return EXIT.usage
  return report.gate.failed ? EXIT.findings : EXIT.clean
}

export async function main(
  argv: string[],
  out = (line: string) => console.log(line),
  err = (line: string) => console.error(line)
): Promise<number> {
  const [command, ...args] = argv
  const secrets = [process.env.OPENAI_ADMIN_KEY ?? '']
  try {
    switch (command) {
      case 'test':
        return await testCommand(args, out)
      case 'scan':
        return await scanCommand(args, out, err)
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(HELP.main)
        return command === undefined ? EXIT.usage : EXIT.clean
      default:
        throw new UsageError(`Unknown command "${command}": use scan or test (openai-keywatch --help).`)
    }
  } catch (error) {
    // A usage error, an unreadable spec or a window that could not be read: never "clean".
    err(`openai-keywatch: ${errorMessage(error, secrets)}`)
    return EXIT.usage
  }
}
