// The GitHub side of triage, reads and writes only: lists the repository's issues once,
// reads a key's comments only when its issue may lack an event (and the permission of their
// authors, once each, when the plan must weigh their markers), and carries out the steps
// that plan.ts decided. All of it within the phase's budget: a key not reached by its end is
// reported as not written, never waited for.
import { repositoryOf, type Deletion, type KeyFindings, type Listed, type Repository } from '../model/index.js'
import type { IssueAction } from './action.js'
import { gitHubFailure } from '../http/api-error.js'
import { redact } from '../text.js'
import {
  createGitHubClient,
  GitHubPhase,
  isPhaseEnded,
  PhaseEnded,
  type GitHubClient,
  type GitHubTimings
} from './client.js'
import { markerId } from './markers.js'
import type { IssueOptions } from './options.js'
import { hasFindings, keysToTriage, type KeyWork } from './work.js'
import {
  addListedIssue,
  describeStep,
  needsComments,
  needsPermission,
  planIssues,
  recordComment,
  type IssueStep,
  type KnownIssue
} from './plan.js'

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

/** Issues go to another repository than the workflow's: its token needs more than GITHUB_TOKEN. */
function elsewhere(target: IssueTarget): boolean {
  return Boolean(target.workflowRepository) && target.workflowRepository !== target.repository
}

/** What to say of a key the phase ended before: not written, and where its findings are. */
function notWritten(reason: string): string {
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

function failure(error: unknown, target: IssueTarget): string {
  if (isPhaseEnded(error)) return notWritten(error.message)
  return gitHubFailure(error, secretsOf(target), issueHint(target))
}

/** A line for the log, scrubbed of the secrets: Octokit's warnings and the sync's own notes. */
function say(target: IssueTarget, message: string): void {
  target.log?.(redact(message, secretsOf(target)))
}

/**
 * `work`, or PhaseEnded as soon as the phase's budget is spent: a request stuck in a retry
 * wait is not waited for. (It fails at once when it runs: the phase's signal is aborted.)
 */
function within<T>(phase: GitHubPhase, work: Promise<T>): Promise<T> {
  work.catch(() => undefined)
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new PhaseEnded(phase.ended ?? 'the GitHub phase ended'))
    if (phase.signal.aborted) return stop()
    phase.signal.addEventListener('abort', stop, { once: true })
    work.then(resolve, reject).finally(() => phase.signal.removeEventListener('abort', stop))
  })
}

/** Every issue of ours with the label, by key (markerId), as the plan picks them. */
async function listIssues(
  client: GitHubClient,
  owner: string,
  repo: string,
  label: string
): Promise<Map<string, KnownIssue>> {
  const issues = new Map<string, KnownIssue>()
  const pages = client.paginate.iterator(client.rest.issues.listForRepo, {
    owner,
    repo,
    labels: label,
    state: 'all',
    per_page: 100
  })
  for await (const page of pages) {
    for (const item of page.data) {
      addListedIssue(issues, {
        number: item.number,
        url: item.html_url,
        state: item.state === 'closed' ? 'closed' : 'open',
        labels: item.labels.flatMap((label) => (typeof label === 'string' ? [label] : label.name ? [label.name] : [])),
        body: item.body,
        author: item.user?.login,
        pullRequest: Boolean(item.pull_request)
      })
    }
  }
  return issues
}

/** The permission the repository grants each person, read once per run: login -> admin, write, read or none. */
type Permissions = Map<string, Promise<string>>

/**
 * The permission `login` has on the repository (GET .../collaborators/{username}/permission),
 * once per run. A person GitHub does not know there, or a permission that cannot be read, is
 * "none": their markers count for nothing, which costs at most a comment written again.
 */
function permissionOf(
  client: GitHubClient,
  owner: string,
  repo: string,
  login: string,
  permissions: Permissions
): Promise<string> {
  let permission = permissions.get(login)
  if (!permission) {
    permission = client.rest.repos
      .getCollaboratorPermissionLevel({ owner, repo, username: login })
      .then(({ data }) => data.permission)
      .catch((error: unknown) => {
        if (isPhaseEnded(error)) throw error
        return 'none'
      })
    permissions.set(login, permission)
  }
  return permission
}

