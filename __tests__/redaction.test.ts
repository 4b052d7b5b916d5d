// The one redactor on every path that prints a server's words: the audit log, the key
// lookups, GitHub's error details and the SDK's own log lines. Each is fed an echo of the
// admin key (and of the GitHub token) placed so that every cut the message goes through
// falls at every position inside it, and after a `%20`, and upper-cased.
import { AdminApiSource } from '../src/audit-log/api-source.js'
import { lookUpKeys } from '../src/audit-log/key-lookup.js'
import { createAdminClient } from '../src/openai/client.js'
import { syncIssues } from '../src/issues/sync.js'
import { DEFAULT_RULE_OPTIONS } from '../src/rules/api-key-anomalous-activity.js'
import { groupByKey } from '../src/scan/by-key.js'
import { scan } from '../src/scan/engine.js'
import { scanned } from './support/events.js'
import { FakeGitHub } from './support/fake-github.js'
import { echoes, leaks } from './support/leaks.js'
import { keyEvent, startFakeOpenAI, userKey, type FakeOpenAI } from './support/fake-openai.js'

const KEY = 'sk-admin-ECHOabcdefghijklmnopqrstuvwxyz0123456789'
const TOKEN = 'ghs_ECHOq0123456789abcdefghijklmnop'
const SINCE = 1_790_000_000
const UNTIL = SINCE + 86_400

let openai: FakeOpenAI | undefined
afterEach(async () => {
  await openai?.close()
  openai = undefined
})

function source(fake: FakeOpenAI): AdminApiSource {
  return new AdminApiSource({
    adminKey: KEY,
    baseURL: fake.baseURL,
    since: SINCE,
    until: UNTIL,
    projectIds: [],
    maxRetries: 0,
    requestTimeoutMs: 2000,
    deadlineMs: 20_000,
    secrets: [TOKEN]
  })
}

const opaque = (message: string) => ({
  error: { message, type: 'invalid_request_error', param: null, code: null }
})

describe('the audit log', () => {
  it('refusing the key (401): the error never holds the key, wherever the 300-character cut falls', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [] })
    for (const secret of [KEY, TOKEN]) {
      for (const message of echoes(secret, 300)) {
        openai.fault({ status: 401, body: opaque(message) })
        const error = await scan(source(openai), {
          rule: DEFAULT_RULE_OPTIONS,
          window: { since: SINCE, until: UNTIL },
          allowActors: []
        }).catch((failure: Error) => failure)
        expect(error).toBeInstanceOf(Error)
        expect((error as Error).message).toContain('The OpenAI Admin API did not accept the key')
        expect(leaks((error as Error).message, secret)).toBe(false)
      }
    }
  })

  it('failing a page (400, an HTML 404, an HTML page): the part missing never holds the key', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [keyEvent(1, SINCE + 60)] })
    const faults = [
      ...echoes(KEY, 300).map((message) => ({ status: 400, body: opaque(message) })),
      // An HTML error page: its title (120 characters) and its text (200) are cut.
      ...echoes(KEY, 120).map((message) => ({ status: 404, html: `<html><title>${message}</title></html>` })),
      ...echoes(KEY, 200).map((message) => ({ status: 404, html: `<p>${message}</p>` })),
      ...echoes(KEY, 120).map((message) => ({ html: `<html><title>${message}</title></html>` }))
    ]
    for (const fault of faults) {
      openai.fault(fault)
      const api = source(openai)
      const { source: status } = await scan(api, {
        rule: DEFAULT_RULE_OPTIONS,
        window: { since: SINCE, until: UNTIL },
        allowActors: []
      })
      expect(status.complete).toBe(false)
      expect(status.missing).toHaveLength(1)
      expect(leaks(status.missing[0]!, KEY)).toBe(false)
    }
  })
})

describe('the key lookups', () => {
  it('refused (403) or failing (400): the note and the reason never hold the key', async () => {
    openai = await startFakeOpenAI({ key: KEY, events: [], projectKeys: [userKey('key_1')] })
    const keys = groupByKey((await scanned([keyEvent(1, SINCE + 60)])).findings)
    for (const status of [403, 400]) {
      for (const message of echoes(KEY, 300)) {
        openai.fault({ status, body: opaque(message) })
        const { infos, lookups } = await lookUpKeys(keys, {
          adminKey: KEY,
          baseURL: openai.baseURL,
          maxRetries: 0,
          secrets: [TOKEN]
        })
        const said = JSON.stringify({ infos: [...infos.values()], lookups })
        expect(said).toContain(String(status))
        expect(leaks(said, KEY)).toBe(false)
      }
    }
  })
})

describe("the SDK's log lines", () => {
  it('are scrubbed of the key and the token before they are handed on', () => {
    const lines: string[] = []
    const client = createAdminClient({
      adminKey: KEY,
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 0,
      requestTimeoutMs: 1000,
      warn: (line) => lines.push(line),
      secrets: [TOKEN]
    })
    for (const secret of [KEY, TOKEN]) for (const message of echoes(secret, 0)) client.logger.warn(message)
    client.logger.error('headers', { authorization: `Bearer ${KEY}` })
    expect(lines.length).toBeGreaterThan(4)
    for (const line of lines) {
      expect(leaks(line, KEY)).toBe(false)
      expect(leaks(line, TOKEN)).toBe(false)
    }
  })
})

describe("GitHub's error details", () => {
  let github: FakeGitHub
  beforeEach(async () => {
    github = await new FakeGitHub({ token: TOKEN }).start()
  })
  afterEach(async () => {
    await github.stop()
  })

  it('never hold the token or the admin key, wherever the 500-character cut falls', async () => {
    const keys = groupByKey((await scanned([keyEvent(1, SINCE + 60)])).findings)
    const lines: string[] = []
    // The text in front of GitHub's message: "GitHub answered 422 to POST /repos/acme/security/issues: ".
    const before = 'GitHub answered 422 to POST /repos/acme/security/issues: '.length
    for (const secret of [TOKEN, KEY]) {
      for (const message of echoes(secret, 500 - before)) {
        github.fail({ method: 'POST', status: 422, message })
        const [action] = await syncIssues(
          keys,
          [],
          { label: 'openai-keywatch', maxIssues: 5, dryRun: false, reopenClosed: true },
          {
            token: TOKEN,
            apiUrl: github.url,
            repository: 'acme/security',
            secrets: [KEY],
            log: (line) => lines.push(line),
            timings: { secondMs: 1, writeSpacingMs: 0, notifySpacingMs: 0 }
          }
        )
        expect(action).toMatchObject({ action: 'failed' })
        expect(action!.detail).toContain('GitHub answered 422')
        expect(leaks(action!.detail!, secret)).toBe(false)
      }
    }
    for (const line of lines) expect(leaks(line, TOKEN) || leaks(line, KEY)).toBe(false)
  })
})
