// A revocation asked for by a label on a key's issue, from the event to the record: the
// preconditions in order (checks.ts), the key's place from OpenAI (openai.ts), the delete,
// then one comment, the label swapped and the issue closed (github.ts). The only code that
// deletes a key is here and in the CLI's revoke command; a scan never reaches either.
// Idempotent: a second delivery of the same event finds the revoke label gone and does
// nothing, and a key already gone is said to be so and closed, never deleted twice.
import type { RevokeOutcome, RevokeResult } from '../model/index.js'
import type { AdminReadOptions } from '../openai/client.js'
import { keyOfIssue, labelRequestOf, mayRevoke, type Check, type IssueNow, type LabelRequest } from './checks.js'
import { failedComment, goneComment, refusedComment, revokedComment, unplacedComment, type Asked } from './comments.js'
import { IssueDesk, type GitHubOptions } from './github.js'
import { AdminApi, deleteKey, placeOfKey, type HeldKey, type KeyPlace } from './openai.js'

export interface RespondOptions {
  revokeLabel: string
  /** Check everything, say what would be revoked, and write nothing anywhere. */
  dryRun: boolean
  runUrl?: string
  github: GitHubOptions
  openai: AdminReadOptions
}

/** What one label event is answered with, in the issue's terms. */
interface Answer {
  result: RevokeResult
  detail: string
  /** The comment written (or, in a dry run, that would be). */
  comment?: string
  keyId?: string
  issueNumber?: number
}

/** The job summary of a label event: what it came to, and the comment. */
function summaryOf(answer: Answer, dryRun: boolean): string {
  const head = `## openai-keywatch: ${answer.issueNumber ? `revocation asked on issue #${answer.issueNumber}` : 'label event'}`
  const comment = answer.comment
    ? `${dryRun ? 'The comment it would write (dry run: nothing was written):' : 'The comment on the issue:'}\n\n${answer.comment
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n')}`
    : ''
  return [head, `**${answer.result}**: ${answer.detail}`, comment].filter(Boolean).join('\n\n') + '\n'
}

function outcomeOf(answer: Answer, dryRun: boolean): RevokeOutcome {
  const { result, detail, keyId, issueNumber } = answer
  return { result, detail, keyId, issueNumber, summary: summaryOf(answer, dryRun) }
}

/**
 * Answers one `issues` `labeled` event: nothing for another label; otherwise every
 * precondition in order, the first that fails said in one comment that changes nothing.
 */
export async function revokeFromLabel(payload: unknown, options: RespondOptions): Promise<RevokeOutcome> {
  const request = labelRequestOf(payload, options.revokeLabel)
  if (!request.ok) return outcomeOf({ result: 'ignored', detail: `Nothing to do: ${request.reason}.` }, options.dryRun)
  const desk = new IssueDesk(options.github)
  try {
    return outcomeOf(await answerRequest(request.value, desk, options), options.dryRun)
  } finally {
    desk.close()
  }
}

