// scripts/changelog-section.mjs, the release notes: on synthetic changelogs, and on the
// repository's CHANGELOG.md, which must hold the section of package.json's version.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const SCRIPT = resolve('scripts/changelog-section.mjs')

const CHANGELOG = `# Changelog

Intro text.

## [Unreleased]

### Added

- Something next.

## [1.10.0] - 2026-12-01

### Fixed

- A v1.10 fix, not a 1.1.0 one.

## [1.1.0] - 2026-11-30

### Added

- A feature.

  With a second paragraph.

### Changed

- A change.

## [1.0.0] - 2026-11-01

- First release.

## [0.9.0] - 2026-10-01

[Unreleased]: https://example.invalid/compare/v1.10.0...HEAD
[1.10.0]: https://example.invalid/compare/v1.1.0...v1.10.0
`

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keywatch-changelog-'))
  writeFileSync(join(dir, 'CHANGELOG.md'), CHANGELOG)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function section(...args: string[]) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('changelog-section', () => {
  it("prints a version's section, without its heading, up to the next one", () => {
    expect(section('v1.1.0')).toEqual({
      code: 0,
      stdout: '### Added\n\n- A feature.\n\n  With a second paragraph.\n\n### Changed\n\n- A change.\n',
      stderr: ''
    })
  })

  it('takes the version with or without its v, and never matches a longer version', () => {
    expect(section('1.1.0').stdout).toContain('- A feature.')
    expect(section('v1.10.0').stdout).toBe('### Fixed\n\n- A v1.10 fix, not a 1.1.0 one.\n')
  })

  it('stops at the link definitions after the last section', () => {
    writeFileSync(join(dir, 'LAST.md'), '## [2.0.0] - 2027-01-01\n\n- Last.\n\n[2.0.0]: https://example.invalid\n')
    expect(section('v2.0.0', '--file', 'LAST.md').stdout).toBe('- Last.\n')
  })

  it('fails, saying why, for a version without a section or with an empty one', () => {
    expect(section('v1.2.0')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'changelog-section: CHANGELOG.md has no "## [1.2.0]" section.\n'
    })
    expect(section('v0.9.0')).toMatchObject({ code: 1, stderr: expect.stringContaining('section is empty') })
  })

  it('fails on a version that is not X.Y.Z, a missing file, or bad arguments', () => {
    expect(section('v1.1')).toMatchObject({ code: 1, stderr: expect.stringContaining('not a release version') })
    expect(section('Unreleased')).toMatchObject({ code: 1 })
    expect(section('v1.1.0', '--file', 'NOPE.md')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('cannot read NOPE.md')
    })
    expect(section()).toMatchObject({ code: 2 })
    expect(section('v1.0.0', 'v1.1.0')).toMatchObject({ code: 2 })
  })

  it("the repository's CHANGELOG.md starts with Unreleased and has package.json's version", () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8')
    const headings = changelog.split('\n').filter((line) => line.startsWith('## '))
    expect(headings[0]).toBe('## [Unreleased]')
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'))
    // Every other section is a release: "## [X.Y.Z] - YYYY-MM-DD".
    for (const heading of headings.slice(1)) expect(heading).toMatch(/^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/)
    expect(headings.some((heading) => heading.startsWith(`## [${version}] - `))).toBe(true)
    const run = spawnSync(process.execPath, [SCRIPT, `v${version}`], { encoding: 'utf8' })
    expect(run.status).toBe(0)
    expect(run.stdout.length).toBeGreaterThan(200)
  })
})
