// How a run is asked to write issues: shared by the rendering, the plan and the GitHub sync.

/** How a run writes issues: the action's inputs, and the run to link to. */
export interface IssueOptions {
  label: string
  maxIssues: number
  dryRun: boolean
  reopenClosed: boolean
  /** GitHub users new issues are assigned to. */
  assignees?: readonly string[]
  /** Close a key's issue, once, when its deletion is in the window (nothing else closes one). */
  closeWhenRevoked?: boolean
  /** Link to the workflow run, when there is one (the CLI has none). */
  runUrl?: string
  /** The label that asks for the key's revocation (revoke-label): the issue says how to ask. */
  revokeLabel?: string
  /** The issues of other keys by markerId, as listed this run: an issue links the identity's other keys to theirs. */
  issueUrls?: ReadonlyMap<string, string>
}
