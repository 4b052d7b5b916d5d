// openai-keywatch revoke, in process, against the fake Admin API: it asks before it acts,
// --yes skips the question, and it never deletes on a guessed project.
import { Readable } from 'node:stream'
import { EXIT } from '../../src/cli/main.js'
import { runCli } from '../support/cli.js'
import { keyEvent, serviceAccountKey, startFakeOpenAI, userKey, type FakeOpenAI } from '../support/fake-openai.js'

const ADMIN_KEY = 'sk-admin-REVOKECLI0123456789abcdef'

/** Standard input: a terminal that answers `answer`, or a pipe. */
function stdinOf(answer: string, terminal: boolean): Readable & { isTTY?: boolean } {
  const stream = Readable.from([`${answer}\n`]) as Readable & { isTTY?: boolean }
  stream.isTTY = terminal
  return stream
}

function cli(argv: string[], stdin = stdinOf('', true)) {
  return runCli(argv, { stdin })
}

let openai: FakeOpenAI
const saved = process.env.OPENAI_ADMIN_KEY
beforeEach(async () => {
  openai = await startFakeOpenAI({
    key: ADMIN_KEY,
    events: [keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', 'proj_own')],
    projectKeys: [userKey('key_1', { project: 'proj_own' })]
  })
  process.env.OPENAI_ADMIN_KEY = ADMIN_KEY
})
afterEach(async () => {
  await openai.close()
  if (saved === undefined) delete process.env.OPENAI_ADMIN_KEY
  else process.env.OPENAI_ADMIN_KEY = saved
})

const deletes = () => openai.requests.filter((request) => request.method === 'DELETE').map((request) => request.path)

describe('openai-keywatch revoke', () => {
  it('shows the key as OpenAI describes it, asks, and revokes on yes', async () => {
    const run = await cli(['revoke', '--key', 'key_1', '--base-url', openai.baseURL], stdinOf('yes', true))
    expect(run.code).toBe(EXIT.clean)
    expect(run.out).toContain('Project API key key_1 in project proj_own')
    expect(run.out).toContain('owner: user owner@example.com')
    expect(run.err).toContain('Revoke key key_1? It cannot be undone. [y/N]')
    expect(run.out).toContain(
      'Revoked: OpenAI answered {"id":"key_1","object":"organization.project.api_key.deleted","deleted":true}'
    )
    expect(deletes()).toEqual(['/v1/organization/projects/proj_own/api_keys/key_1'])
  })

  it('revokes nothing on any answer but yes', async () => {
    for (const answer of ['', 'n', 'no', 'yess', 'key_1']) {
      const run = await cli(['revoke', '--key', 'key_1', '--base-url', openai.baseURL], stdinOf(answer, true))
      expect([answer, run.code]).toEqual([answer, EXIT.findings])
      expect(run.err).toContain('Not revoked: the answer was not yes.')
    }
    expect(deletes()).toEqual([])
  })

  it('without a terminal, refuses unless --yes; --yes revokes without asking', async () => {
    const piped = await cli(['revoke', '--key', 'key_1', '--base-url', openai.baseURL], stdinOf('yes', false))
    expect(piped.code).toBe(EXIT.usage)
    expect(piped.err).toContain('standard input is not a terminal: run it in one, or pass --yes.')
    expect(deletes()).toEqual([])
    const yes = await cli(['revoke', '--key', 'key_1', '--yes', '--base-url', openai.baseURL], stdinOf('', false))
    expect(yes.code).toBe(EXIT.clean)
    expect(yes.err).not.toContain('[y/N]')
    expect(deletes()).toHaveLength(1)
  })

  it('never runs on a guessed project: a --project that does not hold the key is refused', async () => {
    const run = await cli([
      'revoke',
      '--key',
      'key_1',
      '--project',
      'proj_guess',
      '--yes',
      '--base-url',
      openai.baseURL
    ])
    expect(run.code).toBe(EXIT.findings)
    expect(run.err).toContain('OpenAI holds no key key_1 in project proj_guess (its own 404)')
    expect(deletes()).toEqual([])
  })

  it('refuses a key whose events name no project OpenAI holds it in', async () => {
    const run = await cli(['revoke', '--key', 'key_9', '--yes', '--base-url', openai.baseURL])
    expect(run.code).toBe(EXIT.findings)
    expect(run.err).toContain('Give its project with --project PROJECT_ID')
    expect(deletes()).toEqual([])
  })

  it('says which permission a 403 lacks; a dry run deletes nothing', async () => {
    await openai.close()
    openai = await startFakeOpenAI({
      key: ADMIN_KEY,
      events: [keyEvent(1, 1_790_000_000, ['all'], 'api_key.created', 'proj_own')],
      projectKeys: [serviceAccountKey('key_1', { project: 'proj_own' })],
      deleteMode: 'forbidden'
    })
    const dry = await cli(['revoke', '--key', 'key_1', '--dry-run', '--base-url', openai.baseURL])
    expect(dry.code).toBe(EXIT.clean)
    expect(dry.out).toContain('owner: service account deploybot (svc_acct_deploybot)')
    expect(dry.out).toContain('Dry run: this key would be revoked; nothing was deleted.')
    expect(deletes()).toEqual([])
    const refused = await cli(['revoke', '--key', 'key_1', '--yes', '--base-url', openai.baseURL])
    expect(refused.code).toBe(EXIT.findings)
    expect(refused.err).toContain('Requires permission to write project API keys')
  })

  it('needs --key and OPENAI_ADMIN_KEY', async () => {
    expect(await cli(['revoke'])).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('revoke needs --key ID')
    })
    delete process.env.OPENAI_ADMIN_KEY
    const run = await cli(['revoke', '--key', 'key_1'])
    expect(run).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('OPENAI_ADMIN_KEY is not set') })
    expect(openai.requests).toEqual([])
  })
})
