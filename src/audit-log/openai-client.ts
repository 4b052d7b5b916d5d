// The one way this project builds the official `openai` client for the Admin API, shared by
// the audit-log source and the key lookups, and the words it uses for the client's errors.
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
}

/**
 * fetch for the SDK, with the key and the headers the inputs give and no others the SDK took
 * from the environment: OPENAI_CUSTOM_HEADERS is applied after the SDK's own authorization,
 * so a workflow that sets "Authorization: ..." there for other steps would otherwise read
 * another organization's log, and "OpenAI-Organization: ..." another organization's part.
 */
function withInputHeaders(adminKey: string, send: typeof globalThis.fetch): typeof globalThis.fetch {
  return (url, init = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${adminKey}`)
    headers.delete('openai-organization')
    headers.delete('openai-project')
    return send(url, { ...init, headers })
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
    fetch: withInputHeaders(options.adminKey, options.fetch ?? globalThis.fetch)
  })
}

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

/** A body for a message: HTML reduced to a hint, anything else cut short. */
export function describeBody(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body))
  if (/<\s*(!doctype|html|head|body)\b/i.test(text)) {
    const title = /<title[^>]*>([^<]{0,120})/i.exec(text)?.[1]?.trim()
    return title ? `an HTML page titled "${title}"` : 'an HTML page'
  }
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat || 'an empty body'
}
