// What a run does for each key, as pure computation: which issue is a key's (the oldest),
// which comments to believe, and the steps that open, update or leave an issue. The GitHub
// sync (sync.ts) reads and writes; this module only decides, so a unit test reaches every
// policy without HTTP.
import {
  higher,
  labelledSeverity,
  relabelled,
  severityLabel,
  severityRank,
  type Deletion,
  type KeyFindings,
  type Severity
} from '../model/index.js'
import { plural } from '../text.js'
import { ACTIONS_BOT, isAppBot } from '../github/trust.js'
import { markedClosed, markedEvents, markedKey, markerId } from '../github/markers.js'
import type { IssueAction } from './action.js'
import type { IssueOptions } from './options.js'
import { renderClosing, renderIssue, renderUpdate, type RenderedIssue, type Revocation } from './render.js'
import { eventsOf, hasFindings, unrecorded, type KeyWork } from './work.js'

/** An issue of ours as read from GitHub. */
export interface KnownIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  labels: string[]
  /** Events (as markerId) recorded in the body and, once read, the action's comments. */
  recorded: Set<string>
  /** Who opened it: when it is a bot (the action's, with an App's token), its comments are trusted. */
  author?: string
  /** A trusted comment says the action closed it once because its key was deleted (read with the comments). */
  closedAsRevoked?: boolean
}

/** An issue as GitHub lists it. */
export interface ListedIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  labels: string[]
  body?: string | null
  author?: string
  pullRequest: boolean
}

/**
 * Adds a listed issue to the issues by key (markerId). The oldest wins when a key has two (a
 * person copied one, or a run was cancelled between creating and recording), so every run
 * writes to the same one. Pull requests and issues without a key marker are not ours.
 */
export function addListedIssue(issues: Map<string, KnownIssue>, item: ListedIssue): void {
  if (item.pullRequest) return
  const key = markedKey(item.body)
  if (!key) return
  const known = issues.get(key)
  if (known && known.number < item.number) return
  issues.set(key, {
    number: item.number,
    url: item.url,
    state: item.state,
    labels: item.labels,
    recorded: new Set(markedEvents(item.body)),
    author: item.author
  })
}

/** A comment as GitHub lists it, with the permission its author has, when it was read. */
export interface ListedComment {
  login?: string
  /** GitHub's author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE... */
  association: string
  body?: string | null
  /** The permission the repository grants the author (admin, write, read, none), read once per run when needed. */
  permission?: string
}

/** The permissions that may edit an issue's body: whoever has one could write its markers there anyway. */
const WRITERS = new Set(['admin', 'maintain', 'write'])

/**
 * Whose markers count without asking GitHub: the action's own bot (GitHub Actions' bot with
 * the workflow's token, or the bot account that opened the issue, with an App's token) and
 * the repository's owner. MEMBER says only that someone is in the organization, not that
 * they may write to the repository, and COLLABORATOR includes read-only collaborators: for
 * everyone else the repository's permission decides.
 */
export function trustedAsIs(issue: KnownIssue, comment: ListedComment): boolean {
  return (
    comment.login === ACTIONS_BOT ||
    (comment.login === issue.author && isAppBot(issue.author)) ||
    comment.association === 'OWNER'
  )
}

/** Whether a comment says anything the plan would believe: it carries event or closing markers. */
function carriesMarkers(body: string | null | undefined): boolean {
  return markedEvents(body).length > 0 || markedClosed(body)
}

/** Whether the plan must know the author's permission to weigh this comment (read once per author a run). */
export function needsPermission(issue: KnownIssue, comment: ListedComment): boolean {
  return comment.login !== undefined && carriesMarkers(comment.body) && !trustedAsIs(issue, comment)
}

/**
 * Adds to `issue` the events a comment records, when only the action or someone who may
 * write to the repository could have written it: the action's own bot, the owner, or a person
 * whose permission on the repository is write or more (they could edit the body anyway).
 * Anyone may comment on a public repository's issues: an outsider's, or a read-only
 * member's, forged marker counts for nothing. Only the closing comment's own marker says
 * the action closed the issue once.
 */
