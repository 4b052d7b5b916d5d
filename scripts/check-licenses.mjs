// Fails when a package bundled into dist/ has no licence, or one outside the allow-list.
// It reads the licence files ncc writes next to each bundle (--license licenses.txt):
// the packages sorted by name, each as its name on one line, its licence (package.json's
// `license`) on the next when it has one, then the licence's text, and a blank line.
//
//   node scripts/check-licenses.mjs [FILE...]   (default: dist/licenses.txt dist/cli/licenses.txt)
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

// Permissive licences only: nothing copyleft (GPL, LGPL, AGPL, MPL, EPL, CDDL...) and
// nothing unknown gets into the bundles that every user of the action runs.
export const ALLOWED = [
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
  'Python-2.0'
]

const DEFAULT_FILES = ['dist/licenses.txt', 'dist/cli/licenses.txt']

// An npm package name (scoped or not; lower case, as npm has required since 2017).
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/

/**
 * Splits an SPDX expression into tokens, or returns undefined when the text is not one
 * (then it is the first line of a licence text, and the package named no licence).
 */
function spdxTokens(text) {
  const tokens = text.match(/\(|\)|[A-Za-z0-9.+:-]+|\S/g) ?? []
  if (tokens.length === 0) return undefined
  if (tokens.some((token) => !/^(\(|\)|[A-Za-z0-9.+:-]+)$/.test(token))) return undefined
  // Identifiers and operators must alternate: `MIT License` or `The MIT License` is text.
  let expectOperand = true
  let depth = 0
  for (const token of tokens) {
    const operator = token === 'AND' || token === 'OR' || token === 'WITH'
    if (token === '(') {
      if (!expectOperand) return undefined
      depth++
    } else if (token === ')') {
      if (expectOperand || depth === 0) return undefined
      depth--
    } else if (operator) {
      if (expectOperand) return undefined
      expectOperand = true
    } else {
      if (!expectOperand) return undefined
      expectOperand = false
    }
  }
  return expectOperand || depth !== 0 ? undefined : tokens
}

/**
 * Whether an SPDX expression is satisfied by the allow-list: every part of an AND, one
 * side of an OR. `X WITH exception` is allowed only when written so in the allow-list.
 */
export function allowedExpression(expression, allowed = ALLOWED) {
  const tokens = spdxTokens(expression)
  if (!tokens) return false
  let position = 0
  const peek = () => tokens[position]
  const primary = () => {
    const token = tokens[position++]
    if (token === '(') {
      const value = or()
      position++ // ')'
      return value
    }
    if (peek() === 'WITH') {
      position++
      return allowed.includes(`${token} WITH ${tokens[position++]}`)
    }
    return allowed.includes(token.replace(/\+$/, ''))
  }
  const and = () => {
    let value = primary()
    while (peek() === 'AND') {
      position++
      value = primary() && value
    }
    return value
  }
  const or = () => {
    let value = and()
    while (peek() === 'OR') {
      position++
      value = or() || value
    }
    return value
  }
  return or()
}

/** The packages of an ncc licence file, as { name, license } (license undefined when none is named). */
export function parseLicenses(text) {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const packages = []
  for (let i = 0; i < lines.length; i++) {
    const startsRecord = i === 0 || lines[i - 1] === ''
    if (!startsRecord || !PACKAGE_NAME.test(lines[i])) continue
    const next = lines[i + 1] ?? ''
    packages.push({ name: lines[i], license: spdxTokens(next) ? next.trim() : undefined })
  }
  return packages
}

/** The problems of one licence file's text, one line each. */
export function licenseProblems(text, file, allowed = ALLOWED) {
  const packages = parseLicenses(text)
  if (packages.length === 0)
    return { packages, problems: [`${file}: no bundled package found (is it ncc's licence file?)`] }
  const problems = []
  for (const { name, license } of packages) {
    if (license === undefined) problems.push(`${file}: package ${name} has no licence (no SPDX licence after its name)`)
    else if (!allowedExpression(license, allowed))
      problems.push(
        `${file}: package ${name} has licence ${license}, which is not allowed (allowed: ${allowed.join(', ')})`
      )
  }
  return { packages, problems }
}

function main() {
  const args = process.argv.slice(2)
  if (args.some((arg) => arg.startsWith('-'))) {
    console.error('usage: node scripts/check-licenses.mjs [FILE...]')
    process.exit(2)
  }
  const files = args.length > 0 ? args : DEFAULT_FILES
  const problems = []
  const seen = new Map()
  for (const file of files) {
    let text
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      problems.push(`${file}: cannot be read (${error.code ?? error.message}); run npm run build first`)
      continue
    }
    const result = licenseProblems(text, file)
    problems.push(...result.problems)
    for (const { name, license } of result.packages) seen.set(name, license)
  }
  for (const problem of problems) console.error(`check-licenses: ${problem}`)
  if (problems.length > 0) process.exit(1)
  const licenses = [...new Set(seen.values())].sort().join(', ')
  console.log(
    `check-licenses: ${seen.size} bundled packages in ${files.join(' and ')}, all under allowed licences (${licenses}).`
  )
}

// Run as a script, not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
