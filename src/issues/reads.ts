// What the sync reads from GitHub before the plan decides: the repository's labelled issues,
// once, and an issue's comments with the permission of the people whose markers the plan
// would weigh, once each. Reads only; the plan (plan.ts) decides what they mean.
import { isPhaseEnded } from '../github/client.js'
import { addListedIssue, needsPermission, recordComment, type KnownIssue } from './plan.js'
import type { GitHubSession } from './session.js'

/** Every issue of ours with the label, by key (markerId), as the plan picks them. */
export async function listIssues(session: GitHubSession, label: string): Promise<Map<string, KnownIssue>> {
  const { client, owner, repo } = session
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
export type Permissions = Map<string, Promise<string>>

/**
 * The permission `login` has on the repository (GET .../collaborators/{username}/permission),
 * once per run. A person GitHub does not know there, or a permission that cannot be read, is
 * "none": their markers count for nothing, which costs at most a comment written again.
 */
function permissionOf(session: GitHubSession, login: string, permissions: Permissions): Promise<string> {
  const { client, owner, repo } = session
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
export async function readComments(session: GitHubSession, issue: KnownIssue, permissions: Permissions): Promise<void> {
  const { client, owner, repo } = session
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
        ? await permissionOf(session, comment.login!, permissions)
        : undefined
      recordComment(issue, { ...comment, permission })
    }
  }
}
