// The preconditions of a revocation from a key's issue, as pure functions, in the order they
// are checked: the event is `labeled` with exactly the revoke label; the issue still carries
// it (else the event was handled already); the issue is the action's own (its key marker in
// a body only the action's bot could have written); the person who added the label may
// write to the repository, as GitHub says now. The key's place comes from OpenAI after
// these (openai.ts). Each failure is a reason, said in one comment that changes nothing.
import { markedKey } from '../github/markers.js'
import { ACTIONS_BOT, isAppBot } from '../github/trust.js'
import { isObject } from '../model/index.js'

/** What a label event asks, when it asks for a revocation. */
export interface LabelRequest {
  issueNumber: number
  /** Who added the label (the event's sender). */
  sender: string
}

/** Why nothing is done, and whether a comment says so (`comment`: the words; none: the event was not for us). */
export type Check<T> = { ok: true; value: T } | { ok: false; reason: string; comment: boolean }

const ok = <T>(value: T): Check<T> => ({ ok: true, value })
const silent = (reason: string): Check<never> => ({ ok: false, reason, comment: false })
const said = (reason: string): Check<never> => ({ ok: false, reason, comment: true })

/** A label event's payload that is not shaped as GitHub documents it: nothing is done on a guess. */
export class EventPayloadError extends Error {
  override name = 'EventPayloadError'
}

/** Whether the payload of an `issues` event is a `labeled` one: the one kind of run that revokes. */
export function isLabeled(payload: unknown): boolean {
  return isObject(payload) && payload.action === 'labeled'
}

/**
 * The request of an `issues` `labeled` event (webhook-issues-labeled: `label` is optional,
 * `issue.number`, `sender.login`), when the label added is exactly `revokeLabel`.
 */
export function labelRequestOf(payload: unknown, revokeLabel: string): Check<LabelRequest> {
  if (!isObject(payload) || payload.action !== 'labeled') return silent('the event is not an issue being labelled')
  const label = isObject(payload.label) && typeof payload.label.name === 'string' ? payload.label.name : undefined
  if (label !== revokeLabel)
    return silent(
      `the label added is ${label === undefined ? 'not named' : `"${label}"`}, not the revoke label "${revokeLabel}"`
    )
  const issue = isObject(payload.issue) ? payload.issue.number : undefined
  const sender = isObject(payload.sender) ? payload.sender.login : undefined
  if (typeof issue !== 'number' || !Number.isSafeInteger(issue) || issue < 1 || typeof sender !== 'string' || !sender)
    throw new EventPayloadError(
      'The labeled event has no issue number or no sender login (GITHUB_EVENT_PATH): nothing was revoked. Re-run the workflow from the issue event.'
    )
  return ok({ issueNumber: issue, sender })
}

/** The issue as GitHub has it now. */
export interface IssueNow {
  number: number
  labels: string[]
  body: string
  author?: { login: string; type?: string }
  pullRequest: boolean
}

/**
 * Who may have written an issue's key marker: the action's own bot. With the workflow's
 * token that is GitHub Actions' bot; with a GitHub App's token, the App's bot (a login
 * ending in [bot], which no person's login can). A person's issue is theirs to edit, and on
 * a public repository anyone may open one: a marker there proves nothing. The same rule as
 * the issues' and the ledger's (github/trust.ts).
 */
export function openedByBot(author: IssueNow['author']): boolean {
  if (!author) return false
  return author.login === ACTIONS_BOT || (author.type === 'Bot' && isAppBot(author.login))
}

/** The key an issue is about, when the issue is the action's own and still asks for the revocation. */
export function keyOfIssue(issue: IssueNow, revokeLabel: string): Check<string> {
  if (!issue.labels.includes(revokeLabel))
    return silent(`issue #${issue.number} no longer carries the label "${revokeLabel}": handled already, or taken off`)
  if (issue.pullRequest) return said(`#${issue.number} is a pull request, not an issue of openai-keywatch`)
  const marked = markedKey(issue.body)
  if (!marked) return said(`issue #${issue.number} is not one of openai-keywatch's: its body holds no key marker`)
  if (!openedByBot(issue.author))
    return said(
      `issue #${issue.number} was opened by ${issue.author?.login ?? 'an unknown user'}, not by the action's bot: ` +
        'a key marker in a body a person wrote (and can edit) proves nothing, so it names no key to revoke'
    )
  if (marked.startsWith('sha256-'))
    return said(
      "the key's id is too long or unusual to be kept in the issue's marker as it is (the marker holds a hash of it), " +
        'so the issue cannot say which key to revoke: revoke it from a terminal with openai-keywatch revoke --key ID'
    )
  return ok(marked)
}

/** The sender's permission as GitHub answered it just now, or its refusal to say. */
export type PermissionSeen = { permission: string; role?: string } | { refused: string }

/** Write, maintain (shown as write) or admin: the permissions that may ask for a revocation. */
export function mayRevoke(sender: string, seen: PermissionSeen): Check<string> {
  if ('refused' in seen)
    return said(`GitHub did not confirm that ${sender} may write to the repository (${seen.refused})`)
  if (seen.permission === 'admin' || seen.permission === 'write') return ok(seen.role ?? seen.permission)
  return said(
    `${sender} has ${seen.permission}${seen.role && seen.role !== seen.permission ? ` (role ${seen.role})` : ''} permission on the repository; ` +
      'only a person with write, maintain or admin permission may ask for a revocation'
  )
}
