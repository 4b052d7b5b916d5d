// gzip read member by member: every member whole, whatever the chunk boundaries; every fault told apart.
import { gzipSync } from 'node:zlib'
import { gunzip, GzipError, type GzipProblem } from '../../src/audit-log/gunzip.js'

const TEXT = Buffer.from(
  Array.from({ length: 5000 }, (_, n) => `{"id":"audit_log-${n}","type":"login.succeeded"}\n`).join('')
)
const ZIPPED = gzipSync(TEXT)

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

async function read(bytes: Buffer, size = 4096): Promise<{ text: Buffer; problem?: GzipProblem; message?: string }> {
  const out: Buffer[] = []
  try {
    for await (const chunk of gunzip(chunks(bytes, size))) out.push(chunk)
    return { text: Buffer.concat(out) }
  } catch (error) {
    if (!(error instanceof GzipError)) throw error
    return { text: Buffer.concat(out), problem: error.problem, message: error.message }
  }
}

describe('gunzip', () => {
  it.each([1, 7, 4096, 1 << 20])('reads a member whole in chunks of %i bytes', async (size) => {
    expect((await read(ZIPPED, size)).text.equals(TEXT)).toBe(true)
  })

  it('reads members one after the other, a header with a name, a comment and its checksum, and zero padding', async () => {
    // A header with FNAME, FCOMMENT and FHCRC, as gzip -N writes some of them.
    const header = Buffer.from([0x1f, 0x8b, 8, 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3])
    const named = Buffer.concat([header, Buffer.from('audit.jsonl\0an export\0')])
    const { crc32 } = await import('node:zlib')
    const check = Buffer.alloc(2)
    check.writeUInt16LE(crc32(named) & 0xffff)
    const member = Buffer.concat([named, check, ZIPPED.subarray(10)])
    const { text, problem } = await read(Buffer.concat([ZIPPED, member, Buffer.alloc(300)]), 1000)
    expect(problem).toBeUndefined()
    expect(text.equals(Buffer.concat([TEXT, TEXT]))).toBe(true)
  })

  it.each([
    ['truncated', ZIPPED.subarray(0, 5), 'the file ends at byte 5, inside the gzip header'],
    ['truncated', ZIPPED.subarray(0, ZIPPED.length - 40), 'inside the compressed data'],
    ['truncated', ZIPPED.subarray(0, ZIPPED.length - 5), 'inside the gzip trailer'],
    ['truncated', Buffer.concat([ZIPPED, ZIPPED.subarray(0, 12)]), 'inside the compressed data'],
    ['header', Buffer.concat([ZIPPED.subarray(0, 2), Buffer.from([9]), ZIPPED.subarray(3)]), 'compression method 9'],
    [
      'trailing',
      Buffer.concat([ZIPPED, Buffer.from('PK\u0003\u0004')]),
      `from byte ${ZIPPED.length}, trailing garbage`
    ],
    ['trailing', Buffer.concat([ZIPPED, Buffer.alloc(100), Buffer.from('x')]), 'trailing garbage'],
    [
      'header',
      Buffer.concat([ZIPPED, Buffer.from([0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 0])]),
      `the header of the gzip member at byte ${ZIPPED.length}`
    ],
    [
      'corrupt',
      Buffer.concat([ZIPPED.subarray(0, ZIPPED.length - 8), Buffer.alloc(4), ZIPPED.subarray(-4)]),
      'does not match its checksum'
    ]
  ] as const)('%s: %#', async (problem, bytes, words) => {
    const read1 = await read(bytes)
    expect(read1.problem).toBe(problem)
    expect(read1.message).toContain(words)
    // What came before the fault was handed on.
    if (problem === 'trailing') expect(read1.text.equals(TEXT)).toBe(true)
  })
})
