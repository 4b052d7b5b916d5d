// The status issue on GitHub, the ledger's adapter: found by its label, its hidden marker
// and its author (the action itself), read within a time limit, and written by editing its
// body at most once a run, after reading it again and merging what it holds (two runs at
// once keep the union of what each read). Never closed; a closed one is reopened by the
// same edit. Every failure is a value in words, never an exception: a ledger that cannot be
// read or written costs a longer read next time, never the run.
import { gitHubFailure } from '../http/api-error.js'
import {
  createGitHubClient,
  GitHubPhase,
  untilPhaseEnds,
  type GitHubClient,
  type GitHubTimings
} from '../github/client.js'
import { isAppBot, tokenUser } from '../github/trust.js'
import { repositoryOf } from '../model/index.js'
import { isLedgerBody, LEDGER_TITLE, parseLedger } from './body.js'
import { EMPTY_LEDGER, mergeLedgers, type Ledger } from './ledger.js'

/** Where the status issue is, and how long each of its reads and writes may take. */
export interface LedgerTarget {
  token: string
  /** GITHUB_API_URL. */
  apiUrl: string
  /** owner/name. */
  repository: string
  label: string
  /** Milliseconds the read (or the write) may take in all, and the same in the user's words. */
  budget: { ms: number; words: string }
  /** Secrets besides the token to scrub from every message (the admin key). */
  secrets?: readonly string[]
  fetch?: typeof globalThis.fetch
  timings?: Partial<GitHubTimings>
  log?: (message: string) => void
}

/** A status issue as GitHub lists it. */
export interface StatusIssue {
  number: number
  url: string
  state: 'open' | 'closed'
  body?: string | null
  author?: string
}

/** What the status issues say: the record, the issue to write to, or why there is no record. */
export interface LedgerRead {
  /** The issue the action writes to: the oldest of its own. */
  issue?: StatusIssue
  /** The union of the records of the action's status issues; none when there is no status issue or none could be read. */
  ledger?: Ledger
  /** Why the record could not be read although there should be one (GitHub failed, a record edited by hand). */
  problem?: string
  /** What else to say once: issues with the marker that are not the action's. */
  notes: string[]
}

/**
 * The record of `candidates` (issues with the marker): the action's own are those `trusted`
 * says it wrote; their records are merged, and the oldest is the one to write to. A status
 * issue whose record cannot be read is a problem, unless another of the action's is read.
 */
export function pickStatus(
  candidates: readonly StatusIssue[],
  trusted: (issue: StatusIssue) => boolean,
  now: number
): LedgerRead {
  const own = candidates.filter(trusted).sort((a, b) => a.number - b.number)
  const notes = candidates
    .filter((issue) => !own.includes(issue))
    .map(
      (issue) =>
        `#${issue.number} carries the status issue's marker but was not opened by the action (it was by ${issue.author ?? 'a deleted user'}): it is ignored.`
    )
  let ledger: Ledger | undefined
  const problems: string[] = []
  for (const issue of own) {
    const parsed = parseLedger(issue.body)
    if ('problem' in parsed) problems.push(`status issue #${issue.number}: ${parsed.problem}`)
    else ledger = ledger ? mergeLedgers(ledger, parsed.ledger, now) : parsed.ledger
  }
  const problem = ledger === undefined && problems.length > 0 ? problems.join('; ') : undefined
  if (ledger !== undefined) notes.push(...problems.map((p) => `${p}; the other status issue's record is used.`))
  return { issue: own[0], ledger, problem, notes }
}

/** A client for one read or write, in a phase of its own bounded by the target's budget. */
async function withClient<T>(
  target: LedgerTarget,
  work: (client: GitHubClient, phase: GitHubPhase) => Promise<T>
): Promise<T> {
  const phase = new GitHubPhase(target.budget.ms, target.budget.words)
  try {
    const client = createGitHubClient({
      token: target.token,
      baseUrl: target.apiUrl,
      timings: target.timings,
      log: target.log,
      fetch: target.fetch,
      phase
    })
    return await untilPhaseEnds(phase, work(client, phase))
  } finally {
    phase.close()
  }
}

