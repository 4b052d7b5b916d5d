// scripts/lint-workflows.mjs: actionlint on every workflow file and README block, and
// shellcheck on their bash and sh run: scripts; it fails when there is nothing to lint.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

const SCRIPT = resolve('scripts/lint-workflows.mjs')

// shellcheck is a Debian package that .ci/run installs: without it the lint fails, so the
// cases that pass need it. They are skipped on a machine without it, never in CI.
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0
const withShellcheck = hasShellcheck || process.env.CI ? it : it.skip

const GOOD = `name: Good
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Quoted, with an expression
        env:
          REF: \${{ github.ref }}
        run: |
          if [ "\${{ github.event_name }}" = push ]; then echo "pushed $REF"; fi
  windows:
    runs-on: windows-latest
    steps:
      - run: Write-Output $env:GITHUB_REF
`

let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keywatch-lint-'))
})

afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
}

function lint(root = dir) {
  const run = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

const readme = (...blocks: string[]) =>
  `# A project\n\n${blocks.map((block) => '```yaml\n' + block + '```\n').join('\n')}`

describe('lint-workflows', () => {
  it('fails when there is no workflow to lint', () => {
    write({ 'README.md': readme('- run: echo not a workflow\n'), '.github/workflows/notes.txt': 'on: push\n' })
    const run = lint()
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('lint-workflows: no workflow found under')
    expect(run.stderr).toContain('nothing was linted')
  })

  withShellcheck('lints .yml and .yaml files, the examples and the README blocks with jobs:, and counts them', () => {
    write({
      '.github/workflows/a.yml': GOOD,
      '.github/workflows/b.yaml': GOOD,
      'examples/workflows/c.yml': GOOD,
      'README.md': readme(GOOD, '- uses: org/openai-keywatch@v1\n')
    })
    expect(lint()).toEqual({
      code: 0,
      stdout:
        'lint-workflows: 4 workflows (3 files, 1 README block) through actionlint, ' +
        '4 run scripts through shellcheck: no problems.\n',
      stderr: ''
    })
  })

  it("fails on actionlint's findings, with the file, line and column", () => {
    write({
      '.github/workflows/bad.yml': GOOD.replace(
        'runs-on: ubuntu-latest',
        'runs-on: ubuntu-latest\n    timeout-minutes: soon'
      )
    })
    const run = lint()
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^\.github\/workflows\/bad\.yml:8:22: expecting .* float number literal.*\[syntax-check\]$/m
    )
  })

  withShellcheck("fails on shellcheck's findings in a README block, naming the job and step", () => {
    write({ 'README.md': readme(GOOD.replace('echo "pushed $REF"', 'echo pushed $REF')) })
    const run = lint()
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'README.md#workflow-1: job build, step 1 (Quoted, with an expression): shellcheck SC2086:info:1:'
    )
    expect(run.stderr).toContain('lint-workflows: 1 problem in 1 workflow (0 files, 1 README block)')
  })

  withShellcheck('reads sh steps as sh, and leaves other shells alone', () => {
    const sh = GOOD.replace(
      '      - name: Quoted',
      '      - shell: sh\n        run: echo "${BASH_SOURCE[0]}"\n      - name: Quoted'
    )
    write({ '.github/workflows/sh.yml': sh.replace('Write-Output $env:GITHUB_REF', '$x = @(1, 2)') })
    const run = lint()
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('job build, step 1: shellcheck SC3054:warning:1:')
    expect(run.stderr).not.toContain('job windows')
  })

  withShellcheck("passes the repository's own workflows, the examples and the README's", () => {
    const files = ['.github/workflows', 'examples/workflows'].flatMap((folder) =>
      readdirSync(folder).filter((file) => /\.ya?ml$/.test(file))
    )
    const run = lint('.')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`(${files.length} files, 5 README blocks) through actionlint`)
  })
})
