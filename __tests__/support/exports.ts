// What the tests of dist/index.js on exported audit logs share: export files in a temporary
// directory, JSONL, a HIGH key event and two others, and the annotations a run wrote.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionRun } from './action.js'
import { created, login } from './events.js'

/** A function that writes an export file (export-1.jsonl, export-2.jsonl, ...) in `dir` and returns its path. */
export function exportFiles(dir: string): (content: string | Buffer, name?: string) => string {
  let files = 0
  return (content, name = `export-${++files}.jsonl`) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
}

export const jsonl = (records: unknown[]): string => records.map((record) => JSON.stringify(record)).join('\n') + '\n'
export const HIGH = created({ id: 'audit_log-high', key: 'key-high', scopes: ['all'] })
export const OTHERS = [login('audit_log-l1'), login('audit_log-l2')]

/** The error annotations of a run (the runner's ::error:: commands). */
export const errors = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((line) => line.startsWith('::error::'))
/** Those that say the window is incomplete. */
export const incomplete = (run: ActionRun): string[] =>
  errors(run).filter((line) => line.startsWith('::error::Audit-log window incomplete'))

/** A run that failed on an incomplete window, with one message for it that matches `message`. */
export function expectIncomplete(run: ActionRun, message: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.outputs.complete).toBe('false')
  expect(incomplete(run)).toHaveLength(1)
  expect(incomplete(run)[0]).toMatch(message)
  expect(run.summary).toContain('Read completely: **no**')
}
