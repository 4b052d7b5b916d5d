// The off-heap store a scan keeps its findings, deletions and seen ids in.
import { readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hash32, TextLog, TextSet } from '../../src/scan/text-log.js'
import { tempDir } from '../support/temp.js'

describe('TextLog', () => {
  it('gives back every text as pushed, across chunks, with multi-byte and oversized texts', () => {
    // More than the default memory budget: part of it goes to a temporary file, in a directory of the test's.
    const log = new TextLog(undefined, tempDir('keywatch-spill-'))
    const texts = [
      '',
      'plain',
      'é漢字😀\u2028"\\',
      'x'.repeat(40 << 10), // larger than the first chunk
      ...Array.from({ length: 5000 }, (_, i) => `{"id":"audit_log-${i}","n":${i}}`),
      'y'.repeat(3 << 20) // larger than the largest chunk
    ]
    const indexes = texts.map((text) => log.push(text))
    expect(indexes).toEqual(texts.map((_, i) => i))
    expect(log.length).toBe(texts.length)
    texts.forEach((text, i) => expect(log.text(i)).toBe(text))
  })

  it('moves chunks past its memory budget to an owner-only temporary file and reads them back', () => {
    const dir = tempDir('keywatch-spill-')
    const log = new TextLog(64 << 10, dir)
    const texts = Array.from({ length: 20_000 }, (_, i) => `{"id":"audit_log-${i}","actor":"é${'x'.repeat(i % 300)}"}`)
    texts.forEach((text) => log.push(text))
    const [spill] = readdirSync(dir)
    expect(spill).toMatch(/^openai-keywatch-/)
    expect(statSync(join(dir, spill!, 'kept')).mode & 0o777).toBe(0o600)
    // Most of it is on disk, all of it reads back, in any order.
    expect(statSync(join(dir, spill!, 'kept')).size).toBeGreaterThan(2 << 20)
    for (let i = texts.length - 1; i >= 0; i -= 7) expect(log.text(i)).toBe(texts[i])
    texts.forEach((text, i) => expect(log.text(i)).toBe(text))
  })

  it('says what to do when the temporary file cannot be written', () => {
    const missing = join(tmpdir(), 'keywatch-no-such-dir', 'deeper')
    const log = new TextLog(32 << 10, missing)
    expect(() => {
      for (let i = 0; i < 1000; i++) log.push('x'.repeat(200))
    }).toThrow(
      `Could not write the findings this run keeps to a temporary file in ${missing} (ENOENT: no such file or directory, mkdtemp '${missing}/openai-keywatch-XXXXXX'): free space there, or point RUNNER_TEMP (the action) or TMPDIR (the CLI) at a directory with room.`
    )
  })

  it('refuses an index it does not have', () => {
    const log = new TextLog()
    log.push('a')
    for (const index of [-1, 1, 0.5, NaN]) expect(() => log.text(index)).toThrow(RangeError)
  })
})

describe('TextSet', () => {
  it('is exact when two ids share a hash', () => {
    // Find two different ids with the same 32-bit hash.
    const byHash = new Map<number, string>()
    let pair: [string, string] | undefined
    for (let i = 0; !pair; i++) {
      const id = `audit_log-${i.toString(36)}`
      const other = byHash.get(hash32(id))
      if (other !== undefined) pair = [other, id]
      else byHash.set(hash32(id), id)
    }
    const [first, second] = pair
    expect(first).not.toBe(second)
    expect(hash32(first)).toBe(hash32(second))
    const set = new TextSet()
    expect(set.has(second)).toBe(false)
    expect(set.add(first)).toBe(true)
    expect(set.has(second)).toBe(false)
    expect(set.add(second)).toBe(true)
    expect(set.add(first)).toBe(false)
    expect(set.add(second)).toBe(false)
    expect(set.has(first) && set.has(second)).toBe(true)
  })

  it('adds each of many ids once', () => {
    const set = new TextSet()
    const ids = Array.from({ length: 50_000 }, (_, i) => `audit_log-${(i * 7919).toString(16)}`)
    expect(ids.every((id) => set.add(id))).toBe(true)
    expect(ids.some((id) => set.add(id))).toBe(false)
    expect(set.has('audit_log-missing')).toBe(false)
  })
})
