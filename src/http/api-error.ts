// What a request that failed says, in the words every message about one uses: OpenAI's
// (the audit-log source, the key lookups) and GitHub's (the issues). What servers and
// libraries say goes through the one redactor (text.ts), whole and before any cut: a cut
// inside a secret the server echoed would leave the rest of it to print.
import OpenAI from 'openai'
import { errorMessage, plural, redact } from '../text.js'

/** A request that got no whole answer within its time limit; retried like a server error. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError'
}

/** How a request was made, for the words of its failure: its retries and its time limit. */
export interface RequestLimits {
  maxRetries: number
  requestTimeoutMs: number
}

type OpenAIError = InstanceType<typeof OpenAI.APIError>

/**
 * The server's own words from an OpenAI error body, or the status text: redacted whole
 * before it is cut, so a cut can never fall inside a secret the server echoed.
 */
export function serverMessage(error: InstanceType<typeof OpenAI.APIError>, secrets: readonly string[]): string {
  const body = error.error as { message?: unknown } | undefined
  if (body && typeof body.message === 'string' && body.message.trim() !== '')
    return redact(body.message, secrets).slice(0, 300)
  return describeBody(redact(error.message, secrets))
}

/** An error's message with its cause's, for connection errors. */
export function causeOf(error: Error): string {
  const cause = (error as { cause?: { message?: unknown } }).cause
  return typeof cause?.message === 'string' && cause.message !== ''
    ? `${error.message} ${cause.message}`
    : error.message
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`
}

/** How much of a body is looked at to describe it: its start says what it is. */
const DESCRIBED_CHARS = 8192

/**
 * A body for a message: HTML reduced to a hint, anything else cut short. The body is
 * attacker-controlled and can be megabytes: it is cut before any expression sees it, and
 * every repetition in those expressions is bounded, so the work is linear in what is kept.
 */
export function describeBody(body: unknown): string {
  let text: string
  try {
    text = typeof body === 'string' ? body.slice(0, DESCRIBED_CHARS) : (JSON.stringify(body) ?? String(body))
  } catch {
    // Nested too deep for JSON.stringify: a value, not a page.
    return 'a JSON value'
  }
  text = text.slice(0, DESCRIBED_CHARS)
  if (/<\s{0,32}(!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^<>]{0,200}>([^<]{0,120})/i.exec(text)?.[1]?.trim()
    return title ? `an HTML page titled "${title}"` : 'an HTML page'
  }
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat || 'an empty body'
}

/** OpenAI's answer in a message: its status and its words, "403: You do not have access". */
export function openAIAnswer(error: OpenAIError, secrets: readonly string[]): string {
  return `${error.status}: ${serverMessage(error, secrets)}`
}

/**
 * An OpenAI request that failed in one of the SDK's own ways, in words: not reached (or no
 * answer in time) after every try, or an error status, after the retries the SDK makes of
 * 429 and 5xx. Undefined for any other error: the caller knows what it means.
 */
export function openAIFailure(error: unknown, limits: RequestLimits, secrets: readonly string[]): string | undefined {
  if (error instanceof OpenAI.APIConnectionError) {
    // Timeouts included: how an aborted request surfaces differs between runtimes.
    return (
      `the API could not be reached or did not answer within ${duration(limits.requestTimeoutMs)} ` +
      `(${redact(causeOf(error), secrets)}), ${limits.maxRetries + 1} tries`
    )
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const retried =
      error.status === 429 || error.status >= 500 ? ` after ${plural(limits.maxRetries, 'retry', 'retries')}` : ''
    return `the API answered ${error.status}${retried} (${serverMessage(error, secrets)})`
  }
  return undefined
}

/** A failed OpenAI request in words: openAIFailure's, or else the error's own message, scrubbed and cut to 300 characters. */
export function openAIFailureWords(error: unknown, limits: RequestLimits, secrets: readonly string[]): string {
  return openAIFailure(error, limits, secrets) ?? errorMessage(error, secrets).slice(0, 300)
}

/** Where a URL goes, without its query. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url.split('?')[0]!
  }
}

/**
 * A GitHub request that failed, in words: no whole answer in time after its retries, or
 * GitHub's status for the request, its words and what to do (`hint`, from the status and
 * the words); otherwise the error's message. Redacted, and cut to 500 characters.
 */
export function gitHubFailure(
  error: unknown,
  secrets: readonly string[],
  hint: (status: number, message: string) => string = () => ''
): string {
  const status = (error as { status?: unknown }).status
  const request = (error as { request?: { method?: string; url?: string } }).request
  const message = error instanceof Error ? error.message : String(error)
  const what = request?.method && request.url ? `${request.method} ${pathOf(request.url)}` : ''
  let words = message
  if ((error as { cause?: unknown }).cause instanceof NoAnswerError) {
    words = `${message}${what ? ` for ${what}` : ''}, after its retries: GitHub is slow or unreachable; the next run tries again.`
  } else if (typeof status === 'number') {
    words = `GitHub answered ${status}${what ? ` to ${what}` : ''}: ${message}.${hint(status, message)}`
  }
  return redact(words, secrets).slice(0, 500)
}
