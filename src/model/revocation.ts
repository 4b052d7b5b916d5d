// A revocation asked for from a key's issue, as the stage that carries it out (respond/)
// reports it to the action and the CLI.

/** The label a revocation leaves on its issue, in place of the revoke label. */
export const REVOKED_LABEL = 'keywatch:revoked'

/**
 * What a run started by a label event came to: `ignored` (not the revoke label, or already
 * handled: nothing written), `refused` (a precondition failed: one comment says which),
 * `revoked`, `would-revoke` (dry run), `already-gone` (closed, nothing revoked) or `failed`
 * (the delete failed: the label and the issue stay open, and the run fails).
 */
export type RevokeResult = 'ignored' | 'refused' | 'revoked' | 'would-revoke' | 'already-gone' | 'failed'

export interface RevokeOutcome {
  result: RevokeResult
  issueNumber?: number
  keyId?: string
  /** One line for the log: what was done, or why not. */
  detail: string
  /** The job summary: what was checked and done, in Markdown. */
  summary: string
}
