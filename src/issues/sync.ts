// The GitHub side of triage: lists the repository's issues once, reads a key's comments only
// when its issue may lack an event (reads.ts), lets the plan decide (plan.ts), and carries
// out the steps it decided (writes.ts). All of it within the phase's budget: a key not
// reached by its end is reported as not written, never waited for.
import type { Deletion, KeyFindings, Listed } from '../model/index.js'
import type { IssueAction } from './action.js'
import { GitHubPhase, isPhaseEnded, PhaseEnded, untilPhaseEnds } from '../github/client.js'
import { markerId } from '../github/markers.js'
import type { IssueOptions } from './options.js'
import { describeStep, needsComments, planIssues, type IssueStep, type KnownIssue } from './plan.js'
import { listIssues, readComments, type Permissions } from './reads.js'
import { failure, openSession, unwritten, type GitHubSession, type IssueTarget } from './session.js'
import { hasFindings, keysToTriage, type KeyWork } from './work.js'
import { createIssue, updateIssue } from './writes.js'

export type { IssueTarget } from './session.js'

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
  const phase = new GitHubPhase(target.budget?.ms, target.budget?.words)
  try {
    let session: GitHubSession
    try {
      session = openSession(target, phase)
    } catch (error) {
      return notListed(work, failure(error, { target, phase }))
    }
    return await triage(work, options, session)
  } finally {
    phase.close()
  }
}

/** Read everything first, then plan, then write: the plan is pure and tested as such. */
async function triage(work: KeyWork[], options: IssueOptions, session: GitHubSession): Promise<IssueAction[]> {
  const { phase } = session
  let issues: Map<string, KnownIssue>
  try {
    issues = await untilPhaseEnds(phase, listIssues(session, options.label))
  } catch (error) {
    // Without the list no key can be told apart from a new one: writing now would duplicate.
    const detail = failure(error, session)
    return notListed(work, phase.ended ? detail : `Could not list the issues labelled ${options.label}: ${detail}`)
  }
  const actions = await readAllComments(work, issues, options, session)
  const steps = planIssues(
    work.filter((key) => !actions.has(key.keyId)),
    issues,
    options
  )
  const byKey = new Map(work.map((key) => [key.keyId, key]))
  for (const step of steps) {
    const action = options.dryRun
      ? describeStep(step, true)
      : await carryOut(session, step, byKey.get(step.keyId)!, options)
    if (action) actions.set(step.keyId, action)
  }
  // In the order of the keys: highest severity first, as in the summary.
  return work.flatMap((key) => actions.get(key.keyId) ?? [])
}

/**
 * The keys when the issues could not be listed (or no session opened): the keys with findings,
 * not written. A key only deleted may have no issue at all, and nothing can tell: it is
 * named only when no key with findings says why (one warning for all, not "not noted on its
 * issue" for keys that have none).
 */
function notListed(work: readonly KeyWork[], detail: string): IssueAction[] {
  const withFindings = work.filter(hasFindings)
  if (withFindings.length > 0) return withFindings.map((key) => unwritten(key, detail))
  return work.map((key) => unwritten(key, `${detail} Whether the key has an issue at all is not known.`))
}

/** Reads the comments of every issue the plan needs them of; the keys whose comments could not be read, as not written. */
async function readAllComments(
  work: readonly KeyWork[],
  issues: ReadonlyMap<string, KnownIssue>,
  options: IssueOptions,
  session: GitHubSession
): Promise<Map<string, IssueAction>> {
  const { phase } = session
  const failed = new Map<string, IssueAction>()
  const permissions: Permissions = new Map()
  for (const key of work) {
    const issue = issues.get(markerId(key.keyId))
    if (!issue || !needsComments(key, issue, options)) continue
    try {
      if (phase.ended) throw new PhaseEnded(phase.ended)
      await untilPhaseEnds(phase, readComments(session, issue, permissions))
    } catch (error) {
      const detail = failure(error, session)
      const what = isPhaseEnded(error) ? detail : `Could not read the comments of #${issue.number}: ${detail}`
      failed.set(key.keyId, unwritten(key, what, issue))
    }
  }
  return failed
}

/** One step of the plan, carried out on GitHub; what was done. */
async function carryOut(
  session: GitHubSession,
  step: IssueStep,
  key: KeyWork,
  options: IssueOptions
): Promise<IssueAction | undefined> {
  if (step.kind === 'create') return createIssue(session, step, key, options.assignees ?? [])
  if (step.kind === 'update') return updateIssue(session, step, key)
  return describeStep(step, false)
}
