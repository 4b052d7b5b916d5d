// The one way this project builds the official `openai` client for the Admin API, shared by
// the audit-log source, the key lookups and the readers (adminReader: an identity's history,
// the usage, a revocation); the words for its errors are http/api-error.ts's.
// The SDK retries 408/409/429/5xx with backoff, honouring retry-after(-ms); the callers
// bound the retries and each request, and every line the SDK logs is scrubbed of the key.
import OpenAI from 'openai'
import { redact } from '../text.js'

export interface AdminClientOptions {
  adminKey: string
  baseURL: string
  /** Retries of one request after a 408/409/429/5xx or a connection error or timeout. */
  maxRetries: number
  /** Milliseconds one request may take, body included. */
  requestTimeoutMs: number
  /** Where the SDK's own warnings go (scrubbed of the secrets); nowhere by default. */
  warn?: (line: string) => void
  /** Secrets besides the key to scrub from what the SDK says (the GitHub token). */
  secrets?: readonly string[]
  /** The fetch to send requests with (through a proxy); the runtime's by default. */
  fetch?: typeof globalThis.fetch
  /** The most bytes an answer's body may have; MAX_RESPONSE_BYTES by default. */
  maxResponseBytes?: number
}

/** What a reader of the Admin API (an identity's history, the usage, a revocation) is given: the client's options, its limits optional. */
export type AdminReadOptions = Omit<AdminClientOptions, 'maxRetries' | 'requestTimeoutMs' | 'maxResponseBytes'> &
  Partial<Pick<AdminClientOptions, 'maxRetries' | 'requestTimeoutMs'>>

/** A reader's limits where its options give none: two retries, a minute a request. */
export const ADMIN_READ_LIMITS = { maxRetries: 2, requestTimeoutMs: 60_000 }

/**
 * A reader of the Admin API: its client, the limits its requests are made with, and the
 * secrets scrubbed from what it says of them (the key first); http/api-error.ts's
 * openAIAnswer and openAIFailureWords say it with these.
 */
export interface AdminReader {
  client: OpenAI
  limits: { maxRetries: number; requestTimeoutMs: number }
  secrets: string[]
}

/** The reader `options` describe, with ADMIN_READ_LIMITS where they give no limit. */
export function adminReader(options: AdminReadOptions): AdminReader {
  const limits = {
    maxRetries: options.maxRetries ?? ADMIN_READ_LIMITS.maxRetries,
    requestTimeoutMs: options.requestTimeoutMs ?? ADMIN_READ_LIMITS.requestTimeoutMs
  }
  return {
    client: createAdminClient({
      adminKey: options.adminKey,
      baseURL: options.baseURL,
      ...limits,
      warn: options.warn,
      secrets: options.secrets,
      fetch: options.fetch
    }),
    limits,
    secrets: [options.adminKey, ...(options.secrets ?? [])]
  }
}

/**
 * The largest answer read: an audit-log page of 100 events is a few hundred kilobytes, a key
 * a few hundred bytes. Past it the body is not read on: a page of a gigabyte (a proxy gone
 * wrong, or a hostile one) would otherwise be held whole in memory, several times over.
 */
export const MAX_RESPONSE_BYTES = 32 * 2 ** 20

/** An answer larger than the limit: the request failed. */
export class ResponseBodyError extends Error {
  override name = 'ResponseBodyError'
}

function mebibytes(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${Math.round(bytes / 1024)} KiB`
}

/** Statuses whose answers have no body: a Response cannot be made with one. */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * The answer with its body bounded to `limit` bytes (decoded, so a compressed bomb counts at
 * its real size): what the SDK reads past it is a ResponseBodyError naming the request, and
 * the rest is not downloaded. (Time needs no bound here: the SDK's timeout covers the body
 * too, and retries it: parseResponseWithTimeout in openai/src/client.ts.)
 */
function bounded(response: Response, what: string, limit: number): Response {
  if (!response.body || NULL_BODY.has(response.status)) return response
  const declared = Number(response.headers.get('content-length') ?? NaN)
  const tooLarge = (size: string): ResponseBodyError =>
    new ResponseBodyError(
      `the answer to ${what} is larger than the limit of ${mebibytes(limit)} (${size}): no audit-log page or key is that large; ` +
        'check openai-base-url and what stands between the runner and the API (a proxy or cache answering in its place)'
    )
  let size = 0
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      if (declared > limit) controller.error(tooLarge(`Content-Length: ${declared}`))
    },
    transform(chunk, controller) {
      size += chunk.byteLength
      if (size > limit) controller.error(tooLarge('its body went past it, and was not read on'))
      else controller.enqueue(chunk)
    }
  })
  // An error stops the pipe and cancels the download; nothing waits on the pipe itself.
  return new Response(response.body.pipeThrough(counted), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers
  })
}

/**
 * fetch for the SDK, with the key and the headers the inputs give and no others the SDK took
 * from the environment: OPENAI_CUSTOM_HEADERS is applied after the SDK's own authorization,
 * so a workflow that sets "Authorization: ..." there for other steps would otherwise read
 * another organization's log, and "OpenAI-Organization: ..." another organization's part.
 */
function withInputHeaders(
  adminKey: string,
  send: typeof globalThis.fetch,
  maxResponseBytes: number
): typeof globalThis.fetch {
  return async (url, init = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${adminKey}`)
    headers.delete('openai-organization')
    headers.delete('openai-project')
    const response = await send(url, { ...init, headers })
    const what = `${init.method ?? 'GET'} ${new URL(String(url instanceof Request ? url.url : url)).pathname}`
    return bounded(response, what, maxResponseBytes)
  }
}

export function createAdminClient(options: AdminClientOptions): OpenAI {
  const warn = options.warn ?? (() => undefined)
  const secrets = [options.adminKey, ...(options.secrets ?? [])]
  const say = (...args: unknown[]): void => warn(redact(args.map(String).join(' '), secrets))
  return new OpenAI({
    adminAPIKey: options.adminKey,
    apiKey: null,
    // Explicitly none: left undefined, the SDK reads OPENAI_ORG_ID and OPENAI_PROJECT_ID
    // and sends them as OpenAI-Organization and OpenAI-Project headers.
    organization: null,
    project: null,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries,
    timeout: options.requestTimeoutMs,
    // Explicit, so OPENAI_LOG=debug in the environment cannot make the SDK print requests.
    logLevel: 'warn',
    logger: { error: say, warn: say, info: () => undefined, debug: () => undefined },
    fetch: withInputHeaders(
      options.adminKey,
      options.fetch ?? globalThis.fetch,
      options.maxResponseBytes ?? MAX_RESPONSE_BYTES
    )
  })
}
