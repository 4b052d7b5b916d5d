// Lists the stages read in order or by position, without holding their items: a scan's
// findings and deletions are kept as text outside the heap and read back one at a time.

/**
 * A list read in order or by position. A scan's findings and deletions are kept as text
 * outside the heap and read back one at a time; an array is one too.
 */
export interface Listed<T> extends Iterable<T> {
  readonly length: number
  at(index: number): T | undefined
}

/** Some items of a list, in the order of `positions`: a key's share of a scan's findings, the events an issue has not recorded. */
export class Picked<T> implements Listed<T> {
  constructor(
    private readonly list: Listed<T>,
    private readonly positions: readonly number[]
  ) {}

  get length(): number {
    return this.positions.length
  }

  at(index: number): T | undefined {
    const position = this.positions.at(index)
    return position === undefined ? undefined : this.list.at(position)
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const position of this.positions) yield this.list.at(position)!
  }

  toJSON(): T[] {
    return [...this]
  }
}
