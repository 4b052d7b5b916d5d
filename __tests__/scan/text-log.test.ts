// The off-heap store a scan keeps its findings, deletions and seen ids in.
import { randomBytes } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FNV_KEY, hash32, TextLog, TextSet } from '../../src/scan/text-log.js'
import { collidingIds, fnv1a } from '../support/collisions.js'
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
    // Two different ids with the same 32-bit hash.
    const pair = collidingIds(1) as [string, string]
    const [first, second] = pair
    expect(first).not.toBe(second)
    expect(hash32(first, FNV_KEY)).toBe(hash32(second, FNV_KEY))
    // The set's hash keyed as hash32's default, so that the two collide in it too.
    const set = new TextSet(undefined, FNV_KEY)
    expect(set.has(second)).toBe(false)
    expect(set.add(first)).toBe(true)
    expect(set.has(second)).toBe(false)
    expect(set.add(second)).toBe(true)
    expect(set.add(first)).toBe(false)
    expect(set.add(second)).toBe(false)
    expect(set.has(first) && set.has(second)).toBe(true)
  })

  it('stays linear on ids made to collide under its own hash: each lookup probes a bounded number of slots', () => {
    const ids = collidingIds(14)
    // Keyed with the basis the ids were made for: they all collide in it.
    const set = new TextSet(undefined, FNV_KEY)
    expect(new Set(ids.map((id) => hash32(id, FNV_KEY))).size).toBe(1)
    // Every text a lookup compares is decoded from the log: counted, they show the work.
    const texts = set['texts'] as TextLog
    const read = texts.text.bind(texts)
    let decoded = 0
    texts.text = (index) => (decoded++, read(index))
    expect(ids.every((id) => set.add(id))).toBe(true)
    expect(ids.some((id) => set.add(id))).toBe(false)
    expect(ids.every((id) => set.has(id))).toBe(true)
    expect(set.has('audit_log-missing')).toBe(false)
    // At most 32 slots probed a lookup (and each text moved once as the table grows);
    // probing every colliding slot would decode about ids.length^2 / 2 = 134 million.
    const lookups = ids.length * 3 + 1
    expect(decoded).toBeLessThanOrEqual(32 * lookups + ids.length)
  })

  it('is keyed per process: ids made to collide under the unkeyed hash do not in the set', () => {
    const ids = collidingIds(4)
    expect(new Set(ids.map((id) => fnv1a(id))).size).toBe(1)
    expect(new Set(ids.map((id) => hash32(id, new TextSet()['key']))).size).toBeGreaterThan(1)
  })

  it('is keyed in both halves: the pairs made to collide stay apart under every one of 2,000 drawn keys', () => {
    // A random basis alone kept them together for about one key in 64; the drawn multiplier does not.
    const [first, second] = collidingIds(1) as [string, string]
    for (let round = 0; round < 2000; round++) {
      const bytes = randomBytes(8)
      const key = { basis: bytes.readInt32LE(0), multiplier: bytes.readInt32LE(4) | 1 }
      expect(hash32(first, key)).not.toBe(hash32(second, key))
    }
  })

  it('adds each of many ids once', () => {
    const set = new TextSet()
    const ids = Array.from({ length: 50_000 }, (_, i) => `audit_log-${(i * 7919).toString(16)}`)
    expect(ids.every((id) => set.add(id))).toBe(true)
    expect(ids.some((id) => set.add(id))).toBe(false)
    expect(set.has('audit_log-missing')).toBe(false)
  })
})
