// The GitHub REST client: Octokit with throttling and retries composed in, as GitHub
// recommends for anything that writes, and bounded: every request has a time limit (its
// answer included), and the phase it runs in has a budget that ends it, with waits for rate
// limits that would outlast it and with repeated secondary-limit refusals. The issues' sync
// uses it; so can any stage that reads or writes GitHub.
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
// The build the throttling plugin itself uses (no Redis clustering), so it is bundled once.
import Bottleneck from 'bottleneck/light.js'
import { NoAnswerError } from '../http/api-error.js'

export const GitHubClient = Octokit.plugin(throttling, retry)
export type GitHubClient = InstanceType<typeof GitHubClient>

/**
 * How long the client waits. The defaults are GitHub's guidance and the plugins' own;
 * tests shorten them so that a retry-after of seconds takes milliseconds.
 */
export interface GitHubTimings {
  /** Milliseconds per second of `retry-after` (throttling) and of retry back-off. */
  secondMs: number
  /** Milliseconds between content-creating requests (GitHub asks for at least one second). */
  writeSpacingMs: number
  /** Milliseconds between requests that notify people (new issues and comments). */
  notifySpacingMs: number
  /** Retries after a secondary rate limit, and after a server error. */
  rateLimitRetries: number
  serverErrorRetries: number
  /** A primary rate limit that resets later than this is not waited for: the run reports it instead. */
  maxRateLimitWaitSeconds: number
  /** Milliseconds one request may take, its whole answer included (a GitHub that trickles bytes times out too). */
  requestTimeoutMs: number
  /** Secondary-limit refusals in a row that end the phase: GitHub asks to stop writing for a while. */
  maxSecondaryLimits: number
}

export const DEFAULT_TIMINGS: GitHubTimings = {
  secondMs: 1000,
  writeSpacingMs: 1000,
  notifySpacingMs: 3000,
  rateLimitRetries: 3,
  serverErrorRetries: 3,
  maxRateLimitWaitSeconds: 300,
  requestTimeoutMs: 30_000,
  maxSecondaryLimits: 3
}

/**
 * The GitHub phase: its budget, and the reason it ended early, once it has. When its budget
 * is spent, requests in flight are aborted; when GitHub refuses to go on (rate limits), the
 * request refused fails as GitHub answered it and no other starts.
 */
export class GitHubPhase {
  private readonly controller = new AbortController()
  private readonly deadline: number
  private readonly timer?: NodeJS.Timeout
  private why?: string
  private refused?: string

  /** `budgetMs`: how long the phase may take in all; `budget`: the same in the user's words ("github-budget: 10m"). */
  constructor(
    budgetMs = Infinity,
    readonly budget = 'its budget'
  ) {
    this.deadline = Date.now() + budgetMs
    if (Number.isFinite(budgetMs)) {
      this.timer = setTimeout(
        () => this.end(`the GitHub phase used its whole budget (${budget}) before it was done`, true),
        Math.min(budgetMs, 2 ** 31 - 1)
      )
      this.timer.unref()
    }
  }

  /** Aborted when the budget is spent. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Why the phase ended before its work was done; undefined while it runs. */
  get ended(): string | undefined {
    return this.why
  }

  /**
   * What stopped the phase when GitHub refused the token, the repository or its issues (a
   * 401, 403, 404 or 410): said as it is for every key not written, since each would be
   * refused alike. Undefined while it runs, and when it ended otherwise (its budget, rate limits).
   */
  get refusal(): string | undefined {
    return this.refused
  }

  /** Ends the phase on a refusal that every later request would meet too: `detail` says what to fix. */
  refuse(detail: string): void {
    if (this.why === undefined) this.refused = detail
    this.end(detail)
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now())
  }

  end(reason: string, abort = false): void {
    this.why ??= reason
    if (abort) this.controller.abort(new PhaseEnded(this.why))
  }

  close(): void {
    clearTimeout(this.timer)
  }
}

/**
 * What a request gets once the phase has ended. Named AbortError, so that Octokit hands it
 * on as it is and its retry plugin does not retry it.
 */
export class PhaseEnded extends Error {
  override name = 'AbortError'
  readonly phaseEnded = true
}

export function isPhaseEnded(error: unknown): error is PhaseEnded {
  return (error as { phaseEnded?: unknown } | null)?.phaseEnded === true
}

/** Statuses whose answer has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * fetch with a time limit on the whole answer, and the phase's end. The body is read here,
 * under the same limits: Octokit reads a body that fails part-way as an empty one.
 */