/** Reads an issue's comments, and the permission of those whose markers the plan would weigh; the plan decides. */
async function readComments(
  client: GitHubClient,
  owner: string,
  repo: string,
  issue: KnownIssue,
  permissions: Permissions
): Promise<void> {
  const pages = client.paginate.iterator(client.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issue.number,
    per_page: 100
  })
  for await (const page of pages) {
    for (const item of page.data) {
      const comment = { login: item.user?.login, association: item.author_association, body: item.body }
      const permission = needsPermission(issue, comment)
        ? await permissionOf(client, owner, repo, comment.login!, permissions)
        : undefined
      recordComment(issue, { ...comment, permission })
    }
  }
}

/** GitHub refused the assignees of a new issue (422, field assignees): a user who cannot be assigned in the repository. */
function refusedAssignees(error: unknown): boolean {
  const { status, response } = error as { status?: unknown; response?: { data?: { errors?: unknown } } }
  const errors = response?.data?.errors
  return (
    status === 422 &&
    Array.isArray(errors) &&
    errors.some((entry) => /^assignees?$/.test(String((entry as { field?: unknown }).field)))
  )
}

/**
 * A key whose issue could not be written: `failed`, which fails the run, for a key with
 * findings; `not-noted`, a warning, for a key only deleted (its deletion was to be noted on
 * an issue that needs nothing else).
 */
function unwritten(key: KeyWork, detail: string, issue?: { number?: number; url?: string }): IssueAction {
  return {
    keyId: key.keyId,
    action: hasFindings(key) ? 'failed' : 'not-noted',
    ...(issue?.number !== undefined ? { issueNumber: issue.number } : {}),
    ...(issue?.url !== undefined ? { url: issue.url } : {}),
    detail
  }
}

async function carryOut(
  client: GitHubClient,
  phase: GitHubPhase,
  owner: string,
  repo: string,
  step: IssueStep,
  key: KeyWork,
  options: IssueOptions,
  target: IssueTarget
): Promise<IssueAction | undefined> {
  const done = describeStep(step, false)
  let issueNumber: number | undefined
  // Every request within the phase's budget.
  const write = <T>(work: Promise<T>): Promise<T> => within(phase, work)
  try {
    if (phase.ended && (step.kind === 'create' || step.kind === 'update')) throw new PhaseEnded(phase.ended)
    if (step.kind === 'create') {
      const create = (assignees: readonly string[]) =>
        client.rest.issues.create({
          owner,
          repo,
          title: step.issue.title,
          body: step.issue.body,
          labels: step.issue.labels,
          ...(assignees.length > 0 ? { assignees: [...assignees] } : {}),
          // Not retried: a create that timed out may have happened, and a retry would open a
          // second issue. The next run finds it by its marker, or creates it then.
          request: { retries: 0 }
        })
      let data: Awaited<ReturnType<typeof create>>['data']
      try {
        ;({ data } = await write(create(options.assignees ?? [])))
      } catch (error) {
        // A user who cannot be assigned here fails the whole request (422), and nothing was
        // created: the issue is filed unassigned, and the run says why.
        if (!refusedAssignees(error)) throw error
        ;({ data } = await write(create([])))
        const why =
          `not assigned: GitHub refused the assignees (${failure(error, target)}); check that each of ` +
          `${options.assignees!.join(', ')} may be assigned issues in ${target.repository}`
        if (done) done.detail = `${done.detail}; ${why}`
        say(target, `Issue for key ${step.keyId} filed, ${why}`)
      }
      issueNumber = data.number
      if (done) Object.assign(done, { issueNumber: data.number, url: data.html_url })
      for (const body of step.issue.more)
        await write(
          client.rest.issues.createComment({
            owner,
            repo,
            issue_number: data.number,
            body,
            request: { retries: 0 }
          })
        )
      // The key is already deleted (close-when-revoked). Closed before the closing comment, as
      // on updates: a comment whose close then failed would keep every later run from closing it.
      if (step.close) {
        await write(
          client.rest.issues.update({
            owner,
            repo,
            issue_number: data.number,
            state: 'closed',
            state_reason: 'completed'
          })
        )
        await write(
          client.rest.issues.createComment({
            owner,
            repo,
            issue_number: data.number,
            body: step.close,
            request: { retries: 0 }
          })
        )
      }
    } else if (step.kind === 'update') {
      issueNumber = step.number
      // The comment records the events, so it comes last: if anything before it fails,
      // the next run sees the events as new and tries again. A close comes first too: its
      // comment's marker stops later runs from closing the issue again.
      if (step.patch) await write(client.rest.issues.update({ owner, repo, issue_number: step.number, ...step.patch }))
      for (const body of step.comments)
        await write(
          client.rest.issues.createComment({
            owner,
            repo,
            issue_number: step.number,
            body,
            request: { retries: 0 }
          })
        )
    }
    return done
  } catch (error) {
    return unwritten(key, failure(error, target), { number: issueNumber, url: done?.url })
  }
}

