// The CLI's words: its help, its options (the action's inputs under the same names) and
// the parsing of them, with errors that say what was wrong and where to look.
import { join } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CLI_VOICE } from '../settings/cli.js'
import type { SettingsError } from '../settings/settings.js'

export const EXIT = { clean: 0, findings: 1, usage: 2 } as const

export const SPEC_FILE = join('rules', 'openai_api_key_anomalous_activity.yml')
export const SAMPLE_FILE = join('examples', 'audit-log.sample.jsonl')

const EXIT_CODES = `Exit codes:
  0  clean: no finding at or above --fail-on
  1  findings at or above --fail-on (test: a spec test failed)
  2  usage error, or the window could not be read completely (never reported clean)`

export const HELP = {
  main: `Usage: openai-keywatch <command> [options]

Watches OpenAI organization audit logs for API keys created or updated with
elevated scopes (rule OpenAI.API.Key.Anomalous.Activity).

Commands:
  scan       scan the Admin API's audit logs (OPENAI_ADMIN_KEY) or an exported file
  demo       scan the bundled sample audit log and show what the action would do
  test       run a Panther-format rule spec's tests against the rule
  revoke     revoke one key through the Admin API (OPENAI_ADMIN_KEY), after asking

Run "openai-keywatch <command> --help" for a command's options, and
"openai-keywatch --version" for the version.

${EXIT_CODES}`,
  test: `Usage: openai-keywatch test [spec.yml | directory ...]

Runs every test of each Panther-format spec against the rule and prints, per
test, PASS or FAIL with the severity and title, then "N passed, M failed".
A directory stands for the .yml and .yaml specs in it. Without a file, runs
the bundled ${SPEC_FILE}.

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
  revoke: `Usage: openai-keywatch revoke --key ID [--project ID] [options]

Revokes (deletes) one OpenAI API key through the Admin API, with the key in the
environment variable OPENAI_ADMIN_KEY: an admin key that may delete API keys,
kept apart from the read-only scan key. Where the key is comes from OpenAI,
never from a guess: its own audit-log events say (a project key is then looked
up in the projects they name, an admin key among the admin keys), or --project
names its project, and OpenAI must hold the key there. It shows the key as
OpenAI describes it and asks before it deletes anything.

Options:
  --key ID                 the key's id (key_...), as its issue names it
  --project ID             the project the key is in; checked with OpenAI first
  --yes                    revoke without asking (needed when standard input is
                           not a terminal)
  --dry-run                only say what would be revoked
  --base-url URL           Admin API base URL (default https://api.openai.com/v1)
  -h, --help               this help

Exit codes:
  0  revoked, already gone, or a dry run
  1  not revoked: OpenAI did not confirm where the key is, the answer was not
     yes, or the Admin API refused or failed the delete
  2  usage error`,
  scan: `Usage: openai-keywatch scan [options]

Scans an audit-log window and prints the findings by key and the verdict.
Reads the OpenAI Admin API with the key in the environment variable
OPENAI_ADMIN_KEY (read-only, or the Audit Logs scope with Read, and API keys
Read to look up the keys with findings), or an export with --file. Writes
nothing to GitHub unless --repo and --write are given.

Each option is the action input of the same name (see action.yml):
  --file PATH              exported audit log: JSONL, JSON array or saved list
                           response, optionally gzip-compressed (audit-log-file);
                           - reads it from standard input
  --lookback DURATION      window ending now, API only (default 24h): 90m, 24h, 7d
  --since TIME             window start (inclusive): ISO 8601 or Unix seconds
  --until TIME             window end (exclusive); default now
  --project-ids LIST       only the key events of these OpenAI projects (commas,
                           spaces or newlines, as every LIST)
                           (admin API key events are the organization's: always read)
  --enrich-keys BOOL       look up each key with findings in the Admin API (owner,
                           last use, whether it still exists; at most 50 a run;
                           default true, API only)
  --fail-on LEVEL          critical, high (default), medium, low, info or none
  --allow-actors LIST      emails, user ids or service-account ids to suppress
  --elevated-scopes LIST   scope patterns that make a finding, * for any characters
                           (default: all, models:write, organization:write,
                           api_keys:write, admin, api.management.write,
                           api.organization.*.write, api.fine_tuning.jobs.write);
                           all also matches a key with no scopes recorded, admin
                           an admin API key
  --high-scopes LIST       elevated scopes that make it HIGH
                           (default: all, admin, api.management.write)
  --base-url URL           Admin API base URL (openai-base-url;
                           default https://api.openai.com/v1)
  --label NAME             label of the issues (default openai-keywatch)
  --max-issues N           at most N new issues per run (default 25)
  --reopen-closed BOOL     reopen a key's closed issue on new findings (default true)
  --close-when-revoked BOOL
                           close a key's issue once its deletion is in the window;
                           nothing else closes one (default false)
  --github-budget DURATION how long the GitHub phase may take in all (default 10m)
  --ledger BOOL            with --repo, keep the coverage ledger in its status issue:
                           read it (the window reaches back to what earlier runs
                           missed), and with --write add this window (default true)
  --max-catch-up DURATION  how far back the ledger reaches at most (default 7d)
  --history DURATION       how far back each flagged identity's audit-log history is
                           read for the signals (default 14d; 0 for off): from the
                           Admin API, or from the export itself with --file
  --escalate-signals N     a finding with at least N signals goes up one level,
                           MEDIUM to HIGH, HIGH to CRITICAL (default 2; 0 for off)

Issues (GitHub):
  --repo OWNER/NAME        triage in this repository's issues, one per key (token in
                           GITHUB_TOKEN, API URL in GITHUB_API_URL); a dry run that
                           only reads and prints what it would do, unless --write
  --write                  with --repo, open and update the issues for real
  --assignees LIST         assign new issues to these GitHub users (at most 10)

Output:
  --json                   print the JSON report on stdout instead of the text
  --summary FILE           also write the Markdown job summary to FILE
  -h, --help               this help

Examples:
  OPENAI_ADMIN_KEY=sk-admin-... openai-keywatch scan --lookback 7d
  openai-keywatch scan --since 2026-10-01 --until 2026-11-01 --json > october.json
  openai-keywatch scan --file export.jsonl.gz --fail-on medium --summary summary.md
  aws s3 cp s3://logs/openai/audit.jsonl - | openai-keywatch scan --file -

${EXIT_CODES}`
}

/** A mistake on the command line: exit 2 with this message. */
export class UsageError extends Error {}

/** parseArgs with its errors turned into one line that says what was wrong and where to look. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
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

/** A settings error in the CLI's words: its options, where the action would name its inputs. */
export function usageError(error: SettingsError): UsageError {
  const flag = CLI_VOICE.input
  const named = error.inputs.every((input) => flag(input) !== undefined)
  return new UsageError(named ? error.namedAs('Option', (input) => flag(input)!) : error.message)
}
