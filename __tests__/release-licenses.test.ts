// scripts/check-licenses.mjs on synthetic licence files in ncc's format (name, licence,
// text, blank line), good and bad, and on the real ones in dist/.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const SCRIPT = resolve('scripts/check-licenses.mjs')

const MIT_TEXT = `The MIT License (MIT)

Copyright (c) 2019 Someone

All rights reserved.

Permission is hereby granted, free of charge, to any person obtaining a copy.

THE SOFTWARE IS PROVIDED "AS IS".`

/** A licence file as ncc writes it. */
const render = (packages: [string, string | undefined, string | undefined][]): string =>
  packages.map(([name, id, text]) => [name, id, text].filter((part) => part !== undefined).join('\n')).join('\n\n') +
  '\n'

const GOOD = render([
  ['@actions/core', 'MIT', MIT_TEXT],
  ['before-after-hook', 'Apache-2.0', '                                 Apache License\n\n   TERMS AND CONDITIONS'],
  ['dual', '(MIT OR GPL-3.0-only)', MIT_TEXT],
  ['stream-json', 'BSD-3-Clause', 'Copyright 2005-2024 Eugene Lazutkin\n\nRedistribution...'],
  ['universal-user-agent', 'ISC', 'ISC License\n\nPermission to use...'],
  ['zero', '0BSD', undefined]
])

let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keywatch-licenses-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function check(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const run = spawnSync(process.execPath, [SCRIPT, ...Object.keys(files)], { cwd: dir, encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('check-licenses', () => {
  it('passes a file whose packages all have allowed licences, counting them right', () => {
    const run = check({ 'good.txt': GOOD })
    expect(run).toEqual({
      code: 0,
      stdout:
        'check-licenses: 6 bundled packages in good.txt, all under allowed licences ' +
        '((MIT OR GPL-3.0-only), 0BSD, Apache-2.0, BSD-3-Clause, ISC, MIT).\n',
      stderr: ''
    })
  })

  it.each([
    ['GPL-3.0-only'],
    ['GPL-2.0+'],
    ['AGPL-3.0-or-later'],
    ['LGPL-2.1'],
    ['MPL-2.0'],
    ['EPL-2.0'],
    ['MIT AND GPL-3.0-only'],
    ['UNLICENSED'],
    ['Apache-2.0 WITH LLVM-exception']
  ])('fails on a package under %s, naming the package and the licence', (license) => {
    const run = check({ 'bad.txt': GOOD + '\n' + render([['zz-copyleft', license, 'Some text.']]) })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `check-licenses: bad.txt: package zz-copyleft has licence ${license}, which is not allowed ` +
        '(allowed: MIT, ISC, Apache-2.0, BSD-2-Clause, BSD-3-Clause, 0BSD, BlueOak-1.0.0, CC0-1.0, Unlicense, Python-2.0)\n'
    )
  })

  it('fails on a package without a licence: text right after its name, or nothing at all', () => {
    const noId = render([
      ['a-package', 'MIT', MIT_TEXT],
      ['no-id', undefined, 'MIT License\n\nCopyright (c) nobody'],
      ['see-file', 'SEE LICENSE IN LICENSE.md', 'Terms.'],
      ['bare', undefined, undefined]
    ])
    const run = check({ 'none.txt': noId })
    expect(run.code).toBe(1)
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      'check-licenses: none.txt: package no-id has no licence (no SPDX licence after its name)',
      'check-licenses: none.txt: package see-file has no licence (no SPDX licence after its name)',
      'check-licenses: none.txt: package bare has no licence (no SPDX licence after its name)'
    ])
  })

  it('checks every file given, and fails on an empty or missing one', () => {
    const run = check({ 'good.txt': GOOD, 'empty.txt': '' })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("empty.txt: no bundled package found (is it ncc's licence file?)")
    const missing = spawnSync(process.execPath, [SCRIPT, 'missing.txt'], { cwd: dir, encoding: 'utf8' })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('missing.txt: cannot be read (ENOENT); run npm run build first')
  })

  it('passes the licence files of dist/ (the default)', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      /^check-licenses: \d+ bundled packages in dist\/licenses.txt and dist\/cli\/licenses.txt/
    )
  })
})
