// The repository's own workflows: every third-party action pinned to a full commit SHA
// with its version in a comment; the release, CodeQL and Dependabot set-ups as RELEASING.md
// and SECURITY.md describe them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; name?: string }
type Job = { uses?: string; steps?: Step[]; permissions?: Record<string, string>; needs?: string | string[] }
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> }

const DIR = '.github/workflows'
const FILES = readdirSync(DIR)
  .filter((file) => file.endsWith('.yml') || file.endsWith('.yaml'))
  .map((file) => join(DIR, file))

interface Use {
  action: string
  ref: string
  version: string | undefined
}

/** Every `uses:` of a workflow's jobs and steps, with the version comment on its line. */
function usesOf(text: string): Use[] {
  const workflow = load(text) as Workflow
  const parsed = Object.values(workflow.jobs).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...(job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : []))
  ])
  // js-yaml drops comments: read them from the lines, which must hold the same uses: in order.
  const lines = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(['"]?)([^'"\s#]+)\1[ \t]*(?:#[ \t]*(.*))?$/gm)]
  const fromLines = lines.map((match) => match[2]!)
  if (fromLines.join('\n') !== parsed.join('\n'))
    throw new Error(`uses: not one per line as "uses: x" (parsed ${parsed.join(', ')}; lines ${fromLines.join(', ')})`)
  return lines.map((match) => {
    const at = match[2]!.lastIndexOf('@')
    return {
      action: at < 0 ? match[2]! : match[2]!.slice(0, at),
      ref: at < 0 ? '' : match[2]!.slice(at + 1),
      version: match[3]?.trim()
    }
  })
}

/** Why a uses: is not pinned, or undefined when it is (or is local to the repository). */
function unpinned({ action, ref, version }: Use): string | undefined {
  if (action.startsWith('./')) return undefined
  if (action.startsWith('docker://'))
    return /@sha256:[0-9a-f]{64}$/.test(`${action}@${ref}`) ? undefined : 'docker image not pinned by digest'
  if (!/^[0-9a-f]{40}$/.test(ref)) return `ref "${ref}" is not a full 40-hex commit SHA`
  if (!version || !/^v\d+(\.\d+){0,2}$/.test(version.split(/\s/)[0]!))
    return `no version comment after the SHA (# vX.Y.Z), got ${version === undefined ? 'none' : `"# ${version}"`}`
  return undefined
}

function problems(text: string): string[] {
  return usesOf(text).flatMap((use) => {
    const why = unpinned(use)
    return why ? [`${use.action}@${use.ref}: ${why}`] : []
  })
}

const workflow = (file: string): Workflow => load(readFileSync(join(DIR, file), 'utf8')) as Workflow

describe('third-party actions are pinned by commit SHA', () => {
  it('there are workflows to check, among them the release and CodeQL ones', () => {
    expect(FILES).toEqual(
      expect.arrayContaining([
        join(DIR, 'ci.yml'),
        join(DIR, 'self-test.yml'),
        join(DIR, 'release.yml'),
        join(DIR, 'codeql.yml')
      ])
    )
  })

  it.each(FILES)('%s pins every non-local action to a SHA with a version comment', (file) => {
    const text = readFileSync(file, 'utf8')
    expect(usesOf(text).length).toBeGreaterThan(0)
    expect(problems(text)).toEqual([])
  })

  it('one action is pinned to one SHA and version across the workflows', () => {
    const pins = new Map<string, Set<string>>()
    for (const file of FILES) {
      for (const use of usesOf(readFileSync(file, 'utf8'))) {
        if (use.action.startsWith('./')) continue
        const repo = use.action.split('/').slice(0, 2).join('/') // codeql-action/init and /analyze are one repository
        pins.set(repo, (pins.get(repo) ?? new Set()).add(`${use.ref} # ${use.version}`))
      }
    }
    for (const [repo, refs] of pins) expect({ repo, refs: [...refs] }).toEqual({ repo, refs: [[...refs][0]] })
  })

  it('the check itself rejects tags, branches, short SHAs and missing comments, and accepts local actions', () => {
    const sha = 'fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09'
    const wrap = (uses: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n`
    expect(problems(wrap(`actions/checkout@${sha} # v5.1.0`))).toEqual([])
    expect(problems(wrap(`'actions/checkout@${sha}' # v5.1.0`))).toEqual([])
    expect(problems(wrap('./'))).toEqual([])
    expect(problems(wrap('./.github/actions/local'))).toEqual([])
    expect(problems(wrap('actions/checkout@v5'))).toEqual([
      'actions/checkout@v5: ref "v5" is not a full 40-hex commit SHA'
    ])
    expect(problems(wrap('actions/checkout@main # v5.1.0'))).toHaveLength(1)
    expect(problems(wrap(`actions/checkout@${sha.slice(0, 12)} # v5.1.0`))).toHaveLength(1)
    expect(problems(wrap(`actions/checkout@${sha.toUpperCase()} # v5.1.0`))).toHaveLength(1)
    expect(problems(wrap(`actions/checkout@${sha}`))).toEqual([
      `actions/checkout@${sha}: no version comment after the SHA (# vX.Y.Z), got none`
    ])
    expect(problems(wrap(`actions/checkout@${sha} # pinned`))).toHaveLength(1)
    expect(problems(wrap('docker://alpine:3.20'))).toHaveLength(1)
    // A reusable workflow at job level counts too.
    expect(problems(`on: push\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n`)).toHaveLength(1)
    // A uses: the line scan cannot see must not slip through.
    expect(() => usesOf(`on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{ uses: a/b@v1 }]\n`)).toThrow(
      'uses: not one per line'
    )
  })
})

describe('release.yml', () => {
  const release = workflow('release.yml')
  const steps = (job: string) => release.jobs[job]!.steps ?? []
  const runs = (job: string) => steps(job).map((step) => step.run ?? '')

  it('runs on a pushed vX.Y.Z tag only', () => {
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } })
  })

  it('runs the whole CI and the pre-release checks with a read-only token first', () => {
    expect(release.permissions).toEqual({})
    expect(release.jobs.verify!.permissions).toEqual({ contents: 'read' })
    expect(runs('verify')).toContain('bash .ci/run')
    const checks = runs('verify').join('\n')
    expect(checks).toContain('node scripts/changelog-section.mjs "$TAG"')
    expect(checks).toContain('node scripts/move-major-tag.mjs --dry-run "$TAG"')
    expect(checks).toContain('git merge-base --is-ancestor')
  })

  it('then attests dist/index.js, creates the release from the CHANGELOG, and moves the major tag, in that order', () => {
    const job = release.jobs.release!
    expect(job.needs).toBe('verify')
    expect(job.permissions).toEqual({ contents: 'write', 'id-token': 'write', attestations: 'write' })
    const names = steps('release').map((step) => step.uses?.replace(/@.*/, '') ?? step.run ?? '')
    const attest = names.findIndex((name) => name === 'actions/attest-build-provenance')
    const create = names.findIndex((name) => name.includes('gh release create'))
    const move = names.findIndex((name) => name.includes('node scripts/move-major-tag.mjs "$TAG"'))
    expect([attest, create, move].every((index) => index >= 0)).toBe(true)
    expect(attest < create && create < move && move === names.length - 1).toBe(true)
    expect(String(steps('release')[attest]!.with!['subject-path']).split('\n')).toContain('dist/index.js')
    expect(names[create]).toContain('node scripts/changelog-section.mjs "$TAG" > "$RUNNER_TEMP/notes.md"')
    expect(names[create]).toContain('--notes-file "$RUNNER_TEMP/notes.md"')
  })

  it('the job that can write installs and runs no dependency', () => {
    expect(runs('release').join('\n')).not.toMatch(/\bnpm\b|\bnpx\b|\.ci\/run/)
  })
})

