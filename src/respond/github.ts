// The GitHub side of a revocation: the issue as it is now (not as the event's payload had
// it), the permission of the person who added the label, read at that moment
// (GET /repos/{owner}/{repo}/collaborators/{username}/permission: `permission` is admin,
// write, read or none, maintain shown as write and triage as read), one comment, and the
// label swapped and the issue closed. Reads and writes only; checks.ts decides.
import { gitHubFailure } from '../http/api-error.js'
import {
  createGitHubClient,
  GitHubPhase,
  untilPhaseEnds,
  type GitHubClient,
  type GitHubTimings
} from '../github/client.js'
import { REVOKED_LABEL, repositoryOf, type Repository } from '../model/index.js'
import type { IssueNow, PermissionSeen } from './checks.js'

export interface GitHubOptions {
  token: string
  apiUrl: string
  /** owner/name: where the issue is. */
  repository: string
  timings?: Partial<GitHubTimings>
  log?: (message: string) => void
  fetch?: typeof globalThis.fetch
  /** Secrets besides the token to scrub from every message (the admin key). */
  secrets?: readonly string[]
  /** How long all of GitHub's part may take, and the same in the user's words. */
  budget?: { ms: number; words: string }
}

export class IssueDesk {
  private readonly client: GitHubClient
  private readonly phase: GitHubPhase
  private readonly where: Repository
  private readonly secrets: string[]

  constructor(options: GitHubOptions) {
    const where = repositoryOf(options.repository)
    if (!where) throw new Error(`The repository is "${options.repository}": the revocation needs owner/name.`)
    if (!options.token)
      throw new Error('The GitHub token is empty: give the action github-token (the default ${{ github.token }}).')
    this.where = where
    this.secrets = [options.token, ...(options.secrets ?? [])]
    this.phase = new GitHubPhase(options.budget?.ms, options.budget?.words)
    this.client = createGitHubClient({
      token: options.token,
      baseUrl: options.apiUrl,
      timings: options.timings,
      log: options.log,
      fetch: options.fetch,
      phase: this.phase
    })
  }

  close(): void {
    this.phase.close()
  }

  /** A GitHub request that failed, in words, scrubbed of the secrets. */
  failure(error: unknown): string {
    return gitHubFailure(error, this.secrets, (status) =>
      status === 403 || status === 404 ? ' Check that the workflow has "permissions: issues: write".' : ''
    )
  }

  private run<T>(request: Promise<T>): Promise<T> {
    return untilPhaseEnds(this.phase, request)
  }

  async issue(number: number): Promise<IssueNow> {
    const { data } = await this.run(this.client.rest.issues.get({ ...this.where, issue_number: number }))
    return {
      number: data.number,
      labels: data.labels.flatMap((label) => (typeof label === 'string' ? [label] : label.name ? [label.name] : [])),
      body: data.body ?? '',
      author: data.user ? { login: data.user.login, type: data.user.type } : undefined,
      pullRequest: Boolean(data.pull_request)
    }
  }

  /** The person's permission now; GitHub's refusal (404 for a non-collaborator) in words. */
  async permission(login: string): Promise<PermissionSeen> {
    try {
      const { data } = await this.run(
        this.client.rest.repos.getCollaboratorPermissionLevel({ ...this.where, username: login })
      )
      return { permission: data.permission, role: data.role_name }
    } catch (error) {
      return { refused: this.failure(error) }
    }
  }

  /** One comment; never retried (one that timed out may have been written). */
  async comment(number: number, body: string): Promise<void> {
    await this.run(
      this.client.rest.issues.createComment({ ...this.where, issue_number: number, body, request: { retries: 0 } })
    )
  }

  /** The revoke label off (already gone is fine), keywatch:revoked on, and the issue closed as completed. */
  async settle(number: number, revokeLabel: string): Promise<void> {
    try {
      await this.run(this.client.rest.issues.removeLabel({ ...this.where, issue_number: number, name: revokeLabel }))
    } catch (error) {
      if ((error as { status?: unknown }).status !== 404) throw error
    }
    await this.run(this.client.rest.issues.addLabels({ ...this.where, issue_number: number, labels: [REVOKED_LABEL] }))
    await this.run(
      this.client.rest.issues.update({
        ...this.where,
        issue_number: number,
        state: 'closed',
        state_reason: 'completed'
      })
    )
  }
}
