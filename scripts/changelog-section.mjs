// Prints the CHANGELOG.md section of one version, the release notes of its GitHub
// release, and fails when the version has no section or an empty one.
//
//   node scripts/changelog-section.mjs v1.2.3 [--file CHANGELOG.md]
//
// A section is Keep a Changelog's: a `## [1.2.3] - 2026-01-31` heading, then everything
// up to the next `## ` heading or the link definitions (`[1.2.3]: https://...`) at the end.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const VERSION = /^v?(\d+\.\d+\.\d+)$/

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The section's text (trimmed), or an Error saying why there is none. */
export function changelogSection(changelog, version) {
  const match = VERSION.exec(version)
  if (!match) return new Error(`"${version}" is not a release version: use vX.Y.Z (or X.Y.Z).`)
  const plain = match[1]
  const lines = changelog.replace(/\r\n/g, '\n').split('\n')
  const heading = new RegExp(`^## \\[${escape(plain)}\\](?:\\s|$)`)
  const starts = lines.flatMap((line, index) => (heading.test(line) ? [index] : []))
  if (starts.length === 0) return new Error(`CHANGELOG.md has no "## [${plain}]" section.`)
  if (starts.length > 1) return new Error(`CHANGELOG.md has ${starts.length} "## [${plain}]" sections.`)
  const body = []
  for (const line of lines.slice(starts[0] + 1)) {
    if (/^##? /.test(line) || /^\[[^\]]+\]:\s/.test(line)) break
    body.push(line)
  }
  const text = body.join('\n').trim()
  if (text === '') return new Error(`CHANGELOG.md's "## [${plain}]" section is empty.`)
  return text
}

function main() {
  const args = process.argv.slice(2)
  let file = 'CHANGELOG.md'
  const positional = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--file' && args[i + 1] !== undefined) file = args[++i]
    else positional.push(args[i])
  }
  if (positional.length !== 1) {
    console.error('usage: node scripts/changelog-section.mjs vX.Y.Z [--file CHANGELOG.md]')
    process.exit(2)
  }
  let changelog
  try {
    changelog = readFileSync(file, 'utf8')
  } catch (error) {
    console.error(`changelog-section: cannot read ${file} (${error.code ?? error.message}).`)
    process.exit(1)
  }
  const section = changelogSection(changelog, positional[0])
  if (section instanceof Error) {
    console.error(`changelog-section: ${section.message.replace('CHANGELOG.md', file)}`)
    process.exit(1)
  }
  process.stdout.write(`${section}\n`)
}

// Run as a script, not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
