// Points the major tag (v1) at a release (v1.2.3) on the remote, as GitHub advises for
// actions with immutable releases: vX.Y.Z is the release's tag and never moves; vX is a
// plain tag, tied to no release, that follows the newest release of its major version.
//
//   node scripts/move-major-tag.mjs [--dry-run] [--remote origin] vX.Y.Z
//
// It reads the tags from the remote, not from the clone, and refuses to move the major tag
// backwards: a v1.2.1 pushed after v1.3.0 leaves v1 where it is, and fails. The push is
// guarded by --force-with-lease, so a major tag that moved meanwhile is never clobbered.
import { execFileSync } from 'node:child_process'

const RELEASE = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

const USAGE = 'usage: node scripts/move-major-tag.mjs [--dry-run] [--remote NAME] vX.Y.Z'

function fail(message, code = 1) {
  console.error(`move-major-tag: ${message}`)
  process.exit(code)
}

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function parseArgs(argv) {
  const options = { dryRun: false, remote: 'origin', version: undefined }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--dry-run') options.dryRun = true
    else if (arg === '--remote' && argv[i + 1] !== undefined) options.remote = argv[++i]
    else if (arg.startsWith('-') || options.version !== undefined) fail(`unexpected argument ${arg}\n${USAGE}`, 2)
    else options.version = arg
  }
  if (options.version === undefined) fail(USAGE, 2)
  return options
}

const parts = (tag) => RELEASE.exec(tag).slice(1, 4).map(Number)

function compare(a, b) {
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}

/** The remote's tags: name -> { object (what the ref holds), commit (peeled) }. */
function remoteTags(remote) {
  const tags = new Map()
  for (const line of git('ls-remote', '--tags', remote).split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t')
    const peeled = ref.endsWith('^{}')
    const name = ref.replace(/^refs\/tags\//, '').replace(/\^\{\}$/, '')
    const tag = tags.get(name) ?? { object: undefined, commit: undefined }
    if (peeled) tag.commit = sha
    else {
      tag.object = sha
      tag.commit ??= sha
    }
    tags.set(name, tag)
  }
  return tags
}

const short = (sha) => sha.slice(0, 12)

function main() {
  const { dryRun, remote, version } = parseArgs(process.argv.slice(2))
  if (!RELEASE.test(version)) fail(`"${version}" is not a release version: use vX.Y.Z, such as v1.2.3.`, 2)
  const major = `v${parts(version)[0]}`

  let tags
  try {
    tags = remoteTags(remote)
  } catch (error) {
    fail(`cannot read the tags of remote ${remote}: ${String(error.stderr || error.message).trim()}`)
  }
  const release = tags.get(version)
  if (!release) fail(`${version} is not a tag on ${remote}: push it first (git push ${remote} ${version}).`)
  const target = release.commit
  try {
    git('cat-file', '-e', `${target}^{commit}`)
  } catch {
    fail(`${version}'s commit ${short(target)} is not in this clone: fetch it first (git fetch ${remote} --tags).`)
  }

  const newest = [...tags.keys()]
    .filter((name) => RELEASE.test(name) && `v${parts(name)[0]}` === major)
    .sort(compare)
    .at(-1)
  const current = tags.get(major)
  if (compare(version, newest) < 0) {
    fail(
      `${version} is older than ${newest}, already on ${remote}: ${major} stays where it is` +
        `${current ? ` (${short(current.commit)})` : ''}. Move it by hand only on purpose.`
    )
  }
  if (current && current.commit === target) {
    console.log(`move-major-tag: ${major} already points at ${version} (${short(target)}); nothing to do.`)
    return
  }

  const from = current ? short(current.commit) : 'nowhere (new tag)'
  if (dryRun) {
    console.log(`move-major-tag: would move ${major} from ${from} to ${short(target)} (${version}) on ${remote}.`)
    return
  }
  try {
    git(
      'push',
      '--quiet',
      `--force-with-lease=refs/tags/${major}:${current?.object ?? ''}`,
      remote,
      `${target}:refs/tags/${major}`
    )
  } catch (error) {
    fail(`pushing ${major} to ${remote} failed: ${String(error.stderr || error.message).trim()}`)
  }
  git('tag', '--force', major, target)
  console.log(`move-major-tag: moved ${major} from ${from} to ${short(target)} (${version}) on ${remote}.`)
}

main()
