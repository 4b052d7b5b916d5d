// What the flagged keys have done since: the Usage API's completions and costs, filtered by
// `api_key_ids` and grouped by `api_key_id` (and model, for completions; costs cannot be
// grouped by model: UsageCostsParams.group_by lists project_id, user_id, line_item,
// api_key_id and api_source), daily. One request chain per endpoint for every key at once.
// The SDK does not page these (usage.completions and usage.costs return a plain APIPromise,
// openai/src/resources/admin/organization/usage.ts): `next_page` is followed here, at most
// USAGE_PAGES times. A refusal or a failure is one note, and changes no verdict.
import OpenAI from 'openai'
import type { KeyUsage } from '../model/index.js'
import { openAIAnswer, openAIFailureWords } from '../http/api-error.js'
import { adminReader, type AdminReadOptions } from '../openai/client.js'

const DAY = 86_400
/** Pages of daily buckets per endpoint, at most (31 buckets a page: `limit` for bucket_width=1d is at most 31). */
export const USAGE_PAGES = 3
/** Usage is read for this many keys a run at most, worst first. */
export const MAX_USAGE_KEYS = 10
/** Days shown when the key's creation is not known. */
const DEFAULT_DAYS = 7
const MAX_DAYS = 31

export type UsageOptions = AdminReadOptions & {
  /** Unix seconds. */
  now: number
}

/** A key to read, with its creation time when known. */
export interface UsageKey {
  keyId: string
  createdAt?: number
}

export interface UsageAnswer {
  usage: Map<string, KeyUsage>
  requests: number
  /** The one note for a refusal or a failure. */
  note?: string
}

/** The first second of the day `seconds` is in, UTC. */
const dayOf = (seconds: number): number => Math.floor(seconds / DAY) * DAY

/** Since the key's creation (at most MAX_DAYS back), or over the last DEFAULT_DAYS days. */
function sinceOf(key: UsageKey, now: number): number {
  const earliest = dayOf(now) - (MAX_DAYS - 1) * DAY
  return key.createdAt === undefined ? dayOf(now) - (DEFAULT_DAYS - 1) * DAY : Math.max(earliest, dayOf(key.createdAt))
}

interface Bucket {
  start_time: number
  results: Array<Record<string, unknown>>
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

export async function readUsage(keys: readonly UsageKey[], options: UsageOptions): Promise<UsageAnswer> {
  const answer: UsageAnswer = { usage: new Map(), requests: 0 }
  if (keys.length === 0) return answer
  const { client, limits, secrets } = adminReader(options)
  const starts = new Map(keys.map((key) => [key.keyId, sinceOf(key, options.now)]))
  const start_time = Math.min(...starts.values())
  const end_time = dayOf(options.now) + DAY
  const query = {
    start_time,
    end_time,
    api_key_ids: keys.map((key) => key.keyId),
    bucket_width: '1d' as const,
    limit: MAX_DAYS
  }
  const pages = async (
    read: (page?: string) => Promise<{ data: unknown[]; has_more: boolean; next_page: string | null }>
  ) => {
    const buckets: Bucket[] = []
    let page: string | undefined
    for (let count = 0; count < USAGE_PAGES; count++) {
      answer.requests++
      const response = await read(page)
      buckets.push(...(response.data as Bucket[]))
      if (!response.has_more || !response.next_page) break
      page = response.next_page
    }
    return buckets
  }
  try {
    const completions = await pages((page) =>
      client.admin.organization.usage.completions({
        ...query,
        group_by: ['api_key_id', 'model'],
        ...(page ? { page } : {})
      })
    )
    const costs = await pages((page) =>
      client.admin.organization.usage.costs({
        ...query,
        group_by: ['api_key_id', 'line_item'],
        ...(page ? { page } : {})
      })
    )
    for (const key of keys)
      answer.usage.set(key.keyId, usageOf(key.keyId, starts.get(key.keyId)!, end_time, completions, costs))
  } catch (error) {
    const words =
      error instanceof OpenAI.PermissionDeniedError || error instanceof OpenAI.AuthenticationError
        ? `the Usage API refused the admin key (${openAIAnswer(error, secrets)}): give it the Usage read permission to see what the keys did`
        : `the Usage API could not be read (${openAIFailureWords(error, limits, secrets)})`
    answer.note = `Usage not shown for ${keys.length === 1 ? 'the key' : `${keys.length} keys`}: ${words}.`
    for (const key of keys) answer.usage.set(key.keyId, { status: 'not-read', reason: words })
  }
  return answer
}

/** One key's share of the buckets: requests and tokens from completions, cost from costs. */
function usageOf(keyId: string, since: number, until: number, completions: Bucket[], costs: Bucket[]): KeyUsage {
  let requests = 0
  let inputTokens = 0
  let outputTokens = 0
  let cost: { value: number; currency: string } | undefined
  const models = new Set<string>()
  const mine = (bucket: Bucket) =>
    bucket.start_time >= since ? bucket.results.filter((result) => result.api_key_id === keyId) : []
  for (const result of completions.flatMap(mine)) {
    if (result.object !== 'organization.usage.completions.result') continue
    requests += num(result.num_model_requests)
    inputTokens += num(result.input_tokens)
    outputTokens += num(result.output_tokens)
    if (typeof result.model === 'string' && result.model) models.add(result.model)
  }
  for (const result of costs.flatMap(mine)) {
    const amount = result.amount as { value?: unknown; currency?: unknown } | undefined
    if (result.object !== 'organization.costs.result' || typeof amount?.value !== 'number') continue
    const currency = typeof amount.currency === 'string' ? amount.currency : 'usd'
    cost = { value: (cost?.value ?? 0) + amount.value, currency: cost?.currency ?? currency }
  }
  return {
    status: 'read',
    since,
    until,
    requests,
    inputTokens,
    outputTokens,
    ...(cost ? { cost } : {}),
    models: [...models]
  }
}
