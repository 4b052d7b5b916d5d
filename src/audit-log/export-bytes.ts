// The one byte reader of exports: a file, or a stream (the CLI's standard input), in chunks,
// gunzipped (gunzip.ts) when the first two bytes are gzip's magic, whichever it comes from.
import { close as closeFile, open as openFile, read } from 'node:fs'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { gunzip } from './gunzip.js'

/** The size of one read, and of what gunzip hands on at a time. */
export const CHUNK = 1 << 20

const GZIP_MAGIC = [0x1f, 0x8b]

/** Where an export's bytes come from. */
export type ExportInput = { path: string } | { stream: Readable }

/**
 * The file's bytes in chunks, read into two buffers used in turn: memory stays the same
 * however large the file, and the next read runs while the caller works on this chunk.
 * A chunk is valid only until the caller asks for the next one.
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer, void, undefined> {
  // fs.read with a callback: a third faster than FileHandle.read at this many reads.
  const fd = await promisify(openFile)(path, 'r')
  const readInto = (buffer: Buffer): Promise<number> =>
    new Promise((resolve, reject) =>
      read(fd, buffer, 0, CHUNK, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)))
    )
  let pending: Promise<number> | undefined
  try {
    const buffers = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)]
    let turn = 0
    pending = readInto(buffers[turn]!)
    for (;;) {
      const bytesRead = await pending
      if (bytesRead === 0) return
      const chunk = buffers[turn]!.subarray(0, bytesRead)
      turn ^= 1
      pending = readInto(buffers[turn]!)
      yield chunk
    }
  } finally {
    // A read may still be running when the caller stops early: let it end before closing.
    await pending?.catch(() => undefined)
    await promisify(closeFile)(fd)
  }
}

/** The bytes as they are read, each chunk counted as it passes. */
async function* counting(
  chunks: AsyncIterable<Buffer>,
  counted: (bytes: number) => void
): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of chunks) {
    counted(chunk.length)
    yield chunk
  }
}

/**
 * The bytes of an export, decompressed when it is gzip; a chunk is valid only until the
 * next is asked for. `counted` is told the bytes read from the input, as they are read:
 * compressed bytes, for gzip.
 */
export async function* exportBytes(
  input: ExportInput,
  counted: (bytes: number) => void
): AsyncGenerator<Buffer, void, undefined> {
  const raw = counting('path' in input ? fileChunks(input.path) : input.stream, counted)
  try {
    // The first two bytes tell gzip.
    let start: Buffer = Buffer.alloc(0)
    let ended = false
    while (start.length < 2 && !ended) {
      const next = await raw.next()
      if (next.done) ended = true
      else start = start.length === 0 ? next.value : Buffer.concat([start, next.value])
      // Kept across the next read: a copy, as the file's buffers are reused.
      if (start.length < 2 && !ended) start = Buffer.from(start)
    }
    const head = start
    const bytes = async function* (): AsyncGenerator<Buffer, void, undefined> {
      if (head.length > 0) yield head
      if (!ended) yield* raw
    }
    yield* head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1] ? gunzip(bytes(), CHUNK) : bytes()
  } finally {
    await raw.return(undefined)
  }
}
