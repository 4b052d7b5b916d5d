// Every workflow this repository holds or shows: the files under .github/workflows and
// examples/workflows, and the ```yaml blocks of README.md and the docs/ pages that are whole
// workflows (they have a top-level jobs: key). Shared by the workflow linter and its tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const WORKFLOW_DIRS = ['.github/workflows', 'examples/workflows']

const isWorkflowFile = (name) => name.endsWith('.yml') || name.endsWith('.yaml')

/** The ```yaml fenced blocks of a Markdown text that contain a top-level `jobs:` key. */
export function markdownWorkflowBlocks(markdown) {
  const blocks = [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((match) => match[1])
  return blocks.filter((block) => /^jobs:/m.test(block))
}

/**
 * The workflows under root, as { path, text, kind }: kind is 'file' for a workflow file
 * and 'readme' for a block of README.md or a docs/ page (path README.md#workflow-N,
 * docs/scaling.md#workflow-N, N from 1 in each).
 */
export function collectWorkflows(root = '.') {
  const found = []
  for (const dir of WORKFLOW_DIRS) {
    const full = join(root, dir)
    if (!existsSync(full)) continue
    for (const name of readdirSync(full).filter(isWorkflowFile).sort()) {
      found.push({ path: join(dir, name), text: readFileSync(join(full, name), 'utf8'), kind: 'file' })
    }
  }
  const docs = join(root, 'docs')
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => join('docs', name))
    : []
  for (const page of ['README.md', ...pages]) {
    const full = join(root, page)
    if (!existsSync(full)) continue
    markdownWorkflowBlocks(readFileSync(full, 'utf8')).forEach((text, index) => {
      found.push({ path: `${page}#workflow-${index + 1}`, text, kind: 'readme' })
    })
  }
  return found
}
