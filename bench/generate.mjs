// Writes a synthetic audit-log export shaped like a real organization's: mostly logins,
// project and user changes and API-key-authenticated actions, a few percent key events.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

const OTHER_TYPES = [
  ['login.succeeded', 30],
  ['logout.succeeded', 8],
  ['login.failed', 3],
  ['project.updated', 6],
  ['user.updated', 5],
  ['rate_limit.updated', 6],
  ['service_account.created', 2],
  ['invite.sent', 3],
  ['role.assignment.created', 4],
  ['certificate.updated', 1],
  ['resource.deleted', 2],
  ['tenant.user.looked_up', 25]
]
const KEY_TYPES = ['api_key.created', 'api_key.updated', 'api_key.deleted']
// Panther's words and what OpenAI really records: Read Only keys, model use, fine-tuning,
// and All-permissions keys with no scopes at all.
const SCOPES = [
  ['models:read'],
  ['api.model.request'],
  ['models:write'],
  ['all'],
  ['api_keys:write', 'admin'],
  [],
  ['api.all.read'],
  ['model.request', 'api.model.read'],
  ['api.fine_tuning.jobs.write']
]
/** One line in this many is written with JSON escapes in its strings, as some exporters do. */
const ESCAPED_EVERY = 50

// A small deterministic generator, so every run writes the same file.
function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function pick(rand, weighted) {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0)
  let roll = rand() * total
  for (const [value, weight] of weighted) if ((roll -= weight) < 0) return value
  return weighted[0][0]
}

const hex = (rand, length) => {
  let out = ''
  while (out.length < length)
    out += Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, '0')
  return out.slice(0, length)
}

function actor(rand, index) {
  if (rand() < 0.35) {
    const service = rand() < 0.5
    return {
      type: 'api_key',
      api_key: service
        ? { id: `key_${hex(rand, 16)}`, type: 'service_account', service_account: { id: `svc_acct_${hex(rand, 12)}` } }
        : {
            id: `key_${hex(rand, 16)}`,
            type: 'user',
            user: { id: `user-${hex(rand, 12)}`, email: `dev${index % 400}@example.com` }
          }
    }
  }
  return {
    type: 'session',
    session: {
      user: { id: `user-${hex(rand, 12)}`, email: `person${index % 900}@example.com` },
      ip_address: `198.51.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
      user_agent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      ja3: hex(rand, 32),
      ja4: `t13d1516h2_${hex(rand, 12)}_${hex(rand, 12)}`,
      ip_address_details: {
        country: 'US',
        city: 'San Francisco',
        region: 'California',
        region_code: 'CA',
        asn: '13335',
        latitude: '37.7749',
        longitude: '-122.4194'
      }
    }
  }
}

function event(rand, index, effectiveAt, keyShare) {
  const key = rand() < keyShare
  const type = key ? KEY_TYPES[Math.floor(rand() * 3)] : pick(rand, OTHER_TYPES)
  const out = {
    id: `audit_log-${hex(rand, 24)}`,
    object: 'organization.audit_log',
    type,
    effective_at: effectiveAt,
    project: { id: `proj_${hex(rand, 24)}`, name: `Project ${index % 37}` },
    actor: actor(rand, index)
  }
  if (type === 'api_key.created') {
    out[type] = { id: `key_${hex(rand, 16)}`, data: { scopes: SCOPES[Math.floor(rand() * SCOPES.length)] } }
  } else if (type === 'api_key.updated') {
    out[type] = {
      id: `key_${hex(rand, 16)}`,
      changes_requested: { scopes: SCOPES[Math.floor(rand() * SCOPES.length)] }
    }
  } else if (type === 'api_key.deleted') {
    out[type] = { id: `key_${hex(rand, 16)}` }
  } else if (type.startsWith('login') || type.startsWith('logout')) {
    out[type] = type.endsWith('failed') ? { error_code: 'invalid_password', error_message: 'Invalid password' } : {}
  } else {
    out[type] = { id: `${type.split('.')[0]}_${hex(rand, 20)}`, changes_requested: { title: `Changed ${index % 97}` } }
  }
  const line = JSON.stringify(out)
  // "api\u005fkey.created" is "api_key.created" to a JSON parser, not to a byte search: the
  // scan must still find such a line, so the figures are not the prefilter's best case alone.
  return index % ESCAPED_EVERY === 0 ? line.replaceAll('_', '\\u005f') : line
}

/** Writes `count` events, newest last, about 650 bytes each; returns the byte size. */
export async function generate(path, count, { keyShare = 0.03, seed = 42, start = 1_790_000_000 } = {}) {
  const rand = random(seed)
  const out = createWriteStream(path)
  let bytes = 0
  let batch = []
  for (let index = 0; index < count; index++) {
    const line = event(rand, index, start + Math.floor(index / 10), keyShare)
    batch.push(line)
    bytes += Buffer.byteLength(line) + 1
    if (batch.length === 2000 || index === count - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain')
      batch = []
    }
  }
  out.end()
  await once(out, 'finish')
  return bytes
}
