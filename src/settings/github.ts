// The GitHub environment: where issues go and the run they link to, from the variables the
// runner sets (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_RUN_ID, ...),
// and the event that started the run (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH).
import { readFileSync } from 'node:fs'
import { repositoryOf } from '../model/index.js'

/**
 * The event that started the workflow run: its name, and for an `issues` event its payload
 * as the runner wrote it (what `@actions/github`'s `context.payload` reads), unread beyond
 * JSON: respond/ judges it.
 */
export interface RunEvent {
  name: string
  payload?: unknown
}

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
  /** GITHUB_EVENT_NAME, with the payload of an `issues` event; none outside a workflow run (the CLI). */
  event?: RunEvent
}

/** An `issues` run whose event cannot be read: nothing is done on a guess. */
export class RunEventError extends Error {
  override name = 'RunEventError'
}

/**
 * The event of the run: the payload is read only for an `issues` event, the one a run can
 * act on (a label asking for a revocation). The runner always writes GITHUB_EVENT_PATH; an
 * `issues` run without a readable one is refused, never taken for a scan.
 */
function runEvent(env: NodeJS.ProcessEnv): RunEvent | undefined {
  const name = env.GITHUB_EVENT_NAME
  if (!name) return undefined
  if (name !== 'issues') return { name }
  const path = env.GITHUB_EVENT_PATH ?? ''
  const refused = (why: string): RunEventError =>
    new RunEventError(
      `The run was started by an issues event, and its payload (GITHUB_EVENT_PATH${path ? ` = ${path}` : ''}) ${why}. ` +
        'The runner writes it for every workflow run: run the action as a step of a workflow, not by hand.'
    )
  if (!path) throw refused('is not set')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw refused(`could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  try {
    return { name, payload: JSON.parse(text) as unknown }
  } catch {
    throw refused('is not JSON')
  }
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
    stepSummary: Boolean(env.GITHUB_STEP_SUMMARY),
    event: runEvent(env)
  }
}
