// What a scan keeps while it reads (findings, deletions, the ids of the key events seen),
// stored as text in buffers outside the JavaScript heap, and past a few megabytes in a
// temporary file. A backfill keeps thousands of them: as objects, each would cost a
// kilobyte or more and, surviving collection after collection, make V8 grow its young
// generation several times over. Stored here, each costs its UTF-8 bytes and 12 bytes of
// index, and memory stays bounded however many there are.

import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const FIRST_CHUNK = 16 << 10
const LARGEST_CHUNK = 1 << 20
/** What a log holds in memory before it moves full chunks to a temporary file. */
const MEMORY_BYTES = 2 << 20

/** A chunk of texts: in memory, or at `at` in the log's temporary file. */
interface Chunk {
  buffer: Buffer | undefined
  at: number
}

/**
 * Temporary files still open, removed when the process exits. A process killed by a signal
 * leaves its file behind, which is why the runner's temporary directory is the default.
 */
const spills = new Set<{ fd: number; dir: string }>()
function removeSpill(spill: { fd: number; dir: string }): void {
  spills.delete(spill)
  try {
    closeSync(spill.fd)
  } finally {
    rmSync(spill.dir, { recursive: true, force: true })
  }
}
process.once('exit', () => spills.forEach(removeSpill))

/**
 * An append-only list of strings kept in buffers; `push` returns the index to read one back
 * by. Past `memoryBytes`, full chunks move to a temporary file (owner-only, removed at exit)
 * and are read back from there: a backfill with a great many findings stays in bounded memory.
 */
export class TextLog {
  private readonly chunks: Chunk[] = []
  /** Bytes used in the last chunk. */
  private used = 0
  private inMemory = 0
  private spill: { fd: number; dir: string; size: number } | undefined
  private chunkOf = new Uint32Array(64)
  private startOf = new Uint32Array(64)
  private bytesOf = new Uint32Array(64)
  private count = 0

  constructor(
    private readonly memoryBytes = MEMORY_BYTES,
    /**
     * Where the temporary file goes: the runner's temporary directory in a workflow (settings
     * pass it), which the runner empties even after a cancelled job; by default the system's.
     */
    private readonly spillDir?: string
  ) {}

  get length(): number {
    return this.count
  }

  push(text: string): number {
    let chunk = this.chunks.at(-1)
    let size: number
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: when that much room is left, the
    // text is written at once and its size is what was written (one pass over it, not two).
    if (chunk?.buffer !== undefined && this.used + text.length * 3 <= chunk.buffer.length) {
      size = chunk.buffer.write(text, this.used, 'utf8')
    } else {
      size = Buffer.byteLength(text, 'utf8')
      if (chunk?.buffer === undefined || this.used + size > chunk.buffer.length) chunk = this.nextChunk(size)
      chunk.buffer!.write(text, this.used, 'utf8')
    }
    if (this.count === this.chunkOf.length) {
      this.chunkOf = doubled(this.chunkOf)
      this.startOf = doubled(this.startOf)
      this.bytesOf = doubled(this.bytesOf)
    }
    this.chunkOf[this.count] = this.chunks.length - 1
    this.startOf[this.count] = this.used
    this.bytesOf[this.count] = size
    this.used += size
    return this.count++
  }

  text(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`internal: no text ${index} in a log of ${this.count}`)
    }
    const chunk = this.chunks[this.chunkOf[index]!]!
    const start = this.startOf[index]!
    const bytes = this.bytesOf[index]!
    if (chunk.buffer) return chunk.buffer.toString('utf8', start, start + bytes)
    const out = Buffer.allocUnsafe(bytes)
    let read = 0
    while (read < bytes) {
      const n = readSync(this.spill!.fd, out, read, bytes - read, chunk.at + start + read)
      if (n === 0) throw new Error('internal: the temporary file of kept events is shorter than written')
      read += n
    }
    return out.toString('utf8')
  }

  /** Starts a chunk for a text of `size` bytes, moving the last one to the file when memory is spent. */
  private nextChunk(size: number): Chunk {
    const last = this.chunks.at(-1)
    // Chunks double up to 1 MB: a run with three findings does not hold a megabyte.
    const wanted = Math.max(
      size,
      last?.buffer === undefined ? FIRST_CHUNK : Math.min(LARGEST_CHUNK, last.buffer.length * 2)
    )
    let buffer: Buffer | undefined
    if (last?.buffer !== undefined && this.inMemory + wanted > this.memoryBytes) {
      const spill = this.openSpill()
      try {
        for (let written = 0; written < this.used;) {
          written += writeSync(spill.fd, last.buffer, written, this.used - written, spill.size + written)
        }
      } catch (error) {
        throw spillError(spill.dir, error)
      }
      last.at = spill.size
      spill.size += this.used
      // Its memory is reused for the next chunk when large enough.
      if (last.buffer.length >= wanted) buffer = last.buffer
      else this.inMemory -= last.buffer.length
      last.buffer = undefined
    }
    if (buffer === undefined) {
      buffer = Buffer.allocUnsafeSlow(wanted)
      this.inMemory += wanted
    }
    const chunk = { buffer, at: 0 }
    this.chunks.push(chunk)
    this.used = 0
    return chunk
  }

  private openSpill(): { fd: number; dir: string; size: number } {
    if (!this.spill) {
      const parent = this.spillDir ?? tmpdir()
      let dir: string | undefined
      try {
        dir = mkdtempSync(join(parent, 'openai-keywatch-'))
        const file = { fd: openSync(join(dir, 'kept'), 'w+', 0o600), dir, size: 0 }
        spills.add(file)
        this.spill = file
      } catch (error) {
        if (dir) rmSync(dir, { recursive: true, force: true })
        throw spillError(parent, error)
      }
    }
    return this.spill
  }
}

