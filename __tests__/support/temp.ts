// Temporary directories for tests, each removed when its test file is done.
//
// Importing this module (directly, or through a support module that uses it) registers an
// afterAll hook in the importing test file, so a test file cannot forget to clean up what
// it made. Jest gives each test file its own copy of this module, hence its own list.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
let kept: string | undefined

/** A new, empty directory under the system's temporary directory, removed after the file's last test. */
export function tempDir(prefix = 'keywatch-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/**
 * Where the in-process scans of this test file put the temporary file of the events they
 * keep (a scan spills to disk past a few megabytes). Without it a scan writes to the
 * system's temporary directory and removes the file at process exit, which never comes
 * for the copy of `process` a Jest test file sees: each such file would be left behind.
 */
export function keptDir(): string {
  kept ??= tempDir('keywatch-kept-')
  return kept
}

/** Removes every directory made so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  kept = undefined
}

afterAll(removeTempDirs)
