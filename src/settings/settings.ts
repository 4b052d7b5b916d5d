// What the settings are: every input, from the action or the CLI, and every variable of the
// environment, read once into one typed, validated Settings (inputs.ts, cli.ts, github.ts;
// the window against the clock, window.ts). Nothing else reads inputs or the environment.
// The defaults are those of action.yml (a test keeps the two equal): the runner fills them
// in for the action, inputs.ts for the CLI.
import { ACTION_VOICE, type FailOn, type ProxySettings, type Voice } from '../model/index.js'
import { DEFAULT_RULE_OPTIONS } from '../rules/api-key-anomalous-activity.js'
import type { GitHubEnvironment } from './github.js'

export const DEFAULTS = {
  'openai-base-url': 'https://api.openai.com/v1',
  lookback: '24h',
  since: '',
  until: '',
  'project-ids': '',
  'enrich-keys': 'true',
  'fail-on': 'high',
  'create-issues': 'true',
  repository: '',
  label: 'openai-keywatch',
  'max-issues': '25',
  assignees: '',
  'dry-run': 'false',
  'allow-actors': '',
  'audit-log-file': '',
  'reopen-closed': 'true',
  'close-when-revoked': 'false',
  'elevated-scopes': DEFAULT_RULE_OPTIONS.elevatedScopes.join(', '),
  'high-scopes': DEFAULT_RULE_OPTIONS.highScopes.join(', '),
  'github-budget': '10m',
  'revoke-label': 'keywatch:revoke',
  ledger: 'true',
  'max-catch-up': '7d',
  history: '14d',
  'escalate-signals': '2'
} as const

export type InputName = keyof typeof DEFAULTS | 'openai-admin-key' | 'github-token'

/** The inputs that hold secrets: never quoted, and named as each caller names them. */
export type SecretName = 'openai-admin-key' | 'github-token'

/** The inputs other than the secrets, as given (or defaulted). */
export type InputWords = Readonly<Record<Exclude<InputName, SecretName>, string>>

export interface Settings {
  openaiAdminKey: string
  openaiBaseUrl: string
  /** Seconds looked back from now when `since` is not given (API source only). */
  lookbackSeconds: number
  since?: number
  until?: number
  projectIds: string[]
  /** Look up each key with findings in the Admin API (owner, last use, whether it still exists). */
  enrichKeys: boolean
  failOn: FailOn
  githubToken: string
  createIssues: boolean
  label: string
  maxIssues: number
  /** GitHub users new issues are assigned to. */
  assignees: string[]
  dryRun: boolean
  allowActors: string[]
  auditLogFile?: string
  reopenClosed: boolean
  /** Close a key's issue once its deletion is in the window (nothing else closes one). */
  closeWhenRevoked: boolean
  /** Elevated scope patterns, `high-scopes` included: a HIGH scope is elevated by definition. */
  elevatedScopes: string[]
  highScopes: string[]
  /** Seconds the GitHub phase (issues) may take in all; keys not reached by then are reported as not written. */
  githubBudgetSeconds: number
  /**
   * The label a person adds to a key's issue to have the key revoked (only in a run started
   * by that label event: see respond/).
   */
  revokeLabel: string
  /** Keep the coverage ledger in a status issue (API mode): scheduled runs read what earlier runs missed. */
  ledger: boolean
  /** Seconds a scheduled run reaches back at most to read what was missed; older gaps are reported. */
  maxCatchUpSeconds: number
  /**
   * Seconds of each flagged identity's audit-log history read before its findings, for the
   * signals; 0: off. From the Admin API, or from the export itself when one is scanned.
   */
  historySeconds: number
  /** A finding with at least this many signals goes up one severity level; 0: never. */
  escalateSignals: number
  /** Where issues go and the run they link to, from the runner's environment. */
  github: GitHubEnvironment
  /** RUNNER_TEMP in a workflow, else the system's temporary directory. */
  tempDir: string
  /** The proxy both the Admin API and GitHub are reached through, if any. */
  proxy: ProxySettings
  /** Every input but the secrets as it was given (or defaulted): the words messages quote. */
  words: InputWords
  /** How the caller names the inputs, the secrets and the modes: the words of every message that says what to do. */
  voice: Voice
  /**
   * What the settings do that the user may not expect, in the caller's words (advice.ts): a
   * fail-on no finding can reach, an input given that does nothing in the chosen mode.
   */
  warnings: string[]
}

/**
 * A bad input. The message names the inputs and the forms they accept; the CLI names them
 * as its options instead (`namedAs`).
 */
export class SettingsError extends Error {
  override name = 'SettingsError'

  constructor(
    readonly inputs: readonly InputName[],
    private readonly words: (...names: string[]) => string
  ) {
    super(inputs.length === 0 ? words() : `${inputs.length > 1 ? 'Inputs' : 'Input'} ${words(...inputs)}`)
  }

  /** The message with the inputs called `noun` and named by `name`: "Option --since". */
  namedAs(noun: string, name: (input: InputName) => string): string {
    if (this.inputs.length === 0) return this.message
    return `${noun}${this.inputs.length > 1 ? 's' : ''} ${this.words(...this.inputs.map(name))}`
  }
}

/**
 * Who reads the settings: how it names the secrets in its messages, and whether it has a
 * standard input for audit-log-file "-".
 */
export interface Caller {
  /** The variable each secret comes from (the CLI's OPENAI_ADMIN_KEY and GITHUB_TOKEN); none: the action's inputs. */
  variables?: Readonly<Record<SecretName, string>>
  /** audit-log-file "-" is the caller's standard input (the CLI); the action has none. */
  stdin?: boolean
  /** How the caller names what a user can change, in every message. */
  voice: Voice
  /**
   * The runner fills in action.yml's defaults, so an input given its default value cannot be
   * told from one not given; the CLI knows which options were passed.
   */
  defaultsFilled: boolean
}

/** The action: secrets are inputs, named as such; no standard input. */
export const ACTION: Caller = { voice: ACTION_VOICE, defaultsFilled: true }

/** An error about a secret, in the caller's words: "Input openai-admin-key ...", or "OPENAI_ADMIN_KEY ...". */
export function secretError(caller: Caller, name: SecretName, words: (name: string) => string): SettingsError {
  const variable = caller.variables?.[name]
  return variable ? new SettingsError([], () => words(variable)) : new SettingsError([name], words)
}
