// The length of every function and method in src/, longest first, read with the TypeScript
// compiler's own parser: node scripts/function-lengths.mjs [--top N] [--limit FOLDER=LINES ...].
// A function is named as the code names it (a declaration, a method, the variable or property
// an arrow function is assigned to); one inside another is named by both ("scan > reject").
// With --limit, exits 1 listing every function in FOLDER (under src/) longer than LINES.
// check-layout.mjs holds src/ to its limits with overLimit().
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** Every .ts file under `dir` (declaration files aside). */
export function sourceFiles(dir) {
  const files = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path)
  }
  return files
}

/** What the code calls a function node, or undefined for one it gives no name. */
function nameOf(node) {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name)))
    return node.name.text
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  const parent = node.parent
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  )
    return ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name) ? parent.name.text : undefined
  return undefined
}

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node) ||
  ts.isArrowFunction(node) ||
  ts.isFunctionExpression(node)

/** Every function in `file` with a body: its name (with those of the functions it is in), its first line and its lines. */
export function functionsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found = []
  const lineOf = (position) => source.getLineAndCharacterOfPosition(position).line + 1
  const visit = (node, outer) => {
    let inner = outer
    if (isFunction(node) && node.body) {
      const own = nameOf(node)
      const className = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : ''
      const name = own === undefined ? '(anonymous)' : `${className}${own}`
      const start = lineOf(node.getStart(source))
      const end = lineOf(node.getEnd())
      found.push({ file, name: [...outer, name].join(' > '), lines: end - start + 1, start })
      if (own !== undefined) inner = [...outer, name]
    }
    ts.forEachChild(node, (child) => visit(child, inner))
  }
  visit(source, [])
  return found
}

/** Every function in the files, longest first. */
export function longestFirst(files) {
  return files.flatMap(functionsOf).sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file))
}

/** The functions longer than their folder's limit (`limits`: folder under src/, or '' for all, to lines). */
export function overLimit(functions, limits) {
  return functions.flatMap((fn) => {
    const folder = relative('src', fn.file).split('/').slice(0, -1).join('/')
    const limit = limits[folder] ?? limits['']
    return limit !== undefined && fn.lines > limit ? [{ ...fn, limit }] : []
  })
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const topAt = args.indexOf('--top')
  const top = topAt === -1 ? 15 : Number(args[topAt + 1])
  const limits = {}
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--limit') continue
    const [folder, lines] = (args[i + 1] ?? '').split('=')
    if (folder === undefined || !Number.isInteger(Number(lines)))
      throw new Error('--limit takes FOLDER=LINES, e.g. --limit issues=50 (FOLDER empty for all of src/)')
    limits[folder] = Number(lines)
  }
  const all = longestFirst(sourceFiles('src'))
  if (top > 0) {
    console.log(`The ${Math.min(top, all.length)} longest of ${all.length} functions in src/ (lines, where, name):`)
    for (const fn of all.slice(0, top))
      console.log(`  ${String(fn.lines).padStart(4)}  ${`${relative('.', fn.file)}:${fn.start}`.padEnd(40)} ${fn.name}`)
  }
  const over = overLimit(all, limits)
  for (const fn of over)
    console.error(`function-lengths: ${fn.file}:${fn.start} ${fn.name} is ${fn.lines} lines (at most ${fn.limit})`)
  if (over.length > 0) process.exit(1)
}
