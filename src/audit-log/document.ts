// A JSON document (a pretty-printed array, a saved list response, a pipeline's export of
// any shape) read from stream-json's tokens into the records in it, in bounded memory and
// depth. The items of its arrays of objects are records, however deep the arrays are
// ({"export": {"org": {"events": [...]}}}), each assembled on its own and handed on as it
// ends; what is left of the document (its objects without those arrays: a single event, a
// list response's other fields) is handed on at the end, for envelope.ts to look into.
//
// A record nested deeper than MAX_NESTING or larger than MAX_RECORD_BYTES is not built: it
// is consumed and reported, so that the caller can fail the window closed.
import type { Token } from 'stream-json/parser.js'
import type { Json } from '../model/index.js'

/** How deep a record may nest: an audit-log event is six levels deep, a pipeline's envelope a few more. */
export const MAX_NESTING = 64
/** How large one record may be; an audit-log event is a few kilobytes. */
export const MAX_RECORD_BYTES = 16 << 20

/** What the reader hands on: a record with where it was ("item 3"), or one it could not build, and why. */
export type DocumentPart = { value: unknown; at: string; rest?: true } | { problem: string; at: string }

interface Frame {
  /** The value being built; undefined for an array whose items are handed on one by one. */
  value: Json | unknown[] | undefined
  isArray: boolean
  /** The key whose value comes next, in an object. */
  key?: string
  /** Part of the document's skeleton, outside any record. */
  spine: boolean
  /** A spine object that is an event itself (it has a string "type"): what it holds is kept whole. */
  typed?: boolean
  /** The item this frame starts, for a record's outermost frame. */
  item?: number
  /** A spine array not yet known to hold objects (items handed on) or scalars (kept). */
  undecided?: boolean
}

export class DocumentError extends Error {
  override name = 'DocumentError'
}

/** The token consumer: push every token, then end(); each returns the parts completed. */
export class DocumentReader {
  private readonly frames: Frame[] = []
  private items = 0
  /** Bytes of text kept in the record being built (or on the spine, outside records). */
  private recordBytes = 0
  private spineBytes = 0
  private scalarBytes = 0
  /** Set while a record that cannot be built is consumed: the depth at which it ends, and why. */
  private skipping: { open: number; problem: string; at: string } | undefined
  /** The text of the key, string or number being read. */
  private text = ''
  /** Items handed on from arrays: when there are any, a document left with no event in it is not a stray. */
  handedOn = 0