export function recordComment(issue: KnownIssue, comment: ListedComment): void {
  const trusted = trustedAsIs(issue, comment) || (comment.permission !== undefined && WRITERS.has(comment.permission))
  if (!trusted) return
  for (const event of markedEvents(comment.body)) issue.recorded.add(event)
  if (markedClosed(comment.body)) issue.closedAsRevoked = true
}

/**
 * Positive evidence that the key is gone: its latest deletion in the window, and nothing
 * else. A lookup's 404 is none: OpenAI records admin actions taken with Admin API keys under
 * the default project, which need not be the key's, and documents no 404 for the key
 * endpoints; a 404 says the key is not where it was looked for, not that it was revoked. A
 * lookup that was refused or failed says nothing at all.
 */
export function revocationOf(work: KeyWork): Revocation | undefined {
  let latest: Deletion | undefined
  for (const deletion of work.deletions)
    if (!latest || (deletion.effectiveAt ?? 0) > (latest.effectiveAt ?? 0)) latest = deletion
  return latest ? { kind: 'deleted', deletion: latest } : undefined
}

/** Whether the run would close this open issue, if its comments do not say it was closed once already. */
function mayClose(work: KeyWork, issue: KnownIssue, options: IssueOptions): boolean {
  return Boolean(options.closeWhenRevoked) && issue.state === 'open' && revocationOf(work) !== undefined
}

/**
 * Whether an issue's comments must be read before planning: when its body does not record
 * every event of the window, or when the run may close it (a comment may say it did once).
 */
export function needsComments(work: KeyWork, issue: KnownIssue, options: IssueOptions): boolean {
  return !eventsOf(work).every((event) => issue.recorded.has(event)) || mayClose(work, issue, options)
}

/** One PATCH of an issue: reopen, close as completed, or new labels. */
export interface IssuePatch {
  state?: 'open' | 'closed'
  state_reason?: 'completed'
  labels?: string[]
}

export type IssueStep =
  | {
      kind: 'create'
      keyId: string
      severity: Severity
      issue: RenderedIssue
      events: number
      /** The comment that closes the new issue at once, when its key is already deleted (close-when-revoked). */
      close?: string
    }
  | {
      kind: 'update'
      keyId: string
      number: number
      url: string
      /** New state and labels for one PATCH, when either changes. */
      patch?: IssuePatch
      comments: string[]
      changes: string[]
    }
  | { kind: 'unchanged'; keyId: string; number: number; url: string }
  | { kind: 'capped'; keyId: string; severity: Severity }
  | { kind: 'nothing'; keyId: string }

export type CreateStep = Extract<IssueStep, { kind: 'create' }>
export type UpdateStep = Extract<IssueStep, { kind: 'update' }>

/**
 * What to do for one key, given its issue (if it has one). Running it again after it
 * was done gives `unchanged`: every event it writes about is recorded in a marker.
 */
export function planKey(work: KeyWork, issue: KnownIssue | undefined, options: IssueOptions): IssueStep {
  // A deletion alone never opens an issue.
  if (!issue) return hasFindings(work) ? planNewIssue(work, options) : { kind: 'nothing', keyId: work.keyId }
  return planUpdate(work, issue, options)
}

function planNewIssue(work: KeyFindings, options: IssueOptions): IssueStep {
  const revoked = options.closeWhenRevoked ? revocationOf(work) : undefined
  return {
    kind: 'create',
    keyId: work.keyId,
    severity: work.severity,
    issue: renderIssue(work, options),
    events: work.findings.length,
    ...(revoked ? { close: renderClosing(revoked, options) } : {})
  }
}

/**
 * The severity label an issue gets, when this run raises it. Only events the issue has not
 * recorded may raise it (a person who lowered it has triaged what is already there), or an
 * escalation of this run from the level the label still shows: evidence found by a later run
 * changes the label only, never the title or the body.
 */
function raisedLabel(
  work: KeyWork,
  fresh: KeyWork,
  issue: KnownIssue
): { labels: string[]; change: string } | undefined {
  const labelled = labelledSeverity(issue.labels)
  const escalation = work.investigation?.escalation
  let wanted = fresh.severity
  if (escalation && (!labelled || labelled === escalation.from)) wanted = higher(wanted, escalation.to)
  if (!wanted || (labelled && severityRank(wanted) <= severityRank(labelled))) return undefined
  return {
    labels: relabelled(issue.labels, wanted),
    change: `${labelled ? severityLabel(labelled) : 'no severity'} → ${severityLabel(wanted)}${escalation && wanted === escalation.to && fresh.severity !== wanted ? ` (${escalation.because.join(', ')})` : ''}`
  }
}