function boundedFetch(timeoutMs: number, phase: GitHubPhase, send: typeof fetch): typeof fetch {
  return async (url, init = {}) => {
    if (phase.ended) throw new PhaseEnded(phase.ended)
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = AbortSignal.any([timeout, phase.signal, ...(init.signal ? [init.signal] : [])])
    try {
      const response = await send(url, { ...init, signal })
      const body = NULL_BODY.has(response.status) ? null : await response.arrayBuffer()
      const whole = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers
      })
      Object.defineProperty(whole, 'url', { value: response.url })
      return whole
    } catch (error) {
      if (phase.signal.aborted) throw new PhaseEnded(phase.ended ?? 'the GitHub phase ended')
      if (timeout.aborted) {
        throw new NoAnswerError(`GitHub gave no whole answer within ${Math.round(timeoutMs / 100) / 10} s`)
      }
      throw error
    }
  }
}

export interface GitHubClientOptions {
  token: string
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's /api/v3. */
  baseUrl: string
  timings?: Partial<GitHubTimings>
  /** Where waits are told (the action's log). */
  log?: (message: string) => void
  /** The fetch to send requests with (through a proxy); the runtime's by default. */
  fetch?: typeof globalThis.fetch
  /** The phase the client works in; one without a budget by default. */
  phase?: GitHubPhase
}

/**
 * Whether to wait `retryAfter` seconds for a rate limit (`what`) and retry: never past the
 * phase's budget (which then ends), nor once the phase has ended.
 */
function waitsFor(
  phase: GitHubPhase,
  timings: GitHubTimings,
  log: (message: string) => void
): (what: string, retryAfter: number, request: { method: string; url: string }, retryCount: number) => boolean {
  return (what, retryAfter, request, retryCount) => {
    if (phase.ended || retryCount >= timings.rateLimitRetries || retryAfter > timings.maxRateLimitWaitSeconds)
      return false
    if (retryAfter * timings.secondMs >= phase.remainingMs()) {
      phase.end(
        `GitHub asked to wait ${retryAfter} s (${what}), longer than what is left of the GitHub phase's budget (${phase.budget})`
      )
      return false
    }
    log(`GitHub ${what} on ${request.method} ${request.url}: waiting ${retryAfter}s, then retrying.`)
    return true
  }
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings }
  const phase = options.phase ?? new GitHubPhase()
  const log = options.log ?? (() => {})
  const quiet = (): void => {}
  // The plugin's own groups are process-wide with fixed spacing; ours carry the timings.
  const group = (minTime: number): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 1, minTime })
  let refusedInARow = 0
  const waitFor = waitsFor(phase, timings, log)
  const client = new GitHubClient({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'openai-keywatch',
    log: { debug: quiet, info: quiet, warn: log, error: log },
    request: { fetch: boundedFetch(timings.requestTimeoutMs, phase, options.fetch ?? globalThis.fetch) },
    throttle: {
      retryAfterBaseValue: timings.secondMs,
      write: group(timings.writeSpacingMs),
      notifications: group(timings.notifySpacingMs),
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
        // Refused again and again, every later write would be too: the phase ends here.
        if (++refusedInARow >= timings.maxSecondaryLimits) {
          phase.end(
            `GitHub's secondary rate limit refused ${refusedInARow} requests in a row, so the GitHub phase ended early`
          )
          return false
        }
        return waitFor('secondary rate limit', retryAfter, request, retryCount)
      },
      onRateLimit: (retryAfter, request, _octokit, retryCount) => waitFor('rate limit', retryAfter, request, retryCount)
    },
    retry: {
      retries: timings.serverErrorRetries,
      retryAfterBaseValue: timings.secondMs,
      // Rate limits (403, 429) are the throttling plugin's; the rest would fail again.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
    }
  })
  client.hook.after('request', () => {
    refusedInARow = 0
  })
  return client
}

/**
 * `request`, or PhaseEnded as soon as the phase's budget is spent: a request stuck in a
 * retry wait is not waited for. (It fails at once when it runs: the phase's signal is aborted.)
 */
export function untilPhaseEnds<T>(phase: GitHubPhase, request: Promise<T>): Promise<T> {
  request.catch(() => undefined)
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new PhaseEnded(phase.ended ?? 'the GitHub phase ended'))
    if (phase.signal.aborted) return stop()
    phase.signal.addEventListener('abort', stop, { once: true })
    request.then(resolve, reject).finally(() => phase.signal.removeEventListener('abort', stop))
  })
}
