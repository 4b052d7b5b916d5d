// Exported audit logs: JSONL (one event a line), a JSON array, or a saved list
// response {"object":"list","data":[...]}, each optionally gzip-compressed.
import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { createGunzip, gunzipSync } from 'node:zlib'
import { createInterface } from 'node:readline'
import { newStatus, recordUnreadable, type AuditLogSource, type SourcedEvent } from './source.js'

const GZIP_MAGIC = [0x1f, 0x8b]

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0)
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1]
  } finally {
    await handle.close()
  }
}

export class FileSource implements AuditLogSource {
  readonly label: string
  readonly status = newStatus()

  constructor(private readonly path: string) {
    this.label = `file ${path}`
  }

  async *events(): AsyncIterable<SourcedEvent> {
    const gzip = await isGzip(this.path)
    const stream = createReadStream(this.path)
    stream.on('data', (chunk) => (this.status.bytes += chunk.length))
    const lines = createInterface({ input: gzip ? stream.pipe(createGunzip()) : stream, crlfDelay: Infinity })
    let lineNumber = 0
    let first = true
    for await (const line of lines) {
      lineNumber++
      const trimmed = line.trim()
      if (trimmed === '') continue
      if (first) {
        first = false
        if (trimmed.startsWith('[') || !trimmed.endsWith('}')) {
          lines.close()
          stream.destroy()
          yield* this.document(gzip)
          return
        }
      }
      let raw: unknown
      try {
        raw = JSON.parse(trimmed)
      } catch (error) {
        recordUnreadable(this.status, `line ${lineNumber}`, `not valid JSON (${(error as Error).message})`)
        continue
      }
      yield* this.unwrap(raw, `line ${lineNumber}`)
    }
  }

  /** A whole JSON document: an array of events or a saved list response. */
  private async *document(gzip: boolean): AsyncIterable<SourcedEvent> {
    const bytes = await readFile(this.path)
    let raw: unknown
    try {
      raw = JSON.parse((gzip ? gunzipSync(bytes) : bytes).toString('utf8'))
    } catch (error) {
      recordUnreadable(
        this.status,
        this.label,
        `not JSONL, a JSON array or a list response (${(error as Error).message})`
      )
      this.status.complete = false
      this.status.missing.push(`the whole of ${this.label}: it could not be parsed`)
      return
    }
    yield* this.unwrap(raw, 'event')
  }

  private *unwrap(raw: unknown, where: string): Iterable<SourcedEvent> {
    const list = Array.isArray(raw)
      ? raw
      : typeof raw === 'object' &&
          raw !== null &&
          (raw as { object?: unknown }).object === 'list' &&
          Array.isArray((raw as { data?: unknown }).data)
        ? (raw as { data: unknown[] }).data
        : undefined
    if (!list) {
      yield { raw, where }
      return
    }
    for (let index = 0; index < list.length; index++) yield { raw: list[index], where: `${where} item ${index + 1}` }
  }
}
