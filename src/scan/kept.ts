// What a scan keeps for the reports: finished findings and deletions, each stored as text in
// a TextLog (outside the heap, past a few megabytes in a temporary file) and handed back as
// the same plain value. Nothing here judges an event again.
import type { Listed } from '../model/index.js'
import { TextLog } from './text-log.js'

/**
 * How a list's values are stored as text and read back: `decode(encode(value))` is the value
 * the list hands back for one pushed. JSON of the value itself by default.
 */
export interface KeptForm<In, Out> {
  encode(value: In): string
  decode(text: string): Out
}

const AS_JSON: KeptForm<unknown, unknown> = {
  encode: (value) => JSON.stringify(value),
  decode: (text) => JSON.parse(text)
}

/** Values kept as text; the last one read is kept decoded, as lists are read in order. */
export class KeptStore {
  private readonly log: TextLog
  private lastIndex = -1
  private last: unknown

  /** `tempDir`: where the temporary file goes (the runner's temporary directory in a workflow). */
  constructor(tempDir?: string) {
    this.log = new TextLog(undefined, tempDir)
  }

  push(text: string): number {
    return this.log.push(text)
  }

  get(index: number, decode: (text: string) => unknown): unknown {
    if (index !== this.lastIndex) {
      this.last = decode(this.log.text(index))
      this.lastIndex = index
    }
    return this.last
  }
}

/**
 * A list of values in a KeptStore, read back on access: pushed as `In`, stored in `form`,
 * read as `T` (JSON of the value by default: the same plain value). JSON.stringify sees an array.
 */
export class KeptList<T, In = T> implements Listed<T> {
  private readonly indexes: number[] = []
  private readonly decode: (text: string) => T

  constructor(
    private readonly store: KeptStore,
    private readonly form: KeptForm<In, T> = AS_JSON as KeptForm<In, T>
  ) {
    this.decode = (text) => form.decode(text)
  }

  push(value: In): void {
    this.indexes.push(this.store.push(this.form.encode(value)))
  }

  get length(): number {
    return this.indexes.length
  }

  at(index: number): T | undefined {
    const stored = this.indexes.at(index)
    return stored === undefined ? undefined : (this.store.get(stored, this.decode) as T)
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const index of this.indexes) yield this.store.get(index, this.decode) as T
  }

  toJSON(): T[] {
    return [...this]
  }
}