function spillError(dir: string, error: unknown): Error {
  return new Error(
    `Could not write the findings this run keeps to a temporary file in ${dir} (${(error as Error).message}): ` +
      'free space there, or point RUNNER_TEMP (the action) or TMPDIR (the CLI) at a directory with room.'
  )
}

function doubled(array: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(array.length * 2)
  next.set(array)
  return next
}

/** The key of the seen-ids table's hash: the state it starts from, and the odd number each step multiplies by. */
export interface HashKey {
  readonly basis: number
  readonly multiplier: number
}

/** FNV-1a's own constants: the hash unkeyed. */
export const FNV_KEY: HashKey = { basis: 0x811c9dc5, multiplier: 0x01000193 }

/**
 * A key drawn once per process. Both halves are random: with FNV's multiplier kept, ids made
 * to collide from FNV's basis still collided from about one random basis in 64 (measured over
 * 200,000 bases), since a collision there depends on the low bits of the state only; with the
 * multiplier drawn too, none of 1,000,000 keys kept such a pair together.
 */
const KEY: HashKey = { basis: randomBytes(4).readInt32LE(0), multiplier: randomBytes(4).readInt32LE(0) | 1 }

/**
 * FNV-1a over UTF-16 code units, keyed (TextSet passes the process's KEY): ids an export was
 * made of to collide in one run's table do not in another's.
 */
export function hash32(text: string, key: HashKey = FNV_KEY): number {
  const { multiplier } = key
  let hash = key.basis
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), multiplier)
  // A final mix, so that the low bits the table uses depend on every bit of the state.
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x45d9f3b)
  hash ^= hash >>> 16
  return hash | 0
}

/** The most slots one lookup probes; past it, a text goes to the overflow set. */
const MAX_PROBES = 32

/**
 * A set of strings kept out of the heap: the strings in a TextLog, and an open-addressing
 * table (typed arrays) of where each one is and its hash. Exact: a hash match is checked
 * against the stored text, never taken on trust. The hash is keyed per process, and no
 * lookup probes more than MAX_PROBES slots: a text whose probe would run longer (ids made to
 * collide, which the key makes a matter of luck) is kept in a Set of its own instead, so
 * that each lookup costs a bounded number of steps however the ids were chosen.
 */
export class TextSet {
  private readonly texts: TextLog
  /** Index + 1 of the text in `texts`; 0 is an empty slot. */
  private slots = new Int32Array(1024)
  private hashes = new Int32Array(1024)
  private size = 0
  private overflow: Set<string> | undefined

  /** `spillDir`: where the texts go past a few megabytes, as for a TextLog; `key`: the hash's key (tests fix it). */
  constructor(
    spillDir?: string,
    private readonly key: HashKey = KEY
  ) {
    this.texts = new TextLog(undefined, spillDir)
  }

  /** Adds `text`; false when it was in the set already. */
  add(text: string): boolean {
    const hash = hash32(text, this.key)
    const slot = this.slotOf(text, hash)
    if (slot === -1) {
      if (this.overflow?.has(text)) return false
      ;(this.overflow ??= new Set()).add(text)
      return true
    }
    if (this.slots[slot] !== 0) return false
    if (this.overflow?.has(text)) return false
    this.slots[slot] = this.texts.push(text) + 1
    this.hashes[slot] = hash
    if (++this.size * 2 > this.slots.length) this.grow()
    return true
  }

  has(text: string): boolean {
    const slot = this.slotOf(text, hash32(text, this.key))
    return (slot !== -1 && this.slots[slot] !== 0) || this.overflow?.has(text) === true
  }

  /** The slot holding `text`, or the empty slot where it would go; -1 when the probe runs too long. */
  private slotOf(text: string, hash: number): number {
    const mask = this.slots.length - 1
    let slot = hash & mask
    for (let probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
      const at = this.slots[slot]!
      if (at === 0 || (this.hashes[slot] === hash && this.texts.text(at - 1) === text)) return slot
    }
    return -1
  }

  private grow(): void {
    const { slots, hashes } = this
    this.slots = new Int32Array(slots.length * 2)
    this.hashes = new Int32Array(slots.length * 2)
    const mask = this.slots.length - 1
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue
      let slot = hashes[i]! & mask
      let probe = 0
      while (this.slots[slot] !== 0 && probe < MAX_PROBES) {
        slot = (slot + 1) & mask
        probe++
      }
      if (probe === MAX_PROBES) {
        // Its cluster is full: it moves to the overflow set.
        ;(this.overflow ??= new Set()).add(this.texts.text(slots[i]! - 1))
        this.size--
        continue
      }
      this.slots[slot] = slots[i]!
      this.hashes[slot] = hashes[i]!
    }
  }
}
