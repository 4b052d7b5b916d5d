// scripts/move-major-tag.mjs against a real git repository in a temporary directory, with
// a local bare repository as its origin so that pushes work offline.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const SCRIPT = resolve('scripts/move-major-tag.mjs')

// Neither the user's nor the system's git configuration (signing, hooks, names) applies.
const ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@test.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@test.invalid'
}

let dir: string
let work: string

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: work, env: ENV, encoding: 'utf8' }).trim()
}

/** A commit, tagged (annotated unless said otherwise), the tag pushed; the commit's sha. */
function release(tag: string, { annotated = true, push = true } = {}): string {
  git('commit', '--quiet', '--allow-empty', '-m', `Release ${tag}`)
  if (annotated) git('tag', '--annotate', '--message', tag, tag)
  else git('tag', tag)
  if (push) git('push', '--quiet', 'origin', `refs/tags/${tag}`)
  return git('rev-parse', 'HEAD')
}

/** The commit a tag points at on origin, or undefined. */
function onOrigin(tag: string): string | undefined {
  const lines = git('ls-remote', '--tags', 'origin').split('\n')
  const find = (ref: string) => lines.find((line) => line.endsWith(`\t${ref}`))?.split('\t')[0]
  return find(`refs/tags/${tag}^{}`) ?? find(`refs/tags/${tag}`)
}

function move(...args: string[]) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: work, env: ENV, encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keywatch-tags-'))
  work = join(dir, 'work')
  execFileSync('git', ['init', '--quiet', '--bare', join(dir, 'origin.git')], { env: ENV })
  execFileSync('git', ['init', '--quiet', '--initial-branch', 'main', work], { env: ENV })
  git('remote', 'add', 'origin', join(dir, 'origin.git'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('move-major-tag', () => {
  it('creates v1 at the first release, on origin and in the clone', () => {
    const sha = release('v1.0.0', { annotated: false })
    const run = move('v1.0.0')
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain(`moved v1 from nowhere (new tag) to ${sha.slice(0, 12)} (v1.0.0) on origin`)
    expect(onOrigin('v1')).toBe(sha)
    expect(git('rev-parse', 'v1^{commit}')).toBe(sha)
  })

  it('moves v1 forward to a newer release, as a plain tag at the release commit', () => {
    const first = release('v1.0.0')
    expect(move('v1.0.0').code).toBe(0)
    const second = release('v1.1.0')
    const run = move('v1.1.0')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`moved v1 from ${first.slice(0, 12)} to ${second.slice(0, 12)} (v1.1.0)`)
    expect(onOrigin('v1')).toBe(second)
    // Lightweight: the ref holds the commit itself, not a tag object.
    expect(git('cat-file', '-t', 'refs/tags/v1')).toBe('commit')
  })

  it('with --dry-run, says what it would do and changes nothing', () => {
    const first = release('v1.0.0')
    move('v1.0.0')
    const second = release('v1.1.0')
    const run = move('--dry-run', 'v1.1.0')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `would move v1 from ${first.slice(0, 12)} to ${second.slice(0, 12)} (v1.1.0) on origin`
    )
    expect(onOrigin('v1')).toBe(first)
    expect(git('rev-parse', 'v1^{commit}')).toBe(first)
  })

  it('refuses to move v1 backwards: v1.2.0 after v1.3.0 leaves v1 at v1.3.0 and fails', () => {
    git('commit', '--quiet', '--allow-empty', '-m', 'base')
    git('branch', 'maintenance')
    const newest = release('v1.3.0')
    expect(move('v1.3.0').code).toBe(0)
    git('checkout', '--quiet', 'maintenance')
    release('v1.2.0', { annotated: false })
    for (const args of [['v1.2.0'], ['--dry-run', 'v1.2.0']]) {
      const run = move(...args)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain('v1.2.0 is older than v1.3.0, already on origin: v1 stays where it is')
      expect(onOrigin('v1')).toBe(newest)
    }
  })

  it('is a no-op when v1 already points at the release (a re-run)', () => {
    const sha = release('v1.0.0')
    move('v1.0.0')
    const run = move('v1.0.0')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('v1 already points at v1.0.0')
    expect(onOrigin('v1')).toBe(sha)
  })

  it('moves only the major tag of its own major version', () => {
    const one = release('v1.4.0')
    move('v1.4.0')
    const two = release('v2.0.0')
    expect(move('v2.0.0').code).toBe(0)
    expect(onOrigin('v2')).toBe(two)
    expect(onOrigin('v1')).toBe(one)
    // A later v1 fix still moves v1: v2.0.0 is of another major version.
    git('checkout', '--quiet', '--detach', 'v1.4.0')
    const fix = release('v1.4.1')
    expect(move('v1.4.1').code).toBe(0)
    expect(onOrigin('v1')).toBe(fix)
    expect(onOrigin('v2')).toBe(two)
  })

  it.each(['1.2.3', 'v1.2', 'v1', 'v1.2.3-rc.1', 'v01.2.3', 'v1.2.3.4', 'latest'])(
    'rejects %s, which is not vX.Y.Z, and pushes nothing',
    (version) => {
      release('v1.0.0')
      const run = move(version)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`"${version}" is not a release version: use vX.Y.Z`)
      expect(onOrigin('v1')).toBeUndefined()
    }
  )

  it('fails when the release tag is not on origin yet', () => {
    release('v1.0.0', { push: false })
    const run = move('v1.0.0')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('v1.0.0 is not a tag on origin: push it first')
    expect(onOrigin('v1')).toBeUndefined()
  })

  it('fails without a version, or with an unknown option', () => {
    expect(move().code).toBe(2)
    expect(move('--force', 'v1.0.0').code).toBe(2)
  })
})
