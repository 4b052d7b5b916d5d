// The GitHub environment: where issues go and the run they link to, from the variables the
// runner sets (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_RUN_ID, ...).
import { repositoryOf } from '../model/index.js'

export interface GitHubEnvironment {
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  apiUrl: string
  /** Where issues go, owner/name: the input repository, else GITHUB_REPOSITORY (the CLI's --repo). */
  repository: string
  /** GITHUB_REPOSITORY, the workflow's own repository, when it runs in one. */
  workflowRepository?: string
  /** The workflow run's page; none outside a workflow run. */
  runUrl?: string
  /**
   * GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and GITHUB_ACTION (the step), to name the step's report
   * file: two steps of the action in one job must not write the same one.
   */
  runId?: string
  /** Whether the runner gave the step a job summary (GITHUB_STEP_SUMMARY). */
  stepSummary: boolean
}

/** Where issues go and the run they link to, from the variables the runner sets. */
export function githubEnvironment(env: NodeJS.ProcessEnv): GitHubEnvironment {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  const repository = env.GITHUB_REPOSITORY ?? ''
  const run = env.GITHUB_RUN_ID ?? ''
  const runUrl =
    repositoryOf(repository) && /^\d+$/.test(run) && /^https?:\/\/[^\s()<>]+$/.test(server)
      ? `${server}/${repository}/actions/runs/${run}`
      : undefined
  // GITHUB_ACTION names the step ("__run", "keywatch", "__org_repo_2"): unique within a job.
  const step = (env.GITHUB_ACTION ?? '').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 100)
  const runId = [env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, step].filter(Boolean).join('-') || undefined
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository,
    workflowRepository: repository || undefined,
    runUrl,
    runId,
    stepSummary: Boolean(env.GITHUB_STEP_SUMMARY)
  }
}
