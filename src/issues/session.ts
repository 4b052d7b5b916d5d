// One run's GitHub side, as the reads and the writes share it: where issues go, the client,
// the phase's budget, and the words for what goes wrong, scrubbed of the secrets.
import { gitHubFailure } from '../http/api-error.js'
import { repositoryOf, type Repository } from '../model/index.js'
import { redact } from '../text.js'
import type { IssueAction } from './action.js'
import {
  createGitHubClient,
  isPhaseEnded,
  type GitHubClient,
  type GitHubPhase,
  type GitHubTimings
} from '../github/client.js'
import { hasFindings, type KeyWork } from './work.js'

/** Where issues go and how to reach it. */
export interface IssueTarget {
  token: string
  /** GITHUB_API_URL. */
  apiUrl: string
  /** owner/name. */
  repository: string
  /** The workflow's own repository (GITHUB_REPOSITORY), to say what a token for another one needs. */
  workflowRepository?: string
  timings?: Partial<GitHubTimings>
  log?: (message: string) => void
  /** Secrets besides the token to scrub from every message (the admin key). */
  secrets?: readonly string[]
  /** The fetch to send requests with (through a proxy); the runtime's by default. */
  fetch?: typeof globalThis.fetch
  /** How long the whole GitHub phase may take, and the same in the user's words ("github-budget: 10m"). */
  budget?: { ms: number; words: string }
}

/** The client of one run, the repository it writes in, and the phase it works in. */
export interface GitHubSession extends Repository {
  client: GitHubClient
  phase: GitHubPhase
  target: IssueTarget
}

/** A GitHub failure a user can do something about, without the token. */
export class GitHubError extends Error {
  override name = 'GitHubError'
}

export function parseRepository(value: string): Repository {
  const repository = repositoryOf(value.trim())
  if (!repository) {
    throw new GitHubError(
      `The repository is "${value}": use owner/name (the input repository or GITHUB_REPOSITORY in a workflow, --repo for the CLI).`
    )
  }
  return repository
}

/** The session for `target`, in `phase`: a token and a repository are needed (a GitHubError says which is wrong). */
export function openSession(target: IssueTarget, phase: GitHubPhase): GitHubSession {
  if (!target.token) {
    throw new GitHubError(
      'The GitHub token is empty: give the action github-token (the default ${{ github.token }} with ' +
        '"permissions: issues: write") or the CLI GITHUB_TOKEN, or set create-issues: false.'
    )
  }
  const { owner, repo } = parseRepository(target.repository)
  const client = createGitHubClient({
    token: target.token,
    baseUrl: target.apiUrl,
    timings: target.timings,
    log: (message) => say(target, message),
    fetch: target.fetch,
    phase
  })
  return { client, owner, repo, phase, target }
}

/** Issues go to another repository than the workflow's: its token needs more than GITHUB_TOKEN. */
function elsewhere(target: IssueTarget): boolean {
  return Boolean(target.workflowRepository) && target.workflowRepository !== target.repository
}

/** What to say of a key the phase ended before: not written, and where its findings are. */
export function notWritten(reason: string): string {
  return `Not written: ${reason}. The findings are in the summary and the JSON report; the next run writes it.`
}

/** The token and the other secrets: scrubbed from everything GitHub or Octokit says. */
function secretsOf(target: IssueTarget): string[] {
  return [target.token, ...(target.secrets ?? [])]
}

/** What to do about GitHub's refusal of an issue's request, from its status and its words. */
function issueHint(target: IssueTarget): (status: number, message: string) => string {
  return (status, message) =>
    status === 401
      ? ' Check github-token.'
      : /rate limit/i.test(message)
        ? ' GitHub limits how fast issues are written; the next run goes on where this one stopped.'
        : (status === 403 || status === 404) && elsewhere(target)
          ? ` The workflow's GITHUB_TOKEN cannot write to another repository (${target.repository}): give ` +
            'github-token a fine-grained personal access token or a GitHub App token with Issues: write on it.'
          : status === 403 || status === 404
            ? ' Check that the token may write issues (permissions: issues: write).'
            : ''
}

/** A request for the issues that failed, in words: the phase's end, or what GitHub said and what to do. */
export function failure(error: unknown, target: IssueTarget): string {
  if (isPhaseEnded(error)) return notWritten(error.message)
  return gitHubFailure(error, secretsOf(target), issueHint(target))
}

/** A line for the log, scrubbed of the secrets: Octokit's warnings and the sync's own notes. */
export function say(target: IssueTarget, message: string): void {
  target.log?.(redact(message, secretsOf(target)))
}

/**
 * A key whose issue could not be written: `failed`, which fails the run, for a key with
 * findings; `not-noted`, a warning, for a key only deleted (its deletion was to be noted on
 * an issue that needs nothing else).
 */
export function unwritten(key: KeyWork, detail: string, issue?: { number?: number; url?: string }): IssueAction {
  return {
    keyId: key.keyId,
    action: hasFindings(key) ? 'failed' : 'not-noted',
    ...(issue?.number !== undefined ? { issueNumber: issue.number } : {}),
    ...(issue?.url !== undefined ? { url: issue.url } : {}),
    detail
  }
}
