// gzip, read member by member (RFC 1952), so that every way a file can be broken is told
// apart and none passes quietly. zlib's own gunzip stream reads concatenated members, but it
// ignores bytes after the last member when they start with a NUL, and on other trailing
// bytes it fails in a way that drops what the last write decompressed: a small export with
// a few bytes appended read as no events at all. Here zlib inflates each member's deflate
// data (createInflateRaw), and the header, the trailer (CRC-32 and size) and what follows
// are checked against the RFC: a header that is not gzip's, data cut short, a checksum that
// does not match, or trailing bytes that are neither another member nor zero padding are a
// GzipError that says which, where, and what to do. Everything decompressed before the
// error has been handed on.
import { finished } from 'node:stream'
import { createInflateRaw, crc32 } from 'node:zlib'

export type GzipProblem = 'header' | 'truncated' | 'corrupt' | 'trailing'

export class GzipError extends Error {
  override name = 'GzipError'

  constructor(
    readonly problem: GzipProblem,
    message: string
  ) {
    super(message)
  }
}

const ID1 = 0x1f
const ID2 = 0x8b
const DEFLATE = 8
const FHCRC = 0x02
const FEXTRA = 0x04
const FNAME = 0x08
const FCOMMENT = 0x10
const RESERVED = 0xe0
/** Compressed bytes given to zlib at a time: what one write can inflate to stays bounded (deflate expands at most about 1,000 times). */
const SLICE = 16 << 10

/** The compressed bytes, read as needed; what a member did not use is put back for the next. */
class ByteReader {
  /** Bytes read from the input and not yet used. */
  private pending: Buffer = Buffer.alloc(0)
  private done = false
  /** Offset in the compressed input of pending[0]. */
  offset = 0

  constructor(private readonly input: AsyncIterator<Buffer>) {}

  /** At least one byte pending, unless the input has ended. */
  private async fill(): Promise<boolean> {
    while (this.pending.length === 0 && !this.done) {
      const next = await this.input.next()
      if (next.done) this.done = true
      // A copy: the input may reuse its buffers.
      else this.pending = Buffer.from(next.value)
    }
    return this.pending.length > 0
  }

  /** Up to `max` bytes (fewer at the end of a read); empty at the end of the input. */
  async take(max: number): Promise<Buffer> {
    if (!(await this.fill())) return Buffer.alloc(0)
    const piece = this.pending.subarray(0, max)
    this.pending = this.pending.subarray(piece.length)
    this.offset += piece.length
    return piece
  }

  /** Exactly `count` bytes, or what there was before the input ended. */
  async exactly(count: number): Promise<Buffer> {
    const parts: Buffer[] = []
    let size = 0
    while (size < count) {
      const piece = await this.take(count - size)
      if (piece.length === 0) break
      parts.push(piece)
      size += piece.length
    }
    return Buffer.concat(parts, size)
  }

  /** Puts back the end of the last piece taken. */
  unread(bytes: Buffer): void {
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([bytes, this.pending])
    this.offset -= bytes.length
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill())
  }
}

/**
 * The member header, with `crc` over its bytes for FHCRC. The first member's ID bytes were
 * checked by the caller (it is why the file is read as gzip); a later one's are checked here.
 */
async function readHeader(reader: ByteReader, first: boolean): Promise<void> {
  const start = reader.offset
  const fixed = await reader.exactly(10)
  const where = first ? 'the gzip header' : `the header of the gzip member at byte ${start}`
  if (fixed.length < 10) throw cutShort(reader, `inside ${where}`)
  if (fixed[2] !== DEFLATE) {
    throw new GzipError(
      'header',
      `${where} is corrupt: it names compression method ${fixed[2]}, where gzip has only 8 (deflate)`
    )
  }
  const flags = fixed[3]!
  if (flags & RESERVED) {
    throw new GzipError(
      'header',
      `${where} is corrupt: it sets reserved flag bits (${flags.toString(2).padStart(8, '0')})`
    )
  }
  let crc = crc32(fixed)
  const read = async (count: number, what: string): Promise<Buffer> => {
    const bytes = await reader.exactly(count)
    if (bytes.length < count) throw cutShort(reader, `inside ${where} (its ${what})`)
    crc = crc32(bytes, crc)
    return bytes
  }
  if (flags & FEXTRA) {
    const length = (await read(2, 'extra field')).readUInt16LE(0)
    await read(length, 'extra field')
  }
  for (const [flag, what] of [
    [FNAME, 'file name'],
    [FCOMMENT, 'comment']
  ] as const) {
    if (!(flags & flag)) continue
    // Zero-terminated, of any length: read a byte at a time from what is pending.
    for (;;) {
      const byte = await read(1, what)
      if (byte[0] === 0) break
    }
  }
  if (flags & FHCRC) {
    const stored = (await reader.exactly(2)).readUInt16LE(0)
    if (stored !== (crc & 0xffff))
      throw new GzipError('header', `${where} is corrupt: it does not match its own checksum`)
  }
}

