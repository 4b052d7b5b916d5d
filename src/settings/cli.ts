// The CLI's environment: its options are the action's inputs; the keys come from the
// environment (OPENAI_ADMIN_KEY, GITHUB_TOKEN), standard input may hold the export, and the
// terminal says whether to colour.
import type { Voice } from '../model/index.js'
import { readSettings } from './inputs.js'
import { SettingsError, type Caller, type InputName, type Settings } from './settings.js'

/** scan's options that are action inputs, option name to input name. */
export const SCAN_FLAGS: Readonly<Record<string, InputName>> = {
  file: 'audit-log-file',
  lookback: 'lookback',
  since: 'since',
  until: 'until',
  'project-ids': 'project-ids',
  'enrich-keys': 'enrich-keys',
  'fail-on': 'fail-on',
  'allow-actors': 'allow-actors',
  'elevated-scopes': 'elevated-scopes',
  'high-scopes': 'high-scopes',
  'base-url': 'openai-base-url',
  label: 'label',
  'max-issues': 'max-issues',
  assignees: 'assignees',
  'reopen-closed': 'reopen-closed',
  'close-when-revoked': 'close-when-revoked',
  'github-budget': 'github-budget',
  ledger: 'ledger',
  'max-catch-up': 'max-catch-up',
  history: 'history',
  'escalate-signals': 'escalate-signals'
}

const FLAG_OF = new Map<string, string>(Object.entries(SCAN_FLAGS).map(([flag, input]) => [input, `--${flag}`]))

/** The CLI's words: its options and its environment variables. */
export const CLI_VOICE: Voice = {
  input: (name) => FLAG_OF.get(name),
  set: (name, value) => `${FLAG_OF.get(name) ?? name} ${value}`,
  adminKey: { name: 'OPENAI_ADMIN_KEY', passIn: 'OPENAI_ADMIN_KEY' },
  token: {
    name: 'GITHUB_TOKEN',
    permission:
      'a token with Issues: Read and write on the repository (a fine-grained personal access token, or gh auth token)'
  },
  repository: '--repo',
  noIssues: 'leave out --repo',
  shown: (section) => `the ${section} section of the output`
}

/** The CLI: secrets come from variables, named as such; standard input may hold the export. */
const CLI: Caller = {
  variables: { 'openai-admin-key': 'OPENAI_ADMIN_KEY', 'github-token': 'GITHUB_TOKEN' },
  stdin: true,
  voice: CLI_VOICE,
  defaultsFilled: false
}

/**
 * The CLI's settings. Its options are the action's inputs; the keys come from the
 * environment (OPENAI_ADMIN_KEY, GITHUB_TOKEN, as the tools around OpenAI and GitHub
 * read them), and issues go to `repository` (--repo), with no workflow run to link to.
 */
export function readCliSettings(
  inputs: ReadonlyMap<InputName, string>,
  env: NodeJS.ProcessEnv,
  repository = '',
  stdin?: { isTTY?: boolean }
): Settings {
  const adminKey = (env.OPENAI_ADMIN_KEY ?? '').trim()
  if (!inputs.has('audit-log-file') && adminKey === '') {
    throw new SettingsError(
      [],
      () =>
        'OPENAI_ADMIN_KEY is not set: export an OpenAI Admin API key (sk-admin-..., read-only or with the ' +
        'Audit Logs scope set to Read) to scan the Admin API, or pass --file to scan an exported audit log.'
    )
  }
  if (repository && (env.GITHUB_TOKEN ?? '').trim() === '') {
    throw new SettingsError(
      [],
      () =>
        `GITHUB_TOKEN is not set: --repo ${repository} reads that repository's issues (and with --write, writes them). ` +
        `Export a token with Issues: Read and write on it (a fine-grained personal access token, or GITHUB_TOKEN=$(gh auth token)), or leave out --repo.`
    )
  }
  const read = (name: InputName): string =>
    name === 'openai-admin-key'
      ? adminKey
      : name === 'github-token'
        ? (env.GITHUB_TOKEN ?? '')
        : (inputs.get(name) ?? '')
  // The CLI answers no workflow event, even when run in a workflow's step.
  const settings = readSettings(read, { ...env, GITHUB_EVENT_NAME: undefined }, CLI)
  if (settings.auditLogFile === '-' && (!stdin || stdin.isTTY)) {
    throw new SettingsError(
      [],
      () =>
        '--file - reads the export from standard input, which is a terminal here: pipe it in, e.g. gunzip -c export.jsonl.gz | openai-keywatch scan --file -'
    )
  }
  return { ...settings, github: { apiUrl: settings.github.apiUrl, repository, stepSummary: false } }
}

/** The secrets a CLI run may hold, to scrub from what it prints. */
export function cliSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env.OPENAI_ADMIN_KEY ?? '', env.GITHUB_TOKEN ?? '']
}

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function cliColor(env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  return terminal && !env.NO_COLOR
}
