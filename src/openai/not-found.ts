// What OpenAI's own "not found" looks like, told apart from anyone else's 404: shared by the
// key lookups after a scan and the revocation, which both ask the Admin API for one key.
import OpenAI from 'openai'
import { isObject } from '../model/index.js'

/**
 * OpenAI's own answer for a key it does not hold: its error object as the API reference
 * defines it (schemas Error and ErrorResponse: `message`, `type`, `param` and `code`, all
 * present), of type invalid_request_error, with no code or a not-found one, and not its
 * "Invalid URL" answer for a route it does not have. A gateway's HTML page, an empty body
 * or another service's JSON is none of these: it says nothing about the key.
 */
export function openAINotFound(error: InstanceType<typeof OpenAI.APIError>): boolean {
  const body = error.error
  if (error.status !== 404 || !isObject(body)) return false
  const { message, type, param, code } = body
  return (
    typeof message === 'string' &&
    !/^Invalid URL\b/.test(message) &&
    type === 'invalid_request_error' &&
    'param' in body &&
    (param === null || typeof param === 'string') &&
    'code' in body &&
    (code === null || (typeof code === 'string' && /not_found$/.test(code)))
  )
}
