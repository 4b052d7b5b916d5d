// Checks the layout of src/ that the README describes, so that it cannot drift quietly: at
// most four files at the top; every room (a folder, or a file at the top) in the graph
// below, importing only what the graph allows it; the stages, siblings composed by
// pipeline.ts, never importing each other; no import cycles; the model and the rules
// importing no package (but js-yaml for the rules), and @actions/core only in action/; no
// function longer than its room allows (issues/ 50 lines, the rest 100). Prints the graph
// and the imports by room; exits 1 with every breach listed.
import { readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { longestFirst, overLimit, sourceFiles } from './function-lengths.mjs'

const SRC = 'src'

// The rooms and what each may import: `shared` rooms lie below every stage; `stage`s are
// siblings, which may import shared rooms only (and another stage's types where `types`
// says so: the report shows what the issues did); `end`s compose them. A new room (the
// investigation, the ledger; revoking is respond/) is added here, as a stage, before it can land.
const GRAPH = {
  model: { kind: 'shared', imports: [] },
  'text.ts': { kind: 'shared', imports: ['model'] },
  http: { kind: 'shared', imports: ['model', 'text.ts'] },
  markdown: { kind: 'shared', imports: ['model', 'text.ts'] },
  openai: { kind: 'shared', imports: ['model', 'text.ts'] },
  github: { kind: 'shared', imports: ['model', 'http'] },
  rules: { kind: 'shared', imports: ['model'] },
  settings: { kind: 'stage', imports: ['model', 'text.ts', 'http', 'openai', 'rules'] },
  'audit-log': { kind: 'stage', imports: ['model', 'text.ts', 'http', 'openai'] },
  scan: { kind: 'stage', imports: ['model', 'text.ts', 'rules'] },
  issues: { kind: 'stage', imports: ['model', 'text.ts', 'http', 'markdown', 'github', 'rules'] },
  report: { kind: 'stage', imports: ['model', 'text.ts', 'markdown', 'rules'], types: ['issues'] },
  respond: { kind: 'stage', imports: ['model', 'text.ts', 'http', 'markdown', 'openai', 'github'] },
  ledger: { kind: 'stage', imports: ['model', 'text.ts', 'http', 'markdown', 'github'] },
  investigate: { kind: 'stage', imports: ['model', 'text.ts', 'http', 'openai'] },
  spec: { kind: 'end', imports: ['model', 'rules', 'audit-log'] },
  'pipeline.ts': {
    kind: 'end',
    imports: [
      'model',
      'text.ts',
      'http',
      'settings',
      'audit-log',
      'scan',
      'investigate',
      'issues',
      'report',
      'respond',
      'ledger'
    ]
  },
  action: { kind: 'end', imports: ['model', 'text.ts', 'settings', 'report', 'pipeline.ts'], types: ['issues'] },
  cli: { kind: 'end', imports: ['model', 'text.ts', 'rules', 'settings', 'spec', 'issues', 'report', 'pipeline.ts'] },
  'index.ts': { kind: 'end', imports: ['action'] },
  'bin.ts': { kind: 'end', imports: ['cli'] }
}
/** The packages a room may import, where it may not import any it likes. */
const PACKAGES = { model: [], rules: ['js-yaml'] }
/** Where a package may be imported, where only one room may. */
const ONLY_IN = { '@actions/core': 'action' }
/** Files outside src/ a room may import, and which rooms: the CLI's --version reads the package's. */
const DATA = { 'package.json': ['cli'] }
/** The longest a function may be, by folder ('' for the rest). */
const FUNCTION_LINES = { issues: 50, '': 100 }

const files = sourceFiles(SRC)
const breaches = []

// `import type { A }`, `export type { A }` and `import { type A, type B }` carry types only.
const IMPORT =
  /^\s*(import|export)\s+(type\s+)?(\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm
const typesOnly = (keyword, names) =>
  Boolean(keyword) ||
  (names.startsWith('{') &&
    names
      .slice(1, -1)
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .every((name) => name.startsWith('type ')))
const imports = new Map()
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const list = []
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[4] ?? match[5]
    const types = match[5] === undefined && typesOnly(match[2], match[3])
    list.push(
      spec.startsWith('.')
        ? { local: relative('.', resolve(dirname(file), spec.replace(/\.js$/, '.ts'))), types }
        : { pkg: spec, types }
    )
  }
  imports.set(file, list)
}

/** The room of a file: its folder under src/, or its own name at the top. */
const roomOf = (file) => {
  const where = relative(SRC, dirname(file))
  return where === '' ? relative(SRC, file) : where.split('/')[0]
}

const top = files.filter((file) => relative(SRC, dirname(file)) === '')
if (top.length > 4) breaches.push(`src/ has ${top.length} files at the top (at most 4): ${top.join(', ')}`)