async function answerRequest(request: LabelRequest, desk: IssueDesk, options: RespondOptions): Promise<Answer> {
  const asked: Asked = {
    sender: request.sender,
    revokeLabel: options.revokeLabel,
    at: Math.floor(Date.now() / 1000),
    runUrl: options.runUrl
  }
  let issue: IssueNow
  try {
    issue = await desk.issue(request.issueNumber)
  } catch (error) {
    return {
      result: 'failed',
      issueNumber: request.issueNumber,
      detail: `Nothing revoked: issue #${request.issueNumber} could not be read again: ${desk.failure(error)}`
    }
  }
  const key = keyOfIssue(issue, options.revokeLabel)
  if (!key.ok) return refuse(desk, issue, key, asked, options)
  const permission = mayRevoke(request.sender, await desk.permission(request.sender))
  if (!permission.ok) return refuse(desk, issue, permission, asked, options)
  asked.role = permission.value
  const api = new AdminApi(options.openai)
  let place: KeyPlace
  try {
    place = await placeOfKey(api, key.value)
  } catch (error) {
    place = { status: 'unknown', reason: `the Admin API could not be asked where it is: ${api.failure(error)}` }
  }
  const base = { keyId: key.value, issueNumber: issue.number }
  if (place.status === 'unknown') {
    const comment = unplacedComment(key.value, place.reason, asked)
    return write(desk, issue, options, {
      ...base,
      result: 'failed',
      detail: `Key ${key.value} not revoked: ${place.reason}.`,
      comment
    })
  }
  if (place.status === 'gone') {
    const comment = goneComment(key.value, place.evidence, asked)
    const answer: Answer = {
      ...base,
      result: 'already-gone',
      comment,
      detail: `Key ${key.value} is already gone (${place.evidence}): nothing revoked, issue #${issue.number} closed.`
    }
    return write(desk, issue, options, answer, true)
  }
  return revoke(api, desk, issue, place.key, asked, options)
}

/** A precondition failed: said in one comment (when it is one to say), nothing changed. */
async function refuse(
  desk: IssueDesk,
  issue: IssueNow,
  check: Extract<Check<unknown>, { ok: false }>,
  asked: Asked,
  options: RespondOptions
): Promise<Answer> {
  if (!check.comment) return { result: 'ignored', detail: `Nothing to do: ${check.reason}.`, issueNumber: issue.number }
  const comment = refusedComment(check.reason, asked)
  return write(desk, issue, options, {
    result: 'refused',
    detail: `Not revoked: ${check.reason}.`,
    comment,
    issueNumber: issue.number
  })
}

async function revoke(
  api: AdminApi,
  desk: IssueDesk,
  issue: IssueNow,
  key: HeldKey,
  asked: Asked,
  options: RespondOptions
): Promise<Answer> {
  const base = { keyId: key.keyId, issueNumber: issue.number }
  const where = key.kind === 'project' ? ` in project ${key.projectId}` : ' (an admin API key)'
  if (options.dryRun) {
    const comment = revokedComment(key, { status: 'deleted', answer: '(dry run: not asked)' }, asked)
    return {
      ...base,
      result: 'would-revoke',
      comment,
      detail: `Dry run: would revoke key ${key.keyId}${where} (${key.how}), asked by ${asked.sender} on #${issue.number}; nothing deleted, nothing written.`
    }
  }
  const answer = await deleteKey(api, key)
  if (answer.status !== 'deleted') {
    const comment = failedComment(key, answer, asked)
    return write(desk, issue, options, {
      ...base,
      result: 'failed',
      comment,
      detail: `Key ${key.keyId}${where} not revoked: ${answer.answer}.`
    })
  }
  const comment = revokedComment(key, answer, asked)
  return write(
    desk,
    issue,
    options,
    {
      ...base,
      result: 'revoked',
      comment,
      detail: `Key ${key.keyId}${where} revoked, asked by ${asked.sender} on #${issue.number}; OpenAI answered ${answer.answer}.`
    },
    true
  )
}

/**
 * Writes the answer's comment, then (`settle`) swaps the label and closes the issue; nothing
 * in a dry run. A write that fails after a delete is a failure of the run: the key is gone,
 * and the issue does not say so yet.
 */
async function write(
  desk: IssueDesk,
  issue: IssueNow,
  options: RespondOptions,
  answer: Answer,
  settle = false
): Promise<Answer> {
  if (options.dryRun) return { ...answer, detail: `Dry run, nothing written: ${answer.detail}` }
  try {
    if (answer.comment) await desk.comment(issue.number, answer.comment)
    if (settle) await desk.settle(issue.number, options.revokeLabel)
    return answer
  } catch (error) {
    return {
      ...answer,
      result: 'failed',
      detail: `${answer.detail} But GitHub refused the record of it: ${desk.failure(error)}`
    }
  }
}
