// What a scan keeps for the reports: finished findings and deletions, each stored as its
// JSON text in a TextLog (outside the heap, past a few megabytes in a temporary file) and
// handed back as the same plain value. Nothing here judges an event again.
import type { Listed } from '../model/index.js'
import { TextLog } from './text-log.js'

/** Values kept as JSON text; the last one read is kept decoded, as lists are read in order. */
export class KeptStore {
  private readonly log: TextLog
  private lastIndex = -1
  private last: unknown

  /** `tempDir`: where the temporary file goes (the runner's temporary directory in a workflow). */
  constructor(tempDir?: string) {
    this.log = new TextLog(undefined, tempDir)
  }

  push(value: unknown): number {
    return this.log.push(JSON.stringify(value))
  }

  get(index: number): unknown {
    if (index !== this.lastIndex) {
      this.last = JSON.parse(this.log.text(index))
      this.lastIndex = index
    }
    return this.last
  }
}

/** A list of values in a KeptStore, read back on access. JSON.stringify sees an array. */
export class KeptList<T> implements Listed<T> {
  private readonly indexes: number[] = []

  constructor(private readonly store: KeptStore) {}

  push(value: T): void {
    this.indexes.push(this.store.push(value))
  }

  get length(): number {
    return this.indexes.length
  }

  at(index: number): T | undefined {
    const stored = this.indexes.at(index)
    return stored === undefined ? undefined : (this.store.get(stored) as T)
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const index of this.indexes) yield this.store.get(index) as T
  }

  toJSON(): T[] {
    return [...this]
  }
}
