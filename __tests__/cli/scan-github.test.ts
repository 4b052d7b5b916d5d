// The CLI's --repo: a dry run that reads and prints by default, writes with --write.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXIT, main } from '../../src/cli/main.js'
import { isLedgerBody, parseLedger } from '../../src/ledger/body.js'
import { FakeGitHub } from '../support/fake-github.js'
import { keyEvent, startFakeOpenAI } from '../support/fake-openai.js'
import { tempDir } from '../support/temp.js'

const SEED = '__fixtures__/seed-events.jsonl'
let github: FakeGitHub
const saved = { ...process.env }

beforeEach(async () => {
  github = await new FakeGitHub().start()
  process.env.GITHUB_TOKEN = github.token
  process.env.GITHUB_API_URL = github.url
})
afterEach(async () => {
  process.env = { ...saved }
  await github.stop()
})

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(
    args,
    (line) => out.push(line),
    (line) => err.push(line)
  )
  return { code, out, err }
}

describe('openai-keywatch scan --repo', () => {
  it('is a dry run by default: reads, prints what it would do, writes nothing', async () => {
    const run = await cli('scan', '--file', SEED, '--repo', 'acme/security')
    expect(run.code).toBe(EXIT.findings)
    const lines = run.out.join('\n').split('\n')
    expect(lines.filter((line) => line.trim().startsWith('would-create'))).toHaveLength(4)
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/security/issues'])
  })

  it('writes with --write, and a second run changes nothing', async () => {
    const dir = tempDir('keywatch-cli-')
    const file = join(dir, 'one.jsonl')
    writeFileSync(
      file,
      readFileSync(SEED, 'utf8')
        .split('\n')
        .filter((line) => line.includes('key-suspicious001'))
        .join('\n')
    )
    const first = await cli('scan', '--file', file, '--repo', 'acme/security', '--write', '--fail-on', 'none')
    expect(first.code).toBe(EXIT.clean)
    expect(first.out.join('\n').split('\n')).toContain(
      '  created       key-suspicious001  https://github.com/acme/security/issues/1  (CRITICAL, 1 event)'
    )
    expect(github.issues).toHaveLength(1)
    expect(github.issues[0]!.body).toContain('Found by the openai-keywatch CLI.')
    github.reset()
    const second = await cli('scan', '--file', file, '--repo', 'acme/security', '--write', '--fail-on', 'none')
    expect(second.out.join('\n')).toMatch(/^ {2}unchanged {5}key-suspicious001/m)
    expect(github.writes).toEqual([])
  })

  it('makes no GitHub request without --repo, and refuses --write without it', async () => {
    const plain = await cli('scan', '--file', SEED)
    expect(plain.code).toBe(EXIT.findings)
    expect(github.requests).toEqual([])
    const bad = await cli('scan', '--file', SEED, '--write')
    expect(bad.code).toBe(EXIT.usage)
    expect(bad.err).toEqual(['openai-keywatch: --write needs --repo OWNER/NAME: the repository to write issues in.'])
  })

  it('keeps the coverage ledger: a backfill with --write adds its window, a dry run reads it and writes nothing', async () => {
    const key = 'sk-admin-CLILEDGERabcdefghijklmnopqrstuvwxyz0123'
    const now = Math.floor(Date.now() / 1000)
    const openai = await startFakeOpenAI({ key, events: [keyEvent(1, now - 5000, ['all'])] })
    process.env.OPENAI_ADMIN_KEY = key
    try {
      const window = ['--since', String(now - 7200), '--until', String(now - 3600), '--base-url', openai.baseURL]
      const dry = await cli('scan', ...window, '--repo', 'acme/security', '--fail-on', 'none', '--enrich-keys', 'false')
      expect(dry.code).toBe(EXIT.clean)
      expect(dry.out.join('\n')).toContain('Coverage ledger  nothing missed before this window; dry-run')
      expect(github.writes).toEqual([])
      const written = await cli(
        'scan',
        ...window,
        '--repo',
        'acme/security',
        '--write',
        '--fail-on',
        'none',
        '--enrich-keys',
        'false'
      )
      expect(written.code).toBe(EXIT.clean)
      expect(written.out.join('\n')).toMatch(
        /Coverage ledger {2}nothing missed before this window; status issue #\d+: created/
      )
      const status = github.issues.find((issue) => isLedgerBody(issue.body))!
      expect(parseLedger(status.body)).toEqual({
        ledger: {
          covered: [{ start: now - 7200, end: now - 3600 }],
          last: { start: now - 7200, end: now - 3600 },
          gaps: []
        }
      })
      expect(status.labels).toEqual(['openai-keywatch'])
    } finally {
      await openai.close()
    }
  })
})
