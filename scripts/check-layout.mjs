// Checks the layout of src/ that the README describes, so that it cannot drift quietly:
// at most four files at the top, no import cycles, the model importing nothing, the rules
// importing only the model (and js-yaml), and @actions/core only in the action's folder.
// Prints the import graph by folder; exits 1 with every breach listed.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const SRC = 'src'
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path)
  }
}
walk(SRC)

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm
const imports = new Map()
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2])
  imports.set(
    file,
    specifiers.map((spec) =>
      spec.startsWith('.')
        ? { local: relative('.', resolve(dirname(file), spec.replace(/\.js$/, '.ts'))) }
        : { pkg: spec }
    )
  )
}

const folder = (file) => relative(SRC, dirname(file)) || '.'
const breaches = []

const top = files.filter((file) => folder(file) === '.')
if (top.length > 4) breaches.push(`src/ has ${top.length} files at the top (at most 4): ${top.join(', ')}`)

for (const [file, list] of imports) {
  const where = folder(file)
  for (const entry of list) {
    if (entry.local && !imports.has(entry.local)) breaches.push(`${file} imports ${entry.local}, which does not exist`)
    if (where === 'model' && (entry.local ? folder(entry.local) !== 'model' : true))
      breaches.push(`${file}: the model imports nothing, but imports ${entry.local ?? entry.pkg}`)
    if (where === 'rules') {
      const ok = entry.local ? ['model', 'rules'].includes(folder(entry.local)) : entry.pkg === 'js-yaml'
      if (!ok)
        breaches.push(`${file}: rules import only the model (and js-yaml), but import ${entry.local ?? entry.pkg}`)
    }
    if (entry.pkg === '@actions/core' && where !== 'action')
      breaches.push(`${file}: only src/action/ imports @actions/core`)
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

const edges = new Map()
for (const [file, list] of imports) {
  for (const { local } of list) {
    if (!local) continue
    const from = folder(file)
    const to = folder(local)
    if (from !== to) edges.set(from, new Set([...(edges.get(from) ?? []), to]))
  }
}
console.log(`src/: ${files.length} modules in ${new Set(files.map(folder)).size} folders, ${top.length} at the top`)
for (const [from, to] of [...edges].sort(([a], [b]) => a.localeCompare(b)))
  console.log(`  ${from} -> ${[...to].sort().join(', ')}`)
if (breaches.length > 0) {
  for (const breach of breaches) console.error(`layout: ${breach}`)
  process.exit(1)
}
console.log('layout: no cycles; model imports nothing; rules import only the model; @actions/core only in action/')