function cutShort(reader: ByteReader, where: string): GzipError {
  return new GzipError(
    'truncated',
    `the gzip data is cut short: the file ends at byte ${reader.offset}, ${where}, so the export or its download did not finish`
  )
}

/**
 * Inflates one member's deflate data, handing on what it decompresses; puts back what
 * follows the data. Returns the CRC-32 and the size of what it decompressed.
 */
async function* inflateMember(
  reader: ByteReader,
  chunkSize: number,
  sums: { crc: number; size: number }
): AsyncGenerator<Buffer> {
  const start = reader.offset
  const inflater = createInflateRaw({ chunkSize })
  const out: Buffer[] = []
  let failure: Error | undefined
  inflater.on('data', (chunk: Buffer) => out.push(chunk))
  inflater.on('error', (error: Error) => (failure = error))
  const flush = (): Buffer[] => {
    const ready = out.splice(0)
    for (const chunk of ready) {
      sums.crc = crc32(chunk, sums.crc)
      sums.size += chunk.length
    }
    return ready
  }
  try {
    let fed = 0
    for (;;) {
      const piece = await reader.take(SLICE)
      if (piece.length === 0) {
        // The input ended inside the deflate data (zlib says so when told it is all).
        inflater.end()
        await new Promise<void>((resolve) =>
          finished(inflater, (error) => {
            if (error) failure ??= error
            resolve()
          })
        )
        yield* flush()
        if (failure) throw failure
        return
      }
      fed += piece.length
      // The callback comes once zlib has used what it wants of the piece; on corrupt data
      // zlib destroys the stream instead, and the callback never comes.
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve()
        inflater.once('error', stop)
        inflater.write(piece, (error) => {
          inflater.off('error', stop)
          if (error) failure ??= error
          resolve()
        })
      })
      yield* flush()
      if (failure) throw failure
      // zlib stops taking input where the deflate data ends; the rest is the trailer and what follows.
      const unused = fed - inflater.bytesWritten
      if (unused > 0) {
        reader.unread(piece.subarray(piece.length - unused))
        return
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'Z_BUF_ERROR') throw cutShort(reader, 'inside the compressed data')
    throw new GzipError(
      'corrupt',
      `the gzip data is corrupt at or after byte ${start + inflater.bytesWritten} (zlib: ${(error as Error).message}): the file was damaged after it was written`
    )
  } finally {
    inflater.destroy()
  }
}

/**
 * The decompressed content of a gzip stream that starts with gzip's two ID bytes. Members
 * follow one another (as `cat a.gz b.gz` writes them); zero bytes after the last one are
 * padding. Throws a GzipError for anything else, after handing on all it could read.
 */
export async function* gunzip(input: AsyncIterator<Buffer>, chunkSize = 1 << 20): AsyncGenerator<Buffer> {
  const reader = new ByteReader(input)
  for (let member = 0; ; member++) {
    if (member > 0) {
      if (await reader.atEnd()) return
      const at = reader.offset
      const head = await reader.exactly(2)
      if (head[0] !== ID1 || head[1] !== ID2) {
        reader.unread(head)
        if (await onlyZeros(reader)) return
        throw new GzipError(
          'trailing',
          `the file goes on after the end of its gzip data with bytes that are not gzip (from byte ${at}, trailing garbage): ` +
            'everything before them was read, but they may be the damaged rest of the export'
        )
      }
      reader.unread(head)
    }
    const start = reader.offset
    await readHeader(reader, member === 0)
    const sums = { crc: 0, size: 0 }
    yield* inflateMember(reader, chunkSize, sums)
    const trailer = await reader.exactly(8)
    if (trailer.length < 8) throw cutShort(reader, 'inside the gzip trailer (the checksum and size after the data)')
    if (trailer.readUInt32LE(0) !== sums.crc >>> 0 || trailer.readUInt32LE(4) !== sums.size % 2 ** 32) {
      throw new GzipError(
        'corrupt',
        `the gzip data ${start > 0 ? `from byte ${start} ` : ''}does not match its checksum (CRC-32) or size: it was damaged after it was written`
      )
    }
  }
}

/** Reads the rest of the input: true when it is all zero bytes (padding, which gzip skips too). */
async function onlyZeros(reader: ByteReader): Promise<boolean> {
  for (let piece = await reader.take(1 << 20); piece.length > 0; piece = await reader.take(1 << 20)) {
    if (piece.some((byte) => byte !== 0)) return false
  }
  return true
}

/** What to do about a gzip file the run could not read whole. */
export const GZIP_ADVICE =
  'check the file with gzip -t (it names the same fault), then export the audit log again and scan the new file'