// The graph itself: every room it names is one, and no stage may import another stage's values.
for (const [room, rule] of Object.entries(GRAPH)) {
  for (const to of [...rule.imports, ...(rule.types ?? [])]) {
    if (!GRAPH[to]) breaches.push(`the graph lets ${room} import ${to}, which is no room`)
    if (rule.kind === 'stage' && GRAPH[to]?.kind === 'stage' && rule.imports.includes(to))
      breaches.push(`the graph lets stage ${room} import stage ${to}: siblings share through the shared rooms`)
    if (rule.kind === 'shared' && GRAPH[to]?.kind !== 'shared')
      breaches.push(`shared ${room} may only import shared rooms`)
  }
}

/** What a room may import, in words. */
const mayOf = (rule) => [...rule.imports, ...(rule.types ?? []).map((to) => `${to} (types)`)].join(', ') || 'nothing'

const edges = new Map()
for (const [file, list] of imports) {
  const from = roomOf(file)
  const rule = GRAPH[from]
  if (!rule) {
    breaches.push(
      `${file}: its room ${from} is not in the graph of scripts/check-layout.mjs: add it, with what it may import`
    )
    continue
  }
  for (const entry of list) {
    if (entry.pkg) {
      const allowed = PACKAGES[from]
      if (allowed && !allowed.includes(entry.pkg))
        breaches.push(`${file}: ${from} may not import the package ${entry.pkg}`)
      if (ONLY_IN[entry.pkg] && ONLY_IN[entry.pkg] !== from)
        breaches.push(`${file}: only src/${ONLY_IN[entry.pkg]}/ imports ${entry.pkg}`)
      continue
    }
    if (DATA[entry.local]) {
      if (!DATA[entry.local].includes(from))
        breaches.push(`${file}: only ${DATA[entry.local].join(', ')} may import ${entry.local}`)
      continue
    }
    if (!imports.has(entry.local)) {
      breaches.push(`${file} imports ${entry.local}, which does not exist`)
      continue
    }
    const to = roomOf(entry.local)
    if (to === from) continue
    const ok = rule.imports.includes(to) || (entry.types && rule.types?.includes(to))
    if (!ok) {
      const why = rule.types?.includes(to)
        ? `it may import only the types of ${to} (import type)`
        : rule.kind === 'stage' && GRAPH[to]?.kind === 'stage'
          ? `${to} is a sibling stage: what both need goes in a room below them`
          : `it may import ${mayOf(rule)}`
      breaches.push(`${file}: ${from} may not import ${to}: ${why}`)
    }
    // A room's imports of another, shown as types when every one of them is.
    const seen = edges.get(from) ?? new Map()
    seen.set(to, (seen.get(to) ?? true) && entry.types)
    edges.set(from, seen)
  }
}

// Cycles between files, by depth-first search.
const state = new Map()
const stack = []
const visit = (file) => {
  state.set(file, 'open')
  stack.push(file)
  for (const { local } of imports.get(file) ?? []) {
    if (!local || !imports.has(local)) continue
    if (state.get(local) === 'open')
      breaches.push(`import cycle: ${[...stack.slice(stack.indexOf(local)), local].join(' -> ')}`)
    else if (!state.has(local)) visit(local)
  }
  stack.pop()
  state.set(file, 'done')
}
for (const file of files) if (!state.has(file)) visit(file)

for (const fn of overLimit(longestFirst(files), FUNCTION_LINES))
  breaches.push(
    `${fn.file}:${fn.start}: ${fn.name} is ${fn.lines} lines; functions in ${fn.file.split('/')[1]}/ have at most ${fn.limit}`
  )

console.log(`src/: ${files.length} modules in ${Object.keys(GRAPH).length} rooms, ${top.length} at the top`)
for (const kind of ['shared', 'stage', 'end']) {
  console.log(
    kind === 'shared' ? 'shared rooms, below every stage:' : kind === 'stage' ? 'stages (siblings):' : 'ends:'
  )
  for (const [room, rule] of Object.entries(GRAPH).filter(([, rule]) => rule.kind === kind)) {
    const does = [...(edges.get(room) ?? new Map())].map(([to, types]) => (types ? `${to} (types)` : to)).sort()
    console.log(`  ${room.padEnd(11)} may import ${mayOf(rule)}; imports ${does.join(', ') || 'nothing'}`)
  }
}
if (breaches.length > 0) {
  for (const breach of breaches) console.error(`layout: ${breach}`)
  process.exit(1)
}
console.log(
  'layout: every import in the graph, no stage importing another, no cycles; model and rules import no package ' +
    '(rules: js-yaml), @actions/core only in action/; functions within their limits'
)