  push(token: Token): DocumentPart[] {
    const out: DocumentPart[] = []
    if (this.skipping) {
      this.skip(token, out)
      return out
    }
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.open(token.name === 'startArray')
        break
      case 'endObject':
      case 'endArray':
        this.close(out)
        break
      case 'startKey':
      case 'startString':
      case 'startNumber':
        this.text = ''
        break
      case 'stringChunk':
      case 'numberChunk':
        this.count(token.value.length)
        if (!this.skipping) this.text += token.value
        break
      case 'endKey':
        this.frames.at(-1)!.key = this.text
        break
      case 'endString':
        this.value(this.text, out)
        break
      case 'endNumber':
        this.value(Number(this.text), out)
        break
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        this.value(token.value, out)
        break
      default:
        break
    }
    return out
  }

  end(): DocumentPart[] {
    return []
  }

  private inRecord(): boolean {
    const top = this.frames.at(-1)
    return top !== undefined && !top.spine
  }

  /** Where the record being built started ("item 3"), or the document's skeleton. */
  private where(): string {
    for (let index = this.frames.length - 1; index >= 0; index--) {
      const item = this.frames[index]!.item
      if (item !== undefined) return `item ${item}`
    }
    return 'the document'
  }

  private count(bytes: number): void {
    if (this.frames.at(-1)?.value === undefined) {
      // A scalar item of an array of records, handed on as soon as it ends: its own bound.
      this.scalarBytes += bytes
      if (this.scalarBytes > MAX_RECORD_BYTES) {
        throw new DocumentError(`it holds a value larger than ${MAX_RECORD_BYTES >> 20} MB where its events are`)
      }
    } else if (this.inRecord()) {
      this.recordBytes += bytes
      if (this.recordBytes > MAX_RECORD_BYTES) {
        this.startSkipping(`larger than ${MAX_RECORD_BYTES >> 20} MB`)
      }
    } else {
      this.spineBytes += bytes
      if (this.spineBytes > MAX_RECORD_BYTES) {
        throw new DocumentError(
          `it holds more than ${MAX_RECORD_BYTES >> 20} MB outside any record of its arrays, more than any event or list response holds`
        )
      }
    }
  }

  private open(isArray: boolean): void {
    const parent = this.frames.at(-1)
    if (this.frames.length >= MAX_NESTING) {
      this.startSkipping(`nested more than ${MAX_NESTING} levels deep`, 1)
      return
    }
    // An array's first item tells: objects or arrays are records, handed on one by one.
    if (parent?.undecided) {
      parent.undecided = false
      parent.value = undefined
      parent.spine = true
    }
    let frame: Frame
    if (!parent) {
      // The document: an array of records, or an object to look into.
      frame = isArray ? { value: undefined, isArray, spine: true } : { value: {}, isArray, spine: true }
    } else if (parent.spine && parent.value === undefined) {
      // An item of an array of records: a record of its own.
      this.items++
      this.recordBytes = 0
      frame = { value: isArray ? [] : {}, isArray, spine: false, item: this.items }
    } else if (parent.spine && !parent.typed) {
      // The skeleton goes on: objects stay on it, arrays until their first item says.
      frame = isArray ? { value: [], isArray, spine: true, undecided: true } : { value: {}, isArray, spine: true }
    } else {
      frame = { value: isArray ? [] : {}, isArray, spine: false }
    }
    this.frames.push(frame)
  }

  private close(out: DocumentPart[]): void {
    const frame = this.frames.pop()
    if (!frame) return
    const parent = this.frames.at(-1)
    if (frame.value === undefined) {
      // An array whose items were handed on: nothing of it is left in its parent.
      if (parent && !parent.isArray && parent.key !== undefined) parent.key = undefined
      if (!parent) this.finish(out, undefined)
      return
    }
    if (frame.item !== undefined) {
      out.push({ value: frame.value, at: `item ${frame.item}` })
      this.handedOn++
      this.recordBytes = 0
      return
    }
    if (!parent) {
      this.finish(out, frame.value)
      return
    }
    this.attach(parent, frame.value)
  }

  private finish(out: DocumentPart[], rest: unknown): void {
    if (rest !== undefined) out.push({ value: rest, at: '', rest: true })
  }

  private value(value: unknown, out: DocumentPart[]): void {
    this.scalarBytes = 0
    const parent = this.frames.at(-1)
    if (!parent) {
      // A document that is one scalar.
      this.finish(out, value)
      return
    }
    if (parent.undecided) {
      // A spine array of scalars (a list of scopes, of ids): kept as it is.
      parent.undecided = false
    }
    if (parent.value === undefined) {
      // A scalar item of an array of records: a record too (the scan says it is no event).
      this.items++
      out.push({ value, at: `item ${this.items}` })
      this.handedOn++
      return
    }
    if (parent.spine && !parent.isArray && parent.key === 'type' && typeof value === 'string') parent.typed = true
    this.attach(parent, value)
  }

  private attach(parent: Frame, value: unknown): void {
    if (parent.isArray) (parent.value as unknown[]).push(value)
    else if (parent.key !== undefined) {
      ;(parent.value as Json)[parent.key] = value
      parent.key = undefined
    }
  }

  /**
   * Stops building the current record: its frames are dropped, and its tokens consumed until
   * its outermost container closes; then it is reported. `opening`: the container whose start
   * token is being refused, which is open too.
   */
  private startSkipping(problem: string, opening = 0): void {
    const outermost = this.frames.findIndex((frame) => frame.item !== undefined)
    // Outside any record of an array: the document itself cannot be read on.
    if (outermost === -1) throw new DocumentError(`it is ${problem} outside any array of events`)
    this.skipping = { open: this.frames.length - outermost + opening, problem, at: this.where() }
    this.frames.length = outermost
    this.text = ''
    this.recordBytes = 0
  }

  private skip(token: Token, out: DocumentPart[]): void {
    const skipping = this.skipping!
    if (token.name === 'startObject' || token.name === 'startArray') skipping.open++
    else if ((token.name === 'endObject' || token.name === 'endArray') && --skipping.open === 0) {
      this.skipping = undefined
      out.push({ problem: skipping.problem, at: skipping.at })
      this.handedOn++
    }
  }
}
