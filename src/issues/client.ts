// The GitHub REST client: Octokit with throttling and retries composed in, as GitHub
// recommends for anything that writes. Only adapters under src/github/ use it.
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
// The build the throttling plugin itself uses (no Redis clustering), so it is bundled once.
import Bottleneck from 'bottleneck/light.js'

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
}

export const DEFAULT_TIMINGS: GitHubTimings = {
  secondMs: 1000,
  writeSpacingMs: 1000,
  notifySpacingMs: 3000,
  rateLimitRetries: 3,
  serverErrorRetries: 3,
  maxRateLimitWaitSeconds: 300
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
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings }
  const log = options.log ?? (() => {})
  const quiet = (): void => {}
  // The plugin's own groups are process-wide with fixed spacing; ours carry the timings.
  const group = (minTime: number): Bottleneck.Group => new Bottleneck.Group({ maxConcurrent: 1, minTime })
  return new GitHubClient({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'openai-keywatch',
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    log: { debug: quiet, info: quiet, warn: log, error: log },
    throttle: {
      retryAfterBaseValue: timings.secondMs,
      write: group(timings.writeSpacingMs),
      notifications: group(timings.notifySpacingMs),
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
        if (retryCount >= timings.rateLimitRetries || retryAfter > timings.maxRateLimitWaitSeconds) return false
        log(`GitHub secondary rate limit on ${request.method} ${request.url}: waiting ${retryAfter}s, then retrying.`)
        return true
      },
      onRateLimit: (retryAfter, request, _octokit, retryCount) => {
        if (retryCount >= timings.rateLimitRetries || retryAfter > timings.maxRateLimitWaitSeconds) return false
        log(`GitHub rate limit on ${request.method} ${request.url}: waiting ${retryAfter}s, then retrying.`)
        return true
      }
    },
    retry: {
      retries: timings.serverErrorRetries,
      retryAfterBaseValue: timings.secondMs,
      // Rate limits (403, 429) are the throttling plugin's; the rest would fail again.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
    }
  })
}