/** What an issue of the key needs: the events it has not recorded, its state, and its severity label. */
function planUpdate(work: KeyWork, issue: KnownIssue, options: IssueOptions): IssueStep {
  const fresh = unrecorded(work, issue.recorded)
  const changes: string[] = []
  const patch: IssuePatch = {}
  const revoked = options.closeWhenRevoked ? revocationOf(work) : undefined
  // A new finding reopens a closed issue, unless the key's deletion is in the window; a
  // deletion is the remediation and does not.
  if (issue.state === 'closed' && hasFindings(fresh) && options.reopenClosed && !revoked) {
    patch.state = 'open'
    changes.push('reopened')
  }
  // Closed once, and only on evidence: a person who reopens it has the last word.
  const closing = revoked && mayClose(work, issue, options) && !issue.closedAsRevoked ? revoked : undefined
  if (closing) {
    patch.state = 'closed'
    patch.state_reason = 'completed'
  }
  const raised = raisedLabel(work, fresh, issue)
  if (raised) {
    patch.labels = raised.labels
    changes.push(raised.change)
  }
  const news = fresh.findings.length + fresh.deletions.length > 0
  const comments = news ? renderUpdate(fresh, options) : []
  if (closing) comments.push(renderClosing(closing, options))
  if (fresh.findings.length > 0) changes.unshift(plural(fresh.findings.length, 'new event'))
  if (fresh.deletions.length > 0) changes.push('key deleted')
  if (closing) changes.push('closed: the key was deleted')
  if (comments.length === 0 && patch.state === undefined && patch.labels === undefined)
    return { kind: 'unchanged', keyId: work.keyId, number: issue.number, url: issue.url }
  const { number, url } = issue
  return {
    kind: 'update',
    keyId: work.keyId,
    number,
    url,
    patch: patch.state || patch.labels ? patch : undefined,
    comments,
    changes
  }
}

/**
 * Plans every key: new issues up to `maxIssues` in the order given (highest severity
 * first), the rest capped. Keys without findings and without an issue need nothing.
 */
export function planIssues(
  work: readonly KeyWork[],
  issues: ReadonlyMap<string, KnownIssue>,
  options: IssueOptions
): IssueStep[] {
  let created = 0
  // An issue links the identity's other keys to theirs.
  const withLinks = { ...options, issueUrls: new Map([...issues].map(([key, issue]) => [key, issue.url])) }
  return work.map((key) => {
    const issue = issues.get(markerId(key.keyId))
    // Past the cap, a key that would get a new issue is not even rendered: a backfill can have thousands.
    if (!issue && hasFindings(key) && created >= options.maxIssues) {
      return { kind: 'capped', keyId: key.keyId, severity: key.severity }
    }
    const step = planKey(key, issue, withLinks)
    if (step.kind === 'create') created++
    return step
  })
}

/** The record of a step for the report and the summary; `dryRun` says what would have been done. */
export function describeStep(step: IssueStep, dryRun: boolean): IssueAction | undefined {
  switch (step.kind) {
    case 'create':
      return {
        keyId: step.keyId,
        action: dryRun ? 'would-create' : 'created',
        detail: `${step.severity}, ${plural(step.events, 'event')}${step.close ? ', closed: the key was deleted' : ''}`
      }
    case 'update':
      return {
        keyId: step.keyId,
        action: dryRun
          ? step.patch?.state === 'closed'
            ? 'would-close'
            : step.comments.length > 0
              ? 'would-comment'
              : 'would-update'
          : step.patch?.state === 'closed'
            ? 'closed'
            : step.comments.length > 0
              ? 'commented'
              : 'updated',
        issueNumber: step.number,
        url: step.url,
        detail: step.changes.join(', ')
      }
    case 'unchanged':
      return { keyId: step.keyId, action: 'unchanged', issueNumber: step.number, url: step.url }
    case 'capped':
      return { keyId: step.keyId, action: 'capped', detail: `${step.severity}: over max-issues` }
    case 'nothing':
      return undefined
  }
}
