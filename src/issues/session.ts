// One run's GitHub side, as the reads and the writes share it: where issues go, the client,
// the phase's budget, and the words for what goes wrong, scrubbed of the secrets.
import { gitHubFailure } from '../http/api-error.js'
import { ACTION_VOICE, repositoryOf, type Repository, type Voice } from '../model/index.js'
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
  /** The caller's words for the token, the repository and turning issues off; the action's by default. */
  voice?: Voice
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
    const voice = target.voice ?? ACTION_VOICE
    throw new GitHubError(
      `The GitHub token (${voice.token.name}) is empty: give it ${voice.token.permission}, or ${voice.noIssues}.`
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

/**
 * GitHub's status when it refused what every later request needs too: the token (401), its
 * permission or the repository (403, 404), the repository's issues (410). A 403 of a rate
 * limit is none: the throttling's, with a retry-after or an exhausted limit.
 */
function refusedStatus(error: unknown, phase: GitHubPhase): 401 | 403 | 404 | 410 | undefined {
  const { status, message, response } = error as {
    status?: unknown
    message?: unknown
    response?: { headers?: Record<string, unknown> }
  }
  if (status !== 401 && status !== 403 && status !== 404 && status !== 410) return undefined
  const headers = response?.headers ?? {}
  const limited =
    phase.ended !== undefined ||
    headers['retry-after'] !== undefined ||
    String(headers['x-ratelimit-remaining']) === '0' ||
    /rate limit/i.test(String(message))
  return status === 403 && limited ? undefined : status
}

/** What to fix when GitHub refused (refusedStatus): the token, its permission, the repository's name, its Issues setting. */
function refusalAdvice(status: 401 | 403 | 404 | 410, target: IssueTarget): string {
  const voice = target.voice ?? ACTION_VOICE
  const { repository } = target
  const token = voice.token.name
  const other = elsewhere(target)
    ? ` The workflow's GITHUB_TOKEN reaches only ${target.workflowRepository}: for ${repository}, give ${token} a ` +
      'fine-grained personal access token or a GitHub App token with Issues: Read and write on it.'
    : ''
  if (status === 401)
    return ` ${token} is not a valid token (mistyped, expired or revoked): give it a working one, or ${voice.noIssues}.`
  if (status === 410)
    return ` Issues are switched off in ${repository}: switch them on (the repository's Settings > General > Features > Issues), or ${voice.noIssues}.`
  if (status === 404) {
    return (
      ` ${repository} does not exist, or the token cannot see it: check the name (${voice.repository}).` +
      (other || ` If the name is right, give ${token} access to ${repository} with Issues: Read and write.`)
    )
  }
  const fix =
    other ||
    ` The token may not write issues in ${repository}: give it Issues: Read and write (${voice.token.permission}).`
  return `${fix} Or ${voice.noIssues}.`
}

/** What to do about another failure of an issue's request: a rate limit passes. */
function issueHint(status: number, message: string): string {
  return /rate limit/i.test(message)
    ? ' GitHub limits how fast issues are written; the next run goes on where this one stopped.'
    : ''
}

/**
 * A request for the issues that failed, in words: the phase's end, what GitHub said and what
 * to do. A refusal every later request would meet too (refusedStatus) stops the phase: its
 * words are said for every key not written, and nothing more is asked of GitHub.
 */
export function failure(error: unknown, session: Pick<GitHubSession, 'target' | 'phase'>): string {
  const { target, phase } = session
  if (isPhaseEnded(error)) return stopped(phase)
  const status = refusedStatus(error, phase)
  if (status === undefined) return gitHubFailure(error, secretsOf(target), issueHint)
  const detail =
    `${gitHubFailure(error, secretsOf(target))}${refusalAdvice(status, target)} ` +
    'The GitHub phase stopped there: no other request was made, and the findings are reported all the same.'
  phase.refuse(detail)
  return stopped(phase)
}

/** What a key gets once the phase has ended before it: the refusal that stopped it, or its end (the budget, rate limits). */
export function stopped(phase: GitHubPhase): string {
  return phase.refusal ?? notWritten(phase.ended ?? 'the GitHub phase ended')
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
