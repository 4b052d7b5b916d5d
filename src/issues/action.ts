// What a run did, or would do, for a key's issue: the record the GitHub sync makes of each
// step, which the report, the summary, the annotations and the outputs show.

/**
 * created/commented/updated: written this run (updated: labels or state only); closed:
 * commented and closed because the key was deleted (close-when-revoked);
 * would-*: the same in a dry run; unchanged: the issue already records every event;
 * capped: over max-issues, no issue opened; failed: GitHub refused, could not be reached,
 * or the GitHub phase ended first (this fails the run); not-noted: the same for a key that
 * was only deleted, whose deletion could not be noted on its issue (a warning).
 */
export type IssueActionKind =
  | 'created'
  | 'commented'
  | 'updated'
  | 'closed'
  | 'unchanged'
  | 'would-create'
  | 'would-comment'
  | 'would-update'
  | 'would-close'
  | 'capped'
  | 'failed'
  | 'not-noted'

export interface IssueAction {
  keyId: string
  action: IssueActionKind
  issueNumber?: number
  url?: string
  detail?: string
}