/**
 * Opens or updates one issue per key. Makes no request when there is nothing to say;
 * lists the labelled issues once; reads a key's comments only when its issue body does
 * not already record every event of the window. In a dry run it reads but never writes.
 */
export async function syncIssues(
  keys: readonly KeyFindings[],
  deletions: Listed<Deletion>,
  options: IssueOptions,
  target: IssueTarget
): Promise<IssueAction[]> {
  const work = keysToTriage(keys, deletions)
  if (work.length === 0) return []
  const failAll = (detail: string): IssueAction[] => work.map((key) => unwritten(key, detail))
  const phase = new GitHubPhase(target.budget?.ms, target.budget?.words)
  try {
    return await triage(work, options, target, phase, failAll)
  } finally {
    phase.close()
  }
}

async function triage(
  work: ReturnType<typeof keysToTriage>,
  options: IssueOptions,
  target: IssueTarget,
  phase: GitHubPhase,
  failAll: (detail: string) => IssueAction[]
): Promise<IssueAction[]> {
  let client: GitHubClient
  let owner: string
  let repo: string
  try {
    if (!target.token) {
      throw new GitHubError(
        'The GitHub token is empty: give the action github-token (the default ${{ github.token }} with ' +
          '"permissions: issues: write") or the CLI GITHUB_TOKEN, or set create-issues: false.'
      )
    }
    ;({ owner, repo } = parseRepository(target.repository))
    client = createGitHubClient({
      token: target.token,
      baseUrl: target.apiUrl,
      timings: target.timings,
      log: (message) => say(target, message),
      fetch: target.fetch,
      phase
    })
  } catch (error) {
    return failAll(failure(error, target))
  }

  let issues: Map<string, KnownIssue>
  try {
    issues = await within(phase, listIssues(client, owner, repo, options.label))
  } catch (error) {
    // Without the list no key can be told apart from a new one: writing now would duplicate.
    if (isPhaseEnded(error)) return failAll(failure(error, target))
    return failAll(`Could not list the issues labelled ${options.label}: ${failure(error, target)}`)
  }

  // Read everything first, then plan, then write: the plan is pure and tested as such.
  const failed = new Map<string, IssueAction>()
  const permissions: Permissions = new Map()
  for (const key of work) {
    const issue = issues.get(markerId(key.keyId))
    if (!issue || !needsComments(key, issue, options)) continue
    try {
      if (phase.ended) throw new PhaseEnded(phase.ended)
      await within(phase, readComments(client, owner, repo, issue, permissions))
    } catch (error) {
      const detail = failure(error, target)
      failed.set(
        key.keyId,
        unwritten(
          key,
          isPhaseEnded(error) ? detail : `Could not read the comments of #${issue.number}: ${detail}`,
          issue
        )
      )
    }
  }
  const steps = planIssues(
    work.filter((key) => !failed.has(key.keyId)),
    issues,
    options
  )
  const actions = new Map(failed)
  const byKey = new Map(work.map((key) => [key.keyId, key]))
  for (const step of steps) {
    const action = options.dryRun
      ? describeStep(step, true)
      : await carryOut(client, phase, owner, repo, step, byKey.get(step.keyId)!, options, target)
    if (action) actions.set(step.keyId, action)
  }
  // In the order of the keys: highest severity first, as in the summary.
  return work.flatMap((key) => actions.get(key.keyId) ?? [])
}
