// The CLI's environment: its options are the action's inputs; the keys come from the
// environment (OPENAI_ADMIN_KEY, GITHUB_TOKEN), standard input may hold the export, and the
// terminal says whether to colour.
import { readSettings } from './inputs.js'
import { SettingsError, type Caller, type InputName, type Settings } from './settings.js'

/** The CLI: secrets come from variables, named as such; standard input may hold the export. */
const CLI: Caller = {
  variables: { 'openai-admin-key': 'OPENAI_ADMIN_KEY', 'github-token': 'GITHUB_TOKEN' },
  stdin: true
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
