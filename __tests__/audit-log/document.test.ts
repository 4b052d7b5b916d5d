// A JSON document read into its records from stream-json's tokens: arrays of objects at any
// depth give their items one by one, the rest of the document comes last, and a record too
// deep or too large is reported, not built.
import { chainUnchecked, flushable, many, none } from 'stream-chain'
import parser, { type Token } from 'stream-json/parser.js'
import { Readable } from 'node:stream'
import { DocumentReader, MAX_NESTING, type DocumentPart } from '../../src/audit-log/document.js'

async function parts(text: string): Promise<{ parts: DocumentPart[]; handedOn: number }> {
  const reader = new DocumentReader()
  const out: DocumentPart[] = []
  const stream = chainUnchecked<string, DocumentPart>([
    Readable.from([text]),
    parser({ packValues: false, streamValues: true }),
    flushable((token: Token | typeof none) => (token === none ? many(reader.end()) : many(reader.push(token))))
  ])
  for await (const part of stream as AsyncIterable<DocumentPart>) out.push(part)
  return { parts: out, handedOn: reader.handedOn }
}

describe('DocumentReader', () => {
  it('hands on the items of arrays of objects however deep, and the rest of the document last', async () => {
    const document = { export: { org: { name: 'acme', events: [{ type: 'a' }, { type: 'b' }] } }, list: ['x', 'y'] }
    const { parts: found, handedOn } = await parts(JSON.stringify(document, null, 2))
    expect(found).toEqual([
      { value: { type: 'a' }, at: 'item 1' },
      { value: { type: 'b' }, at: 'item 2' },
      { value: { export: { org: { name: 'acme' } }, list: ['x', 'y'] }, at: '', rest: true }
    ])
    expect(handedOn).toBe(2)
  })

  it('keeps a single event whole, its arrays of objects too, once its type is known', async () => {
    const event = {
      id: 'e',
      type: 'api_key.created',
      changes: [{ a: 1 }],
      'api_key.created': { data: { scopes: ['all'] } }
    }
    const { parts: found } = await parts(JSON.stringify(event, null, 2))
    expect(found).toEqual([{ value: event, at: '', rest: true }])
  })

  it('reads a long array of small scalars without counting them against one record', async () => {
    const { parts: found } = await parts(
      JSON.stringify(Array.from({ length: 200_000 }, (_, n) => `value-${n}-${'x'.repeat(100)}`))
    )
    expect(found).toHaveLength(200_000)
  })

  it('reports an item nested too deep, and reads on', async () => {
    const deep = `${'['.repeat(MAX_NESTING + 5)}${']'.repeat(MAX_NESTING + 5)}`
    const { parts: found } = await parts(`[{"type":"a"},${deep},{"type":"b"}]`)
    expect(found).toEqual([
      { value: { type: 'a' }, at: 'item 1' },
      { problem: `nested more than ${MAX_NESTING} levels deep`, at: 'item 2' },
      { value: { type: 'b' }, at: 'item 3' }
    ])
  })

  it('reports an item larger than 16 MB, and reads on', async () => {
    const big = JSON.stringify({ type: 'a', padding: 'x'.repeat(17 * 2 ** 20) })
    const { parts: found } = await parts(`[${big},{"type":"b"}]`)
    expect(found).toEqual([
      { problem: 'larger than 16 MB', at: 'item 1' },
      { value: { type: 'b' }, at: 'item 2' }
    ])
  })
})
