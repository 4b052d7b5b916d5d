// A key as the Admin API describes it when the keys with findings are looked up.

/** Who owns a key, as the Admin API says: a user (email, role) or a service account (name, id). */
export interface KeyOwner {
  type: 'user' | 'service_account' | 'unknown'
  id?: string
  name?: string
  email?: string
  role?: string
}

/**
 * A key as the Admin API describes it when looked up after the scan: as it is now, not found
 * (OpenAI's own 404 for the key, in the key's own project: `projectId`, absent for an admin
 * key), or not looked up, and why. Not found is no proof that the key is gone, and closes
 * nothing. Names and emails are attacker-controlled text.
 */
export type KeyInfo =
  | {
      status: 'found'
      /** Unix seconds of the lookup: "how long ago" is measured from it. */
      lookedUpAt: number
      name?: string
      redactedValue?: string
      owner: KeyOwner
      createdAt?: number
      /** Unix seconds; null when the key was never used; absent when the API does not say. */
      lastUsedAt?: number | null
      /** Unix seconds; null when it never expires; absent when the API does not say. */
      expiresAt?: number | null
    }
  | { status: 'not-found'; lookedUpAt: number; projectId?: string }
  | { status: 'not-looked-up'; reason: string }

/** A key the Admin API described when it was looked up. */
export type FoundKey = Extract<KeyInfo, { status: 'found' }>

/** What the key lookups of a run did, for the summary and the report. */
export interface KeyLookups {
  /** Why no key was looked up (enrich-keys is false, an export was scanned); absent when lookups ran. */
  off?: string
  /** Requests made to the key endpoints. */
  requests: number
  /** Keys looked up (found or not found) and keys not looked up. */
  lookedUp: number
  notLookedUp: number
  /** What the summary must say: lookups refused, failed or over the cap, each once with its count. */
  notes: string[]
}