describe('CodeQL and Dependabot', () => {
  it('codeql.yml analyzes javascript-typescript and may upload the results', () => {
    const codeql = workflow('codeql.yml')
    const job = Object.values(codeql.jobs)[0]!
    expect(job.permissions).toMatchObject({ 'security-events': 'write' })
    const init = job.steps!.find((step) => step.uses?.startsWith('github/codeql-action/init@'))
    expect(init?.with?.languages).toBe('javascript-typescript')
    expect(job.steps!.some((step) => step.uses?.startsWith('github/codeql-action/analyze@'))).toBe(true)
  })

  it('dependabot.yml updates npm and the actions weekly, minor and patch updates grouped', () => {
    type Update = {
      'package-ecosystem': string
      directory: string
      schedule: { interval: string }
      groups: Record<string, { 'update-types': string[] }>
    }
    const config = load(readFileSync('.github/dependabot.yml', 'utf8')) as { version: number; updates: Update[] }
    expect(config.version).toBe(2)
    expect(config.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of config.updates) {
      expect(update.directory).toBe('/')
      expect(update.schedule.interval).toBe('weekly')
      const groups = Object.values(update.groups)
      expect(groups).toHaveLength(1)
      expect([...groups[0]!['update-types']].sort()).toEqual(['minor', 'patch'])
    }
  })
})
