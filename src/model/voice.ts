// How the one who runs openai-keywatch names what a user can change: the action by its
// inputs, the CLI by its options and environment variables. Every stage that tells a user
// what to do takes a Voice, so that a message speaks the caller's language (settings/ makes
// the two: inputs.ts the action's, cli.ts the CLI's).

export interface Voice {
  /** An input by the caller's name for it ("lookback", "--lookback"); undefined when the caller has none. */
  input: (name: string) => string | undefined
  /** An input set to a value, as the caller writes it: "enrich-keys: false", "--enrich-keys false". */
  set: (name: string, value: string) => string
  /** Where the admin key comes from, and what to pass it in ("openai-admin-key from a secret", "OPENAI_ADMIN_KEY"). */
  adminKey: { name: string; passIn: string }
  /** Where the GitHub token comes from ("github-token", "GITHUB_TOKEN"), and what the default one may do. */
  token: { name: string; permission: string }
  /** How the repository of the issues is given: "the input repository", "--repo". */
  repository: string
  /** How to write no issues at all: "set create-issues: false", "leave out --repo". */
  noIssues: string
  /** Where a run's output shows a section ("Issues", "Skipped records"): "the job summary", "the Issues section of the output". */
  shown: (section: string) => string
}

/** The action's words, the default: its inputs, as a workflow's `with:` sets them. */
export const ACTION_VOICE: Voice = {
  input: (name) => name,
  set: (name, value) => `${name}: ${value}`,
  adminKey: { name: 'openai-admin-key', passIn: 'openai-admin-key from a secret' },
  token: {
    name: 'github-token',
    permission: 'the default ${{ github.token }} with "permissions: issues: write" in the workflow'
  },
  repository: 'the input repository',
  noIssues: 'set create-issues: false',
  shown: () => 'the job summary'
}

/** An input by the caller's name, or the input's own name when the caller has none (a message must name something). */
export function named(voice: Voice, input: string): string {
  return voice.input(input) ?? input
}
