// The GitHub writer, in steps: open a key's issue, update one, comment on one. Each request
// is made within the phase's budget, and each step returns what it did as a fresh
// IssueAction, or what it could not do (unwritten). A create and a comment are never
// retried: one that timed out may have happened, and a retry would write it twice (the next
// run finds it by its marker, or writes it then).
import type { IssueAction } from './action.js'
import { describeStep, type CreateStep, type IssuePatch, type UpdateStep } from './plan.js'
import type { RenderedIssue } from './render.js'
import { untilPhaseEnds } from '../github/client.js'
import { failure, say, stopped, unwritten, type GitHubSession } from './session.js'
import type { KeyWork } from './work.js'

/** An issue as GitHub gave it back. */
interface WrittenIssue {
  number: number
  url: string
}

/** One comment on issue `number`. */
async function post(session: GitHubSession, number: number, body: string): Promise<void> {
  const { client, owner, repo, phase } = session
  const request = { retries: 0 }
  await untilPhaseEnds(phase, client.rest.issues.createComment({ owner, repo, issue_number: number, body, request }))
}

/** One PATCH of issue `number`: its state, its labels. */
async function patch(session: GitHubSession, number: number, changes: IssuePatch): Promise<void> {
  const { client, owner, repo, phase } = session
  await untilPhaseEnds(phase, client.rest.issues.update({ owner, repo, issue_number: number, ...changes }))
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
 * Files `issue`, assigned to `assignees`. A user who cannot be assigned here fails the whole
 * request (422), and nothing was created: the issue is filed unassigned, and `unassigned`
 * says why.
 */
async function openIssue(
  session: GitHubSession,
  keyId: string,
  issue: RenderedIssue,
  assignees: readonly string[]
): Promise<WrittenIssue & { unassigned?: string }> {
  const { client, owner, repo, phase, target } = session
  const open = async (who: readonly string[]): Promise<WrittenIssue> => {
    const { title, body, labels } = issue
    const assigned = who.length > 0 ? { assignees: [...who] } : {}
    const request = { retries: 0 }
    const { data } = await untilPhaseEnds(
      phase,
      client.rest.issues.create({ owner, repo, title, body, labels, ...assigned, request })
    )
    return { number: data.number, url: data.html_url }
  }
  try {
    return await open(assignees)
  } catch (error) {
    if (!refusedAssignees(error)) throw error
    const written = await open([])
    const unassigned =
      `not assigned: GitHub refused the assignees (${failure(error, session)}); check that each of ` +
      `${assignees.join(', ')} may be assigned issues in ${target.repository}`
    say(target, `Issue for key ${keyId} filed, ${unassigned}`)
    return { ...written, unassigned }
  }
}

/**
 * Opens the key's issue and records in comments the events its body could not hold; when
 * the key is already deleted (close-when-revoked), closes it, before the closing comment, as
 * on updates: a comment whose close then failed would keep every later run from closing it.
 */
export async function createIssue(
  session: GitHubSession,
  step: CreateStep,
  key: KeyWork,
  assignees: readonly string[]
): Promise<IssueAction> {
  if (session.phase.ended) return unwritten(key, stopped(session.phase))
  let written: WrittenIssue | undefined
  try {
    const opened = await openIssue(session, step.keyId, step.issue, assignees)
    written = opened
    for (const body of step.issue.more) await post(session, opened.number, body)
    if (step.close) {
      await patch(session, opened.number, { state: 'closed', state_reason: 'completed' })
      await post(session, opened.number, step.close)
    }
    const done = describeStep(step, false)!
    const detail = opened.unassigned ? `${done.detail}; ${opened.unassigned}` : done.detail
    return { ...done, detail, issueNumber: opened.number, url: opened.url }
  } catch (error) {
    return unwritten(key, failure(error, session), written)
  }
}

/**
 * Updates the key's issue: its state and labels first, then the comments. The comments
 * record the events, so they come last: if anything before them fails, the next run sees
 * the events as new and tries again. A close comes first too: its comment's marker stops
 * later runs from closing the issue again.
 */
export async function updateIssue(session: GitHubSession, step: UpdateStep, key: KeyWork): Promise<IssueAction> {
  const issue = { number: step.number, url: step.url }
  // Nothing of it was written: no number, which says an issue was written in part.
  if (session.phase.ended) return unwritten(key, stopped(session.phase), { url: step.url })
  if (step.patch) {
    try {
      await patch(session, step.number, step.patch)
    } catch (error) {
      return unwritten(key, failure(error, session), issue)
    }
  }
  return comment(session, key, issue, step.comments, describeStep(step, false)!)
}

/** Writes `bodies` on the key's issue, in order: `done` once every one is written. */
export async function comment(
  session: GitHubSession,
  key: KeyWork,
  issue: WrittenIssue,
  bodies: readonly string[],
  done: IssueAction
): Promise<IssueAction> {
  try {
    for (const body of bodies) await post(session, issue.number, body)
    return { ...done }
  } catch (error) {
    return unwritten(key, failure(error, session), issue)
  }
}