function repository(target: LedgerTarget): { owner: string; repo: string } {
  const repo = repositoryOf(target.repository)
  if (!repo) throw new Error(`the repository is "${target.repository}", not owner/name`)
  return repo
}

/** Every labelled issue that carries the marker, and which of them the action wrote. */
async function listStatus(client: GitHubClient, target: LedgerTarget, now: number): Promise<LedgerRead> {
  const { owner, repo } = repository(target)
  const candidates: StatusIssue[] = []
  const pages = client.paginate.iterator(client.rest.issues.listForRepo, {
    owner,
    repo,
    labels: target.label,
    state: 'all',
    per_page: 100
  })
  for await (const page of pages) {
    for (const item of page.data) {
      if (item.pull_request || !isLedgerBody(item.body)) continue
      candidates.push({
        number: item.number,
        url: item.html_url,
        state: item.state === 'closed' ? 'closed' : 'open',
        body: item.body,
        author: item.user?.login
      })
    }
  }
  // A personal access token writes as its user: asked only when an issue is not a bot's.
  const user = candidates.some((issue) => !isAppBot(issue.author)) ? await tokenUser(client) : undefined
  return pickStatus(candidates, (issue) => isAppBot(issue.author) || (user !== undefined && issue.author === user), now)
}

/** What GitHub said, and what to do when it refused: the token needs issues: write, or the ledger can be switched off. */
function failure(target: LedgerTarget, error: unknown): string {
  const hint = (status: number): string =>
    status === 401
      ? ' Check github-token.'
      : status === 403 || status === 404
        ? ' Check that the token may write issues (permissions: issues: write), or set ledger: false.'
        : ''
  return gitHubFailure(error, [target.token, ...(target.secrets ?? [])], hint).replace(/\.$/, '')
}

/** The status issues' record, read within the target's budget; a problem in words when GitHub fails. */
export async function readLedger(target: LedgerTarget, now: number): Promise<LedgerRead> {
  try {
    return await withClient(target, (client) => listStatus(client, target, now))
  } catch (error) {
    return { problem: `GitHub could not be read (${failure(target, error)})`, notes: [] }
  }
}

/** What a write did. */
export interface LedgerWrite {
  action: 'created' | 'updated' | 'reopened' | 'unchanged' | 'not-written'
  issue?: { number: number; url: string }
  notes: string[]
}

/**
 * Writes the ledger once: reads the status issues again, applies `change` to the record
 * they hold now (a record that cannot be read is replaced, and said so), and edits the
 * body only if it changes (reopening a closed issue in the same edit), or opens the status
 * issue when there is none.
 */
export async function writeLedger(
  target: LedgerTarget,
  change: (current: Ledger) => Ledger,
  render: (ledger: Ledger) => string,
  now: number
): Promise<LedgerWrite> {
  try {
    return await withClient(target, async (client) => {
      const current = await listStatus(client, target, now)
      const notes = [...current.notes]
      if (current.problem && current.issue) notes.push(`The ${current.problem}: it is replaced by this run's record.`)
      const body = render(change(current.ledger ?? EMPTY_LEDGER))
      const { owner, repo } = repository(target)
      const issue = current.issue
      if (!issue) {
        const request = { retries: 0 }
        const { data } = await client.rest.issues.create({
          owner,
          repo,
          title: LEDGER_TITLE,
          body,
          labels: [target.label],
          request
        })
        return { action: 'created', issue: { number: data.number, url: data.html_url }, notes }
      }
      const shown = { number: issue.number, url: issue.url }
      if (issue.body === body && issue.state === 'open') return { action: 'unchanged', issue: shown, notes }
      const reopen = issue.state === 'closed' ? { state: 'open' as const } : {}
      await client.rest.issues.update({ owner, repo, issue_number: issue.number, body, ...reopen })
      return { action: issue.state === 'closed' ? 'reopened' : 'updated', issue: shown, notes }
    })
  } catch (error) {
    return { action: 'not-written', notes: [`The status issue could not be written (${failure(target, error)})`] }
  }
}
